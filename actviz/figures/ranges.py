"""Axis ranges that show the data, not its one-sample spikes."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def robust_limits(
    arrays: Iterable[np.ndarray], margin: float = 0.05, tail: float = 0.5
) -> tuple[float, float] | None:
    """(lo, hi) covering the data with a margin; isolated spikes beyond the ``tail``
    percentiles are cut off when they would squash everything else. None when empty."""
    values = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    finite = np.concatenate([v[np.isfinite(v)] for v in values] or [np.empty(0)])
    if finite.size == 0:
        return None
    lo, hi = float(finite.min()), float(finite.max())
    rlo, rhi = np.percentile(finite, [tail, 100 - tail])
    if (hi - lo) > 3 * max(rhi - rlo, 1e-12) and rhi > rlo:
        lo, hi = float(rlo), float(rhi)
    if hi - lo < 1e-12:
        pad = max(abs(lo) * 0.1, 1.0)
        return lo - pad, hi + pad
    pad = (hi - lo) * margin
    return lo - pad, hi + pad

"""Fewer points, same picture: a long curve reduced to its min and max per pixel column.

A 10k-point curve on an 800 px wide plot draws the same with ~1600 points; the
extremes of each column are kept (in the order they occur), so spikes and kinks stay.
One implementation for the live plots (which also clip to the visible window) and the
exported figures, so what is exported is what was seen.
"""

from __future__ import annotations

import numpy as np


def peak_decimate(
    x: np.ndarray,
    y: np.ndarray,
    columns: int,
    lo: float | None = None,
    hi: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with about 2 points per column, inside ``[lo, hi]`` when given (one sample
    beyond each end is kept so the line reaches the edge).

    A column holding a gap (NaN, e.g. f'' at a kink) keeps all its samples, so gaps stay
    gaps; a curve that is short or whose x is not sorted is returned as it is.
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) > 1 and np.any(np.diff(x) < 0):
        return x, y
    if lo is not None or hi is not None:
        i0 = 0 if lo is None else max(int(np.searchsorted(x, lo, side="left")) - 1, 0)
        i1 = len(x) if hi is None else min(int(np.searchsorted(x, hi, side="right")) + 1, len(x))
        x, y = x[i0:i1], y[i0:i1]
    n = len(x)
    columns = int(columns)
    if columns < 2 or n <= 4 * columns:
        return x, y
    k = -(-n // columns)  # samples per column
    padded = np.empty(columns * k)
    padded[:n] = y
    padded[n:] = y[-1]  # the last column repeats its last sample: no new extreme
    cells = padded.reshape(columns, k)
    whole = np.isfinite(cells).all(axis=1)
    offsets = np.arange(columns) * k
    low = offsets[whole] + cells[whole].argmin(axis=1)
    high = offsets[whole] + cells[whole].argmax(axis=1)
    raw = (offsets[~whole, None] + np.arange(k)).ravel()  # columns with a gap: every sample
    idx = np.unique(np.concatenate([[0, n - 1], low, high, raw]))  # sorted: order along x
    idx = idx[idx < n]
    return x[idx], y[idx]

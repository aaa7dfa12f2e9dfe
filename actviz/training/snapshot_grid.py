"""Decision grids and fitted curves of a stored snapshot, as the race drew them.

The race evaluates its grid points once per evaluation; a view that scrubs back in
time recomputes them from the snapshot at that step with the same points, the same
input features and the same read-out (:func:`metrics.grid_values`), so a scrubbed
picture is the picture the race itself drew then.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .features import network_inputs
from .metrics import grid_values
from .snapshots import Snapshot


def grid_points(axes: Sequence[np.ndarray]) -> torch.Tensor:
    """The engine's grid points ``[dims, points]`` for ``Started.grid_axes``: row-major
    over (x2, x1) for 2-D tasks, the axis itself for 1-D tasks."""
    if len(axes) == 1:
        return torch.as_tensor(np.asarray(axes[0]), dtype=torch.float32)[None, :]
    if len(axes) != 2:
        raise ValueError(f"a grid has one or two axes, not {len(axes)}")
    ax0 = torch.as_tensor(np.asarray(axes[0]), dtype=torch.float32)
    ax1 = torch.as_tensor(np.asarray(axes[1]), dtype=torch.float32)
    rows, cols = torch.meshgrid(ax1, ax0, indexing="ij")
    return torch.stack([cols.reshape(-1), rows.reshape(-1)])


@torch.no_grad()
def snapshot_grid(
    snapshot: Snapshot,
    run: int,
    axes: Sequence[np.ndarray],
    loss: str,
    features: Sequence[str] = (),
    points: torch.Tensor | None = None,
) -> np.ndarray:
    """Run ``run``'s grid at the snapshot's step: ``[len(x2), len(x1)]`` (2-D) or
    ``[len(x)]`` (1-D), the same values an Evaluation's ``grids[run]`` holds.
    ``points`` may pass :func:`grid_points` of ``axes`` computed once."""
    if points is None:
        points = grid_points(axes)
    out, _ = snapshot.model(run).forward(network_inputs(points, list(features)), train=False)
    values = grid_values(loss, out)[0].numpy().astype(np.float32)
    shape = tuple(len(a) for a in reversed(list(axes)))
    return values.reshape(shape)

"""Tasks from a table of numbers: real datasets and the user's own CSV files.

Rows are kept as they are (no noise is added); the split is drawn from the data seed
and inputs are standardised with the training rows' statistics (see ``Task.standardise``).
Two classes train one sigmoid output (bce), more use the softmax path of ``spiral3`` (ce).
The table is loaded on first use, so listing tasks stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import torch

from .task import Task

#: ``() -> (x [rows, columns], y [rows])``: class indices 0..k-1, or numbers to regress.
Loader = Callable[[], tuple[np.ndarray, np.ndarray]]


def table_task(
    name: str,
    load: Loader,
    *,
    input_dim: int,
    classes: int,
    description: str = "",
    extras: dict[str, Any] | None = None,
) -> Task:
    """A :class:`Task` that serves the rows ``load`` returns.

    :param classes: 0 for regression, else the number of classes (at least 2).
    """
    if classes == 1 or classes < 0:
        raise ValueError(f"task {name!r}: classes must be 0 (regression) or at least 2")
    tensors = cache(lambda: _tensors(name, load, input_dim, classes))

    def sample(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Every row, or ``n`` rows drawn without replacement when fewer are asked for."""
        inputs, targets = tensors()
        if n >= len(inputs):
            return inputs, targets
        rows = torch.randperm(len(inputs), generator=gen)[:n]
        return inputs[rows], targets[rows]

    if classes == 0:
        loss, metric, outputs, kind = "mse", "r2", 1, "regression"
    else:
        kind = "classification"
        loss, outputs = ("bce", 1) if classes == 2 else ("ce", classes)
        metric = "accuracy"
    return Task(
        name=name,
        sample=sample,
        description=description,
        kind=kind,
        input_dim=input_dim,
        output_dim=outputs,
        loss=loss,
        metric=metric,
        default_points=int((extras or {}).get("rows", 10**9)),
        default_noise=0.0,
        noise_help="not used: real data has its own noise",
        extras=dict(extras or {}),
        standardise=True,
    )


def _tensors(name: str, load: Loader, input_dim: int, classes: int):
    x, y = load()
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[1] != input_dim or len(x) != len(y):
        raise ValueError(f"task {name!r}: the table does not have {input_dim} input columns")
    inputs = torch.from_numpy(np.ascontiguousarray(x))
    if classes == 0:
        return inputs, torch.from_numpy(np.asarray(y, dtype=np.float32)).reshape(-1, 1)
    targets = torch.from_numpy(np.asarray(y, dtype=np.int64))
    return inputs, targets.float() if classes == 2 else targets

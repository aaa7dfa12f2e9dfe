"""Parameter values in the shapes ``fn`` receives: in a race, in validation, in Curves.

One place builds them, so a race, validation and the Curves view cannot disagree.
With ``x`` shaped ``[models, units, points]`` in a race (see docs/plugin-guide.md):

=====================  ========================  ====================================
``Param.shape``        in a race (per layer)     outside a network (``defaults()``)
=====================  ========================  ====================================
``()`` plain number    ``float`` (fixed), or     ``float``
                       ``[models, 1, 1]`` tensor
                       (learnable)
``()`` per-seed init   ``[models, 1, 1]``        0-d tensor (seed 0)
``(k,)``               ``[models, 1, 1, k]``     ``[k]``
``"per_unit"``         ``[models, units, 1]``    0-d tensor (unit 0 of seed 0)
``("per_unit", k)``    ``[models, units, 1, k]`` ``[k]``
=====================  ========================  ====================================

The leading axes always broadcast against ``x``; a vector's ``k`` values sit on an
extra last axis, so ``a[..., i]`` broadcasts against ``x`` everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .api import Activation, Param


def race_value(
    param: Param,
    seeds: Sequence[int],
    width: int,
    *,
    chosen: Any = None,
    dtype: torch.dtype = torch.float32,
    device: Any = None,
) -> torch.Tensor:
    """The stacked value of ``len(seeds)`` models at a layer of ``width`` units, in race
    shape: ``[models, 1, 1, *vector]`` or ``[models, width, 1, *vector]`` per unit."""
    arrays = [param.initial_value(seed, width, chosen) for seed in seeds]
    stacked = torch.as_tensor(np.stack(arrays), dtype=dtype, device=device)
    models = len(seeds)
    vector = tuple(param.vector)
    if param.per_unit:
        return stacked.reshape(models, width, 1, *vector).contiguous()
    return stacked.reshape(models, 1, 1, *vector).contiguous()


def passed_as_float(param: Param) -> bool:
    """True for parameters a race passes as a plain Python value (fixed plain scalars
    and options), False for those it passes as tensors."""
    return not param.learnable and (param.is_scalar or param.kind != "real")


def race_kwargs(
    act: Activation,
    seeds: Sequence[int],
    width: int,
    *,
    values: dict[str, Any] | None = None,
    dtype: torch.dtype = torch.float32,
    device: Any = None,
) -> dict[str, Any]:
    """Every keyword argument of ``fn`` as a race passes them for ``x`` shaped
    ``[len(seeds), width, points]`` (learnable values as tensors without gradients)."""
    values = values or {}
    kwargs: dict[str, Any] = {}
    for p in act.params:
        chosen = values.get(p.name)
        if passed_as_float(p):
            kwargs[p.name] = p.default if chosen is None else chosen
        else:
            kwargs[p.name] = race_value(p, seeds, width, chosen=chosen, dtype=dtype, device=device)
    return kwargs


def params_like(values: dict[str, Any], x: torch.Tensor) -> dict[str, Any]:
    """``values`` with every tensor moved to ``x``'s dtype and device."""
    return {
        k: v.to(dtype=x.dtype, device=x.device) if isinstance(v, torch.Tensor) else v
        for k, v in values.items()
    }

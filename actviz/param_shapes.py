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

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .api import Activation, Param


def value_shape(param: Param, width: int) -> tuple[int, ...]:
    """The shape of one model's value at a layer of ``width`` units."""
    vector = tuple(int(k) for k in param.vector)
    return (int(width), *vector) if param.per_unit else vector


def initial_array(param: Param, seed: int, width: int, chosen: Any = None) -> np.ndarray:
    """One model's initial value (float64) at a layer of ``width`` units.

    ``chosen`` (a number picked by the user) replaces the default in every element.
    Raises ``ValueError`` naming the parameter when the default has the wrong shape.
    """
    shape = value_shape(param, width)
    source = param.default if chosen is None else chosen
    if callable(source):
        try:
            source = _call_init(source, seed, width)
        except Exception as exc:  # noqa: BLE001 - plugin code: name the parameter
            raise ValueError(
                f"parameter {param.name!r}: its initial value function raised "
                f"{type(exc).__name__}: {exc} (seed {seed}, width {width})"
            ) from exc
    try:
        array = np.asarray(source, dtype=np.float64)
        return np.broadcast_to(array, shape).copy()
    except (TypeError, ValueError) as exc:
        got = np.shape(source)
        raise ValueError(
            f"parameter {param.name!r}: initial value of shape {got} does not fit "
            f"shape {shape} (layer width {width})"
        ) from exc


def _call_init(init: Any, seed: int, width: int) -> Any:
    try:
        n_args = len(inspect.signature(init).parameters)
    except (TypeError, ValueError):
        n_args = 2
    return init(seed, width) if n_args >= 2 else init(seed)


def outside_value(
    param: Param, dtype: torch.dtype = torch.float32, device: Any = None
) -> torch.Tensor:
    """The value used outside a network: seed 0, unit 0 where per unit."""
    array = initial_array(param, 0, 1)
    if param.per_unit:
        array = array[0]
    return torch.as_tensor(array, dtype=dtype, device=device)


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
    arrays = [initial_array(param, seed, width, chosen) for seed in seeds]
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

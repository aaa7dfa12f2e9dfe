"""The tensors ``fn`` receives in a race, built the way the training engine builds them.

In a race (``actviz.training.model.Segment``) every hidden layer calls
``fn(z, **kwargs)`` once for a whole stack of models:

* elementwise kinds get ``z`` shaped ``[models, units, points]``; vector and gated kinds
  get it transposed, ``[models, points, units]`` (the contract puts units on the last axis);
* a fixed plain parameter arrives as a Python float, a learnable one as a tensor shaped
  ``[models, 1, 1]`` (one value per model; it broadcasts against ``z``), on ``z``'s device,
  with a gradient graph; vector, per-unit and per-seed parameters arrive in the shapes of
  ``actviz/param_shapes.py`` (``[models, 1, 1, k]``, ``[models, units, 1(, k)]``), which
  the engine and :func:`race_params` both build with ``param_shapes.race_value``;
* the output must have ``z``'s shape (half the units for gated kinds), dtype and device.

Validation calls plugins through :func:`race_inputs` so that an activation which passes it
cannot fail inside a race. Keep this module in step with the engine when its shapes change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..api import Activation
from ..param_shapes import passed_as_float, race_value

MODELS = 3
UNITS = 4


def race_x_shape(act: Activation, points: int, models: int = MODELS, units: int = UNITS) -> tuple:
    """The shape of ``x`` that ``fn`` receives in a race."""
    if act.kind == "elementwise":
        return (models, units, points)
    return (models, points, units)


def race_param(
    value: float, models: int = MODELS, *, dtype: torch.dtype, device: torch.device | str
) -> torch.Tensor:
    """A learnable parameter as the engine passes it: ``[models, 1, 1]``, tracking gradients."""
    return torch.full((models, 1, 1), float(value), dtype=dtype, device=device, requires_grad=True)


def race_params(
    act: Activation,
    values: Mapping[str, Any],
    models: int = MODELS,
    *,
    units: int = UNITS,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> dict[str, object]:
    """Keyword arguments as in a race: floats for fixed plain parameters (ints and strings
    for options), ``[models, 1, 1]`` tensors for learnable scalars, and vector, per-unit and
    per-seed parameters built by :func:`actviz.param_shapes.race_value`, as the engine
    builds them (``[models, 1, 1, k]``, ``[models, units, 1(, k)]``; seeds ``0..models-1``).
    A number in ``values`` for such a parameter fills it (a user's choice); a tensor there
    (``Activation.defaults()``) means the plugin's own initial values."""
    out: dict[str, object] = {}
    for p in act.params:
        value = values[p.name]
        if passed_as_float(p):
            out[p.name] = {"integer": int, "choice": str}.get(p.kind, float)(value)
        elif p.is_scalar:
            out[p.name] = race_param(value, models, dtype=dtype, device=device)
        else:
            chosen = value if isinstance(value, (int, float)) else None
            tensor = race_value(p, range(models), units, chosen=chosen, dtype=dtype, device=device)
            out[p.name] = tensor.requires_grad_(p.learnable)
    return out


def race_x(
    kind: str,
    samples: torch.Tensor,
    *,
    models: int = MODELS,
    units: int = UNITS,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """``x`` shaped as in a race for an activation of ``kind``, filled from 1-D ``samples``.

    The samples are repeated to fill every (model, unit, point) slot, so x-values such as
    large |x| reach every model and unit.
    """
    points = max(1, -(-samples.numel() // (models * units)))
    flat = samples.reshape(-1).to(dtype=dtype, device=device)
    need = models * units * points
    flat = flat.repeat(-(-need // flat.numel()))[:need]
    if kind == "elementwise":
        return flat.reshape(models, units, points)
    return flat.reshape(models, points, units)


def race_inputs(
    act: Activation,
    values: Mapping[str, float],
    samples: torch.Tensor,
    *,
    models: int = MODELS,
    units: int = UNITS,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, dict[str, object]]:
    """``(x, params)`` as a race passes them; ``x`` tracks gradients like a pre-activation."""
    x = race_x(act.kind, samples, models=models, units=units, dtype=dtype, device=device)
    params = race_params(act, values, models, units=units, dtype=dtype, device=device)
    return x.requires_grad_(True), params


def race_output_shape(act: Activation, x_shape: tuple) -> tuple:
    """The output shape a race expects for input shape ``x_shape``."""
    if act.kind == "gated":
        return (*x_shape[:-1], x_shape[-1] // 2)
    return tuple(x_shape)


def describe_shape(shape: tuple | torch.Size) -> str:
    """``[3, 4, 170]``, as messages write a shape."""
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"

"""Activation parameters inside a race: built per layer in race shape, clamped only to
explicit ``Param.bounds``, and read back for the history rows.

Scalar learnable values go to a row's ``params`` (``{name: [value per layer]}``, as
always); vector and per-unit ones to ``param_arrays`` (``{name: [array per layer]}``,
nested lists: ``[k]``, ``[units]`` or ``[units][k]`` per layer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..api import Activation
from ..param_shapes import passed_as_float, race_value
from .layered import LayeredActivation, chosen_params, key, layer_params

if TYPE_CHECKING:
    from .model import ModelStack, Segment


def segment_params(
    act: Activation,
    seeds: Sequence[int],
    hidden_widths: Sequence[int],
    chosen: Mapping[str, Any],
    device: torch.device,
) -> tuple[dict[str, object], dict[str, list[torch.Tensor]], dict[str, list[torch.Tensor]]]:
    """``(fixed, constants, learnable)`` of one activation's models: plain values, and
    per hidden layer the race-shaped fixed and trainable tensors (initial value per seed).

    A per-layer activation (``layered.py``) takes ``chosen`` as ``{part: {param:
    value}}`` and keys each part's values ``"name@layer"`` (tensors in one-element lists).
    """
    if isinstance(act, LayeredActivation):
        return _layered_params(act, seeds, hidden_widths, chosen, device)
    fixed: dict[str, object] = {}
    constants: dict[str, list[torch.Tensor]] = {}
    learnable: dict[str, list[torch.Tensor]] = {}
    for p in act.params:
        value = chosen.get(p.name)
        if passed_as_float(p):
            fixed[p.name] = p.default if value is None else value
            continue
        per_layer = [
            race_value(p, seeds, width, chosen=value, device=device) for width in hidden_widths
        ]
        if p.learnable:
            learnable[p.name] = [t.requires_grad_() for t in per_layer]
        else:
            constants[p.name] = per_layer
    return fixed, constants, learnable


def _layered_params(
    act: LayeredActivation,
    seeds: Sequence[int],
    hidden_widths: Sequence[int],
    chosen: Mapping[str, Any],
    device: torch.device,
) -> tuple[dict[str, object], dict[str, list[torch.Tensor]], dict[str, list[torch.Tensor]]]:
    fixed: dict[str, object] = {}
    constants: dict[str, list[torch.Tensor]] = {}
    learnable: dict[str, list[torch.Tensor]] = {}
    for layer, (part, values) in enumerate(chosen_params(act, chosen)):
        f, c, learn = segment_params(part, seeds, [hidden_widths[layer]], values, device)
        fixed.update({key(n, layer): v for n, v in f.items()})
        constants.update({key(n, layer): v for n, v in c.items()})
        learnable.update({key(n, layer): v for n, v in learn.items()})
    return fixed, constants, learnable


def training_bounds(stacks: Sequence[ModelStack]) -> list[tuple[torch.Tensor, Any, Any]]:
    """``(tensor, low, high)`` for every learnable value with an explicit ``bounds``."""
    clamps = []
    for stack in stacks:
        for seg in stack.segments:
            for name, _, p in layer_params(seg.activation):
                if p.learnable and p.bounds is not None:
                    low, high = p.bounds
                    clamps += [(t, low, high) for t in seg.learnable[name]]
    return clamps


def learned_values(seg: Segment) -> dict[str, list[np.ndarray]]:
    """The segment's learnable values now, per name and layer, ``[models, ...]`` float64."""
    return {
        name: [t.detach().cpu().numpy().astype(float) for t in per_layer]
        for name, per_layer in seg.learnable.items()
    }


def record_row(
    act: Activation, learned: Mapping[str, list[np.ndarray]], model: int
) -> dict[str, Any]:
    """The history-row entries of one model (index within its segment).

    A per-layer activation (``relu>prelu``) is recorded in the same shape: each name
    gets one value per hidden layer, ``None`` at layers whose activation lacks it (one
    activation per layer, so a name at a layer is never ambiguous)."""
    scalars: dict[str, list[Any]] = {}
    arrays: dict[str, list[Any]] = {}
    layers = len(act.parts) if isinstance(act, LayeredActivation) else None
    for name, layer, p in layer_params(act):
        per_layer = learned.get(name)
        if per_layer is None:
            continue
        if p.shape == ():
            values = [float(a[model].reshape(-1)[0]) for a in per_layer]
            target = scalars
        elif p.per_unit:  # [units, 1(, k)] -> [units(, k)]
            values = [a[model][:, 0].tolist() for a in per_layer]
            target = arrays
        else:  # [1, 1, k] -> [k]
            values = [a[model][0, 0].tolist() for a in per_layer]
            target = arrays
        if layer is None or layers is None:
            target[name] = values
        else:  # keyed "name@layer" in the segment: back to one slot per layer
            target.setdefault(p.name, [None] * layers)[layer] = values[0]
    row: dict[str, Any] = {}
    if scalars:
        row["params"] = scalars
    if arrays:
        row["param_arrays"] = arrays
    return row

"""What a learnable activation learned: its shape f(x) at a recorded step against its
initial shape, per seed, per hidden layer and (for per-unit parameters) per unit.

Reads a run as ``RunStore.load_run`` returns it (``RaceResult.to_dict()`` and the
Playground's live history have the same shape): each run's ``history`` rows hold the
learnable values, ``params`` for scalars and ``param_arrays`` for vectors and per-unit
values (see ``actviz/training/learned_params.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..api import Activation
from ..param_shapes import passed_as_float

X_RANGE = (-5.0, 5.0)
POINTS = 401


@dataclass
class LearnedShape:
    """One curve: seed, hidden layer (0-based), unit (``None`` when shared by the layer)."""

    activation: str
    seed: int
    layer: int
    unit: int | None
    step: int
    x: np.ndarray
    initial: np.ndarray
    learned: np.ndarray
    values: dict[str, Any]  # the parameter values at ``step`` (floats / nested lists)

    @property
    def label(self) -> str:
        unit = f" unit {self.unit + 1}" if self.unit is not None else ""
        return f"seed {self.seed} layer {self.layer + 1}{unit}"


def is_learnable(act: Activation) -> bool:
    """Whether ``act`` (or, raced per layer as ``prelu>tanh``, one of its parts) learns."""
    return any(p.learnable for part in _parts(act) for p in part.params)


def part_at(act: Activation, layer: int) -> Activation:
    """The activation hidden layer ``layer`` applies: ``act`` itself, or its part there."""
    parts = getattr(act, "parts", None)
    return parts[layer] if parts else act


def _parts(act: Activation) -> tuple[Activation, ...]:
    return tuple(getattr(act, "parts", None) or (act,))


def recorded_steps(run: Mapping[str, Any], activation: str) -> list[int]:
    """The steps at which the activation's learnable values were recorded."""
    steps: set[int] = set()
    for member in run.get("runs", []):
        if member.get("activation") == activation:
            steps.update(int(r["step"]) for r in member.get("history", []) if _has_values(r))
    return sorted(steps)


def _has_values(row: Mapping[str, Any]) -> bool:
    return bool(row.get("params") or row.get("param_arrays"))


def row_at(history: Sequence[Mapping[str, Any]], step: int) -> Mapping[str, Any] | None:
    """The last recorded row at or before ``step`` (the first one if all are later)."""
    rows = [r for r in history if _has_values(r)]
    if not rows:
        return None
    before = [r for r in rows if int(r["step"]) <= step]
    return before[-1] if before else rows[0]


def layer_values(row: Mapping[str, Any], layer: int) -> dict[str, Any]:
    """The recorded learnable values of one hidden layer: floats or (nested) lists
    (a per-layer race records ``None`` where that layer's activation lacks a value)."""
    values: dict[str, Any] = {}
    for key in ("params", "param_arrays"):
        for name, per_layer in (row.get(key) or {}).items():
            if layer < len(per_layer) and per_layer[layer] is not None:
                values[name] = per_layer[layer]
    return values


def call_values(
    act: Activation,
    recorded: Mapping[str, Any],
    chosen: Mapping[str, Any],
    seed: int,
    width: int,
    unit: int | None,
) -> dict[str, Any]:
    """Keyword arguments for ``fn`` outside a network: recorded learnable values, chosen
    or default fixed ones; a per-unit value is the value of ``unit``."""
    kwargs: dict[str, Any] = {}
    for p in act.params:
        if p.name in recorded:
            value = np.asarray(recorded[p.name], dtype=np.float64)
        elif passed_as_float(p):
            kwargs[p.name] = chosen.get(p.name, p.default)
            continue
        else:
            value = p.initial_value(seed, width, chosen.get(p.name))
        if p.per_unit:
            value = value[unit if unit is not None else 0]
        kwargs[p.name] = torch.as_tensor(value, dtype=torch.float64)
    return kwargs


def _width(act: Activation, recorded: Mapping[str, Any], hidden: Sequence[int], layer: int) -> int:
    for p in act.params:
        if p.per_unit and p.name in recorded:
            return len(recorded[p.name])
    return int(hidden[layer]) if layer < len(hidden) else 1


def _curve(act: Activation, x: torch.Tensor, kwargs: dict[str, Any]) -> np.ndarray:
    with torch.no_grad():
        return act.fn(x, **kwargs).to(torch.float64).numpy().copy()


def learned_shapes(
    act: Activation,
    run: Mapping[str, Any],
    step: int | None = None,
    *,
    x_range: tuple[float, float] = X_RANGE,
    points: int = POINTS,
    layers: Sequence[int] | None = None,
) -> list[LearnedShape]:
    """Every seed's learned curve at ``step`` (the last recorded when ``None``) with its
    initial curve (the first recorded row), per layer and per unit where per unit."""
    if any(part.kind != "elementwise" for part in _parts(act)):
        raise ValueError(f"{act.name}: learned shapes are drawn for elementwise activations")
    run = getattr(run, "data", run)  # a notebook RaceOutcome
    if not isinstance(run, Mapping) or "runs" not in run:
        one = isinstance(run, Mapping) and "history" in run
        raise TypeError(
            "learned_shapes(act, race, step=None) takes the whole race (a RaceOutcome, its "
            ".data, or what `actviz train --json` writes), "
            + ("not one entry of its 'runs'" if one else f"not {type(run).__name__}")
        )
    config = run.get("config") or {}
    hidden = list(config.get("hidden") or [])
    x = torch.linspace(*x_range, points, dtype=torch.float64)
    shapes: list[LearnedShape] = []
    for member in run.get("runs", []):
        if member.get("activation") != act.name:
            continue
        history = member.get("history", [])
        first = row_at(history, -1)
        now = row_at(history, math.inf if step is None else step)
        if first is None or now is None:
            continue
        seed = int(member.get("seed", 0))
        n_layers = max(
            len(v)
            for v in [
                *(first.get("params") or {}).values(),
                *(first.get("param_arrays") or {}).values(),
            ]
        )
        for layer in layers if layers is not None else range(n_layers):
            part = part_at(act, layer)
            if not is_learnable(part):
                continue  # prelu>tanh: its tanh layer learns nothing
            chosen = dict((config.get("params") or {}).get(part.name, {}))
            start, end = layer_values(first, layer), layer_values(now, layer)
            width = _width(part, end, hidden, layer)
            per_unit = any(p.per_unit for p in part.params)
            for unit in range(width) if per_unit else [None]:
                before = call_values(part, start, chosen, seed, width, unit)
                after = call_values(part, end, chosen, seed, width, unit)
                shapes.append(
                    LearnedShape(
                        act.name,
                        seed,
                        layer,
                        unit,
                        int(now["step"]),
                        x.numpy(),
                        _curve(part, x, before),
                        _curve(part, x, after),
                        _unit_values(part, end, unit),
                    )
                )
    return shapes


def _unit_values(act: Activation, recorded: Mapping[str, Any], unit: int | None) -> dict:
    out = {}
    for p in act.params:
        if p.name in recorded:
            value = recorded[p.name]
            out[p.name] = value[unit if unit is not None else 0] if p.per_unit else value
    return out


def shapes_table(shapes: Sequence[LearnedShape]) -> dict[str, np.ndarray]:
    """Long-format columns for CSV: one row per (curve, x)."""
    cols: dict[str, list[Any]] = {
        k: [] for k in ("activation", "seed", "layer", "unit", "step", "x", "initial", "learned")
    }
    for s in shapes:
        n = len(s.x)
        cols["activation"] += [s.activation] * n
        cols["seed"] += [s.seed] * n
        cols["layer"] += [s.layer + 1] * n
        cols["unit"] += [s.unit + 1 if s.unit is not None else ""] * n
        cols["step"] += [s.step] * n
        cols["x"] += s.x.tolist()
        cols["initial"] += s.initial.tolist()
        cols["learned"] += s.learned.tolist()
    return {k: np.asarray(v, dtype=object) for k, v in cols.items()}

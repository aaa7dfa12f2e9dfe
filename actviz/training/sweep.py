"""A parameter sweep: one activation raced at several values of one of its parameters.

Each value becomes its own member of an ordinary race, under a derived name such as
``leaky_relu_negative_slope_0p06`` (activation names allow only lower-case letters,
digits and ``_``), with the value fixed in ``RaceConfig.params``. A stored sweep is
therefore an ordinary run, and :func:`parse_sweep` recognises it again from its
configuration alone.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..api import Activation
from .config import RaceConfig


@dataclass(frozen=True)
class Sweep:
    """What is swept: ``activation.param`` over ``values`` (member names in ``names``)."""

    activation: str
    param: str
    values: tuple[float, ...]
    names: tuple[str, ...]

    def label(self) -> str:
        lo, hi = min(self.values), max(self.values)
        return f"{self.activation}.{self.param} {lo:g}…{hi:g} ({len(self.values)} values)"


def sweep_values(low: float, high: float, count: int) -> list[float]:
    """``count`` evenly spaced values from ``low`` to ``high`` (both included)."""
    if count < 1:
        raise ValueError("a sweep needs at least one value")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("the sweep range must be finite")
    if count == 1:
        return [float(low)]
    step = (high - low) / (count - 1)
    return [round(low + i * step, 12) for i in range(count)]


def value_tag(value: float) -> str:
    """A value as name characters: ``0.06 -> 0p06``, ``-1.5 -> m1p5``, ``1e-05 -> 1em05``."""
    text = f"{value:.6g}".replace("+", "")
    return text.replace("-", "m").replace(".", "p")


def member_name(activation: str, param: str, value: float) -> str:
    return f"{activation}_{param.lower()}_{value_tag(value)}"


def check_sweep(activation: Activation, param: str, values: Sequence[float]) -> list[str]:
    """Problems with sweeping ``activation.param`` over ``values`` (empty when fine)."""
    problems = []
    try:
        p = activation.param(param)
    except KeyError:
        return [f"param: {activation.name} has no parameter {param!r}"]
    if not values:
        problems.append("values: give at least one value")
    names = [member_name(activation.name, param, v) for v in values]
    if len(set(names)) != len(names):
        problems.append("values: two values are equal at 6 significant digits")
    for v in values:
        if not math.isfinite(v):
            problems.append(f"values: {v!r} is not a finite number")
        elif (p.min is not None and v < p.min) or (p.max is not None and v > p.max):
            problems.append(f"values: {v:g} is outside {param}'s range [{p.min}, {p.max}]")
    return problems


def sweep_race(
    base: RaceConfig, activation: Activation, param: str, values: Sequence[float]
) -> tuple[RaceConfig, dict[str, Activation], Sweep]:
    """The race of a sweep: ``base``'s task, network and budget, one member per value.

    Returns the configuration, the activations to race (copies of ``activation``
    under the member names) and the :class:`Sweep`. Raises ``ValueError`` listing
    every problem.
    """
    values = [float(v) for v in values]
    problems = check_sweep(activation, param, values)
    if problems:
        raise ValueError("; ".join(problems))
    names = [member_name(activation.name, param, v) for v in values]
    others = {k: v for k, v in base.params_for(activation.name).items() if k != param}
    config = dataclasses.replace(
        base,
        activations=list(names),
        params={n: {**others, param: v} for n, v in zip(names, values, strict=True)},
    )
    copies = {n: dataclasses.replace(activation, name=n) for n in names}
    return config, copies, Sweep(activation.name, param, tuple(values), tuple(names))


def parse_sweep(config: Mapping[str, Any]) -> Sweep | None:
    """The sweep a stored run's configuration describes, or ``None`` for an ordinary race."""
    names = list(config.get("activations", []))
    params = config.get("params", {}) or {}
    if len(names) < 2:
        return None
    found: list[tuple[str, str, float]] = []
    for name in names:
        match = None
        for pname, value in (params.get(name) or {}).items():
            tag = f"_{pname.lower()}_{value_tag(float(value))}"
            if name.endswith(tag) and len(name) > len(tag):
                match = (name[: -len(tag)], pname, float(value))
        if match is None:
            return None
        found.append(match)
    if len({(a, p) for a, p, _ in found}) != 1:
        return None
    act, param = found[0][0], found[0][1]
    return Sweep(act, param, tuple(v for _, _, v in found), tuple(names))


def sweep_points(run: Mapping[str, Any], sweep: Sweep) -> list[dict[str, Any]]:
    """Final test metric against the swept value: one dict per value with ``value``,
    ``mean``, ``min``, ``max``, ``seeds`` (finite finals) and ``diverged`` (count).

    ``run`` is a stored run (``RunStore.load_run``) or ``RaceResult.to_dict()``.
    """
    metric = run.get("metric", "accuracy")
    out = []
    for name, value in zip(sweep.names, sweep.values, strict=True):
        members = [m for m in run.get("runs", []) if m["activation"] == name]
        finals = [
            float(m[f"test_{metric}"])
            for m in members
            if m.get(f"test_{metric}") is not None and math.isfinite(m[f"test_{metric}"])
        ]
        out.append(
            {
                "value": value,
                "mean": sum(finals) / len(finals) if finals else math.nan,
                "min": min(finals) if finals else math.nan,
                "max": max(finals) if finals else math.nan,
                "seeds": len(finals),
                "diverged": sum(m.get("status") == "diverged" for m in members),
            }
        )
    return out

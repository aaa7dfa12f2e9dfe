"""What a lesson measured: numbers per group (usually per activation) and the key plot.

``check`` functions read numbers with :meth:`Measurements.value`; the Lessons panel
and ``actviz lesson --json`` show the same object, so what decides a verdict is
always what the user sees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .jsonable import jsonable
from .verdict import Verdict


@dataclass
class Curve:
    """One line of the key plot (``y`` may hold ``None`` where a run diverged)."""

    label: str
    x: list[float]
    y: list[float | None]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "x": jsonable(self.x), "y": jsonable(self.y)}


@dataclass
class Plot:
    """The measurement a lesson is about, drawn as curves."""

    title: str
    x_label: str
    y_label: str
    curves: list[Curve] = field(default_factory=list)
    log_y: bool = False
    #: Names for x = 0, 1, 2 ... when the x axis is a list of things, not a number.
    x_ticks: list[str] | None = None

    def add(self, label: str, x: Iterable[float], y: Iterable[float | None]) -> Curve:
        """Add a curve (numpy arrays welcome; NaN and inf are stored as gaps)."""
        curve = Curve(label, [float(v) for v in x], [_finite_or_none(v) for v in y])
        self.curves.append(curve)
        return curve

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "log_y": self.log_y,
            "x_ticks": self.x_ticks,
            "curves": [c.to_dict() for c in self.curves],
        }


@dataclass
class Measurements:
    """``values[group][name]``: what was measured; ``plot``: the key measurement as curves.

    ``raw`` keeps anything else a lesson wants to hand on (race results); it is not
    part of the JSON output.
    """

    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    plot: Plot | None = None
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def value(self, group: str, name: str) -> Any:
        """One measured number; ``KeyError`` names what is missing."""
        try:
            return self.values[group][name]
        except KeyError:
            raise KeyError(f"no measurement {name!r} for {group!r}") from None

    def number(self, group: str, name: str, missing: float = math.nan) -> float:
        """A measured number as a float; ``missing`` when absent or ``None`` (a diverged run)."""
        value = self.values.get(group, {}).get(name)
        if value is None:
            return missing
        return float(value)

    def groups(self) -> list[str]:
        return list(self.values)

    @staticmethod
    def verdict(holds: bool, summary: str, **numbers: Any) -> Verdict:
        """Shorthand for check functions: ``m.verdict(ok, "text", gap=0.3)``."""
        return Verdict(bool(holds), summary, dict(numbers))

    def to_dict(self) -> dict[str, Any]:
        return {
            "values": jsonable(self.values),
            "plot": self.plot.to_dict() if self.plot is not None else None,
            "notes": list(self.notes),
        }

    @classmethod
    def from_values(cls, values: Mapping[str, Mapping[str, Any]]) -> Measurements:
        return cls(values={g: dict(v) for g, v in values.items()})


def _finite_or_none(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the finite numbers, ``None`` when there are none."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return sum(finite) / len(finite) if finite else None

"""What the isolated check found for one plugin, as plain data that crosses processes.

A :class:`Verdict` travels from the check process to the app as JSON and is kept in the
validation cache, so everything in it is a plain dict, list, str or number.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .validation import Check, ValidationReport


@dataclass
class Verdict:
    """One plugin's check result.

    ``failure`` set: the plugin must not be imported in the app (import failed, it hung,
    exited or crashed); it holds ``stage``, ``message`` and optionally ``activation``,
    ``exception`` and ``traceback``. Otherwise ``activations`` maps each name the hook
    gave to ``{"report": ..., "error": ...}`` (``error`` as in ``failure``, or ``None``).
    ``unchecked`` says why no check ran (the app then validates in its own process).
    """

    failure: dict[str, Any] | None = None
    activations: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unchecked: str | None = None
    cacheable: bool = True

    @property
    def passed(self) -> bool:
        return self.failure is None and self.unchecked is None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def report_to_dict(report: ValidationReport) -> dict[str, Any]:
    return dataclasses.asdict(report)


def report_from_dict(data: dict[str, Any] | None) -> ValidationReport | None:
    """Rebuild a report; fields the current ``ValidationReport`` lacks are dropped."""
    if data is None:
        return None
    check_fields = {f.name for f in dataclasses.fields(Check)}
    report_fields = {f.name for f in dataclasses.fields(ValidationReport)}
    values = {k: v for k, v in data.items() if k in report_fields}
    values["checks"] = [
        Check(**{k: v for k, v in c.items() if k in check_fields}) for c in data.get("checks", [])
    ]
    return ValidationReport(**values)

"""The public lesson type: a claim about activations, the experiment that tests it, the check.

A teacher writes a plugin returning :class:`Lesson` objects from ``actviz_lessons``.
The verdict is always computed from measurements by ``check``; nothing is typed in::

    from actviz import Lesson, hookimpl

    def tanh_beats_linear(m):
        gap = m.value("tanh", "final_metric") - m.value("linear", "final_metric")
        return m.verdict(gap > 0.2, f"tanh is {gap:.2f} more accurate", gap=gap)

    @hookimpl
    def actviz_lessons():
        return [Lesson(
            name="my_lesson", title="Non-linearity matters",
            claim="A tanh network solves XOR; a linear one cannot.",
            explanation="A stack of linear layers is one linear map.",
            preset={"task": "xor", "activations": ["linear", "tanh"], "steps": 400},
            check=tanh_beats_linear,
        )]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .jsonable import jsonable
from .measurements import Measurements
from .verdict import Verdict

if TYPE_CHECKING:  # the context imports the training engine; only its type is needed here
    from .context import LessonContext

BUDGETS: tuple[str, ...] = ("quick", "full")


@dataclass
class Lesson:
    """One claim and the experiment that tests it.

    :param name: unique id, lower-case (``actviz lesson NAME``).
    :param claim: the claim in one sentence, as a textbook states it.
    :param explanation: why it should hold, in a few sentences.
    :param check: ``Measurements -> Verdict``; must decide from the measured numbers.
    :param preset: the experiment's settings. With no ``measure`` these are
        :class:`~actviz.training.RaceConfig` fields (task, activations, hidden, init,
        optimizer, lr, steps, seeds ...) and the lesson is one race; with ``measure``
        they are whatever that function reads from ``ctx.settings``.
    :param budgets: per budget (``quick`` for tests, ``full`` for the real run) the
        settings that override ``preset``; a missing budget uses the preset as it is.
    :param measure: ``LessonContext -> Measurements`` for lessons that are not one
        plain race (several races, the deep-signal statistics, timings).
    :param view: the panel where the effect is best explored further.
    """

    name: str
    title: str
    claim: str
    explanation: str
    check: Callable[[Measurements], Verdict]
    preset: Mapping[str, Any] = field(default_factory=dict)
    budgets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    measure: Callable[[LessonContext], Measurements] | None = None
    view: str = "playground"
    references: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("a lesson needs a non-empty name")
        if self.name != self.name.lower() or not self.name.replace("_", "a").isalnum():
            raise ValueError(f"lesson name {self.name!r} must be lower-case letters, digits, '_'")
        for label in ("title", "claim", "explanation"):
            if not str(getattr(self, label)).strip():
                raise ValueError(f"lesson {self.name!r}: {label} is empty")
        if not callable(self.check):
            raise TypeError(f"lesson {self.name!r}: check is not callable")
        if self.measure is not None and not callable(self.measure):
            raise TypeError(f"lesson {self.name!r}: measure is not callable")
        if self.measure is None and not self.preset.get("activations"):
            raise ValueError(f"lesson {self.name!r}: a race preset needs 'activations'")
        unknown = set(self.budgets) - set(BUDGETS)
        if unknown:
            raise ValueError(f"lesson {self.name!r}: unknown budgets {sorted(unknown)}")
        self.preset = dict(self.preset)
        self.budgets = {k: dict(v) for k, v in self.budgets.items()}
        self.references = tuple(self.references)

    def settings(self, budget: str = "full") -> dict[str, Any]:
        """The preset with ``budget``'s overrides applied."""
        if budget not in BUDGETS:
            raise ValueError(f"unknown budget {budget!r}; use one of {', '.join(BUDGETS)}")
        return {**self.preset, **self.budgets.get(budget, {})}

    def metadata(self) -> dict[str, Any]:
        """JSON-friendly description (no callables)."""
        return {
            "name": self.name,
            "title": self.title,
            "claim": self.claim,
            "explanation": self.explanation,
            "view": self.view,
            "kind": "race" if self.measure is None else "custom",
            "preset": jsonable(self.preset),
            "budgets": jsonable(self.budgets),
            "references": list(self.references),
        }

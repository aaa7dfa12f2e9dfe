"""Run a lesson: measure (a race or the lesson's own function), then check, then report.

Used the same way by ``actviz lesson`` and the Lessons panel's worker thread; a
measurement or check that raises becomes an ``error`` result, never a verdict.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..api import Activation
from ..training.task import Task
from .context import LessonContext, LessonStopped, ProgressFn
from .jsonable import jsonable
from .lesson import Lesson
from .measurements import Measurements
from .verdict import Verdict

STATUSES = ("done", "stopped", "error")


@dataclass
class LessonResult:
    """One run of a lesson. ``verdict`` is ``None`` unless ``status`` is ``done``."""

    lesson: str
    title: str
    claim: str
    budget: str
    status: str
    seconds: float
    verdict: Verdict | None = None
    measurements: Measurements | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    devices: list[str] = field(default_factory=list)
    error: str | None = None
    traceback: str | None = None
    data_seed: int | None = None
    model_seed: int | None = None

    @property
    def holds(self) -> bool | None:
        return None if self.verdict is None else self.verdict.holds

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``actviz lesson NAME --json``."""
        return {
            "lesson": self.lesson,
            "title": self.title,
            "claim": self.claim,
            "budget": self.budget,
            "status": self.status,
            "holds": self.holds,
            "seconds": round(self.seconds, 3),
            "verdict": self.verdict.to_dict() if self.verdict is not None else None,
            "measurements": self.measurements.to_dict() if self.measurements else None,
            "settings": jsonable(self.settings),
            "devices": list(self.devices),
            "data_seed": self.data_seed,
            "model_seed": self.model_seed,
            "error": self.error,
        }


def measure_lesson(lesson: Lesson, ctx: LessonContext) -> Measurements:
    """The lesson's measurements: its own ``measure`` or the race of its preset."""
    if lesson.measure is not None:
        measured = lesson.measure(ctx)
        if not isinstance(measured, Measurements):
            raise TypeError(
                f"lesson {lesson.name!r}: measure returned {type(measured).__name__}, "
                "expected Measurements"
            )
        return measured
    return ctx.race(lesson.name).summary()


def run_lesson(
    lesson: Lesson,
    activations: Mapping[str, Activation],
    tasks: Mapping[str, Task],
    *,
    budget: str = "full",
    device: str = "auto",
    on_progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
    data_seed: int | None = None,
    model_seed: int | None = None,
) -> LessonResult:
    """Measure ``lesson`` at ``budget`` and compute its verdict from the measurements.

    ``data_seed`` and ``model_seed`` replace the preset's seeds (see :class:`LessonContext`).
    """
    settings = lesson.settings(budget)
    ctx = LessonContext(
        settings,
        activations,
        tasks,
        budget=budget,
        device=device,
        on_progress=on_progress,
        should_stop=should_stop,
        data_seed=data_seed,
        model_seed=model_seed,
    )
    result = LessonResult(
        lesson=lesson.name,
        title=lesson.title,
        claim=lesson.claim,
        budget=budget,
        status="error",
        seconds=0.0,
        settings=settings,
        data_seed=data_seed,
        model_seed=model_seed,
    )
    start = time.perf_counter()
    try:
        result.measurements = measure_lesson(lesson, ctx)
        verdict = lesson.check(result.measurements)
        if not isinstance(verdict, Verdict):
            raise TypeError(
                f"lesson {lesson.name!r}: check returned {type(verdict).__name__}, expected Verdict"
            )
        result.verdict = verdict
        result.status = "done"
    except LessonStopped:
        result.status = "stopped"
        result.measurements = None
    except Exception as exc:  # noqa: BLE001 - a lesson plugin may raise anything
        result.error = f"{type(exc).__name__}: {exc}"
        result.traceback = traceback.format_exc()
    result.seconds = time.perf_counter() - start
    result.devices = sorted(ctx.devices_used)
    if on_progress is not None and result.status == "done":
        on_progress(1.0, "done")
    return result

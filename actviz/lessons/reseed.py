"""Re-seeding a lesson: run it on seed pairs it was not tuned on and count how often it holds.

A claim that holds only for its preset seeds teaches something false, so "holds in k
of N" is the honest verdict. Presets use data seed 0 and model seeds ``0..n-1``; the
fresh pairs here never touch either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..api import Activation
from ..training.task import Task
from .context import ProgressFn
from .lesson import Lesson
from .runner import LessonResult, run_lesson

#: Fresh model seeds start here and step by this much per pair: far from presets' 0..n-1.
MODEL_SEED_BASE = 1000
MODEL_SEED_STEP = 100


def fresh_seed_pairs(count: int, start: int = 0) -> list[tuple[int, int]]:
    """``count`` (data seed, first model seed) pairs, none used by a preset.

    Pair ``i`` is ``(1 + i, 1000 + 100 i)``; ``start`` skips the first pairs, so a test
    can use pairs a lesson was not tuned on.
    """
    if count < 1:
        raise ValueError(f"re-seed count must be at least 1, got {count}")
    if start < 0:
        raise ValueError(f"first pair must be >= 0, got {start}")
    return [(1 + i, MODEL_SEED_BASE + MODEL_SEED_STEP * i) for i in range(start, start + count)]


@dataclass
class ReseedResult:
    """One lesson run on several fresh seed pairs."""

    lesson: str
    budget: str
    results: list[LessonResult] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.results)

    @property
    def holds_in(self) -> int:
        """Seed pairs where the claim held (an error or a stop counts as not holding)."""
        return sum(r.holds is True for r in self.results)

    @property
    def status(self) -> str:
        """``done`` when every pair gave a verdict, else the first pair's other status."""
        other = [r.status for r in self.results if r.status != "done"]
        return other[0] if other else "done"

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.results)

    def text(self) -> str:
        """``holds in 4 of 5 seed pairs``."""
        return f"holds in {self.holds_in} of {self.count} seed pairs"

    def to_dict(self) -> dict[str, Any]:
        return {
            "lesson": self.lesson,
            "budget": self.budget,
            "status": self.status,
            "reseed": self.count,
            "holds_in": self.holds_in,
            "seconds": round(self.seconds, 3),
            "pairs": [
                {
                    "data_seed": r.data_seed,
                    "model_seed": r.model_seed,
                    "status": r.status,
                    "holds": r.holds,
                    "summary": r.verdict.summary if r.verdict else r.error,
                    "numbers": r.verdict.to_dict()["numbers"] if r.verdict else None,
                }
                for r in self.results
            ],
        }


def reseed_lesson(
    lesson: Lesson,
    activations: Mapping[str, Activation],
    tasks: Mapping[str, Task],
    count: int,
    *,
    start: int = 0,
    budget: str = "full",
    device: str = "auto",
    on_progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ReseedResult:
    """Run ``lesson`` on ``count`` fresh seed pairs (see :func:`fresh_seed_pairs`)."""
    pairs = fresh_seed_pairs(count, start)
    out = ReseedResult(lesson.name, budget)
    for i, (data_seed, model_seed) in enumerate(pairs):

        def part(fraction: float, text: str, i: int = i) -> None:
            if on_progress is not None:
                on_progress((i + fraction) / count, f"seed pair {i + 1}/{count}: {text}")

        result = run_lesson(
            lesson,
            activations,
            tasks,
            budget=budget,
            device=device,
            on_progress=part,
            should_stop=should_stop,
            data_seed=data_seed,
            model_seed=model_seed,
        )
        out.results.append(result)
        if result.status == "stopped":
            break
    return out

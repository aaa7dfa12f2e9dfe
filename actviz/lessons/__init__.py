"""Lessons: classic claims about activations as experiments whose verdict is measured.

Qt-free: the CLI, the tests and the Lessons panel's worker thread all use
:func:`run_lesson`. Lessons come from plugins (hook ``actviz_lessons``).
"""

from .context import LessonContext, LessonStopped
from .lesson import BUDGETS, Lesson, Verdict
from .measurements import Curve, Measurements, Plot
from .race_summary import RaceRun
from .reseed import ReseedResult, fresh_seed_pairs, reseed_lesson
from .runner import LessonResult, measure_lesson, run_lesson

__all__ = [
    "BUDGETS",
    "Curve",
    "Lesson",
    "LessonContext",
    "LessonResult",
    "LessonStopped",
    "Measurements",
    "Plot",
    "RaceRun",
    "ReseedResult",
    "Verdict",
    "fresh_seed_pairs",
    "measure_lesson",
    "reseed_lesson",
    "run_lesson",
]

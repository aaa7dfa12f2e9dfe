"""Every built-in lesson at its full budget (minutes on a CPU): run with ACTVIZ_SLOW=1."""

from __future__ import annotations

import os

import pytest
import torch

from actviz.lessons import run_lesson

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("ACTVIZ_SLOW") != "1", reason="full lesson budgets: set ACTVIZ_SLOW=1"
    ),
]


def test_every_lesson_holds_at_full_budget(builtin_catalogue):
    torch.set_num_threads(1)
    cat = builtin_catalogue
    report, failed = [], []
    for name, lesson in cat.lessons.items():
        result = run_lesson(lesson, cat.activations, cat.tasks, budget="full", device="cpu")
        report.append(f"{name}: {result.status} holds={result.holds} {result.seconds:.1f}s")
        if result.status != "done" or not result.holds:
            summary = result.verdict.summary if result.verdict else result.error
            failed.append(f"{name}: {summary}")
    print("\n".join(report))
    assert not failed, "\n".join(failed)

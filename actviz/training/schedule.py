"""When a race evaluates, and how many steps a run took to reach a threshold.

The default evaluation steps form one fixed grid, whatever the race's length: every 5
steps up to 500, every 25 up to 2,500, every 100 up to 10,000, then every 500. So the
same race stopped at 300 or run to 600 steps is evaluated at the same steps up to 300,
and steps to a threshold (interpolated linearly between the two evaluations around the
crossing) comes out the same for both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

#: (up to this step, evaluate every this many steps); beyond the last, every 500.
GRID = ((500, 5), (2500, 25), (10_000, 100))
LAST_EVERY = 500


def grid_interval(step: int) -> int:
    """The spacing of the fixed evaluation grid around ``step``."""
    for limit, every in GRID:
        if step <= limit:
            return every
    return LAST_EVERY


def on_grid(step: int) -> bool:
    """Whether the fixed grid evaluates at ``step`` (step 0 always is)."""
    return step % grid_interval(step) == 0


def steps_to_threshold(
    history: Sequence[Mapping[str, Any]], threshold: float, key: str = "test_metric"
) -> float | None:
    """Steps until ``key`` first reached ``threshold``, interpolated between evaluations.

    ``None`` when it never did. The value at step 0 counts: a run that starts above the
    threshold took 0 steps.
    """
    previous: tuple[float, float] | None = None
    for row in history:
        value = row.get(key)
        if key == "test_metric" and value is None:
            value = row.get("train_metric")
        if not _finite(value):
            continue
        step, value = float(row["step"]), float(value)
        if value >= threshold:
            if previous is None or previous[1] >= threshold:
                return step
            (s0, v0), s1 = previous, step
            return s0 + (threshold - v0) / (value - v0) * (s1 - s0)
        previous = (step, value)
    return None


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

"""The snapshots of one race, in step order, within a memory budget.

Snapshots arrive at every evaluation (a fixed step grid, finer early on). When the
kept ones pass the budget, every second one is dropped, keeping the first and the
newest: the timeline then stays evenly spread over the race however long it runs,
and its memory stays under the budget.
"""

from __future__ import annotations

import bisect

from .snapshots import Snapshot

#: Default memory budget of a timeline: far above a toy race's needs (a 20,000-step,
#: 40-run race of 2-8-8-1 networks is about 5 MB), a bound for wide networks.
BUDGET_BYTES = 64 * 1024 * 1024


class Timeline:
    """Snapshots by step; see the module docstring."""

    def __init__(self, budget_bytes: int = BUDGET_BYTES) -> None:
        self.budget_bytes = int(budget_bytes)
        self._steps: list[int] = []
        self._snaps: list[Snapshot] = []
        self._bytes = 0
        #: how many snapshots were dropped to stay within the budget
        self.thinned = 0

    def __len__(self) -> int:
        return len(self._snaps)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def steps(self) -> list[int]:
        return list(self._steps)

    def add(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` (replacing one at the same step), then thin to the budget."""
        i = bisect.bisect_left(self._steps, snapshot.step)
        if i < len(self._steps) and self._steps[i] == snapshot.step:
            self._bytes -= self._snaps[i].nbytes()
            self._snaps[i] = snapshot
        else:
            self._steps.insert(i, snapshot.step)
            self._snaps.insert(i, snapshot)
        self._bytes += snapshot.nbytes()
        while self._bytes > self.budget_bytes and len(self._snaps) > 2:
            self._thin()

    def _thin(self) -> None:
        keep = list(range(0, len(self._snaps) - 1, 2)) + [len(self._snaps) - 1]
        self.thinned += len(self._snaps) - len(keep)
        self._steps = [self._steps[i] for i in keep]
        self._snaps = [self._snaps[i] for i in keep]
        self._bytes = sum(s.nbytes() for s in self._snaps)

    def at(self, step: int) -> Snapshot | None:
        """The snapshot at ``step``, else the latest one before it (the first if none)."""
        if not self._snaps:
            return None
        i = bisect.bisect_right(self._steps, step) - 1
        return self._snaps[max(i, 0)]

    def latest(self) -> Snapshot | None:
        return self._snaps[-1] if self._snaps else None

    def first(self) -> Snapshot | None:
        return self._snaps[0] if self._snaps else None

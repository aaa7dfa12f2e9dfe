"""The snapshots of one race, in step order, within a memory budget.

Snapshots arrive at every evaluation (a fixed step grid, finer early on). When the
kept ones pass the budget, the snapshot whose removal leaves the shortest gap between
its neighbours is dropped (never the first or the newest), until it fits: the timeline
then stays evenly spread over the race's steps however long it runs, and its memory
stays under the budget. (Halving the list each time instead thins the oldest part
again and again while the newest stays dense.)
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
            self._drop_one()

    def _drop_one(self) -> None:
        """Drop the inner snapshot whose neighbours are closest (the older on a tie)."""
        steps = self._steps
        i = min(range(1, len(steps) - 1), key=lambda k: (steps[k + 1] - steps[k - 1], k))
        self._bytes -= self._snaps[i].nbytes()
        del self._steps[i]
        del self._snaps[i]
        self.thinned += 1

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

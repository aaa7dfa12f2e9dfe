"""A race's history seen at a past step: its timeline, the grid of the seed shown, and
statuses as they were then (a seed that diverged later was still healthy)."""

from __future__ import annotations

import numpy as np

from actviz.analysis.race_history import RaceHistory
from actviz.training.config import RaceConfig
from actviz.training.engine import race
from actviz.training.events import Diverged, Evaluation, Started


def test_a_history_keeps_the_timeline_and_reads_any_step(builtin_catalogue):
    cat = builtin_catalogue
    cfg = RaceConfig(task="moons", activations=["relu", "tanh"], seeds=3, steps=60, eval_every=20)
    history = RaceHistory()
    evaluations = []
    current = race(cfg, cat.activations, cat.tasks["moons"], snapshots=True)
    current.hold_at(20)  # a held step always carries its grid, to compare with
    for event in current:
        if isinstance(event, Started):
            history.start(event)
        elif isinstance(event, Evaluation):
            history.add(event)
            evaluations.append(event)
    assert history.timeline.steps() == [0, 20, 40, 60]
    assert history.snapshot_at().step == 60 and history.snapshot_at(45).step == 40
    at_20 = evaluations[1]
    for name in ("relu", "tanh"):
        member = history.median_member(name, 20)
        run = history.run_of(member)
        # the median at step 20 is ranked by the metrics of step 20
        values = sorted(
            (at_20.metrics[r]["test_metric"], -history.members[r].seed)
            for r, m in enumerate(history.members)
            if m.activation == name
        )
        assert (member.latest("test_metric", 20), -member.seed) == values[1]
        grid = history.grid_at(run, 20, "bce")
        np.testing.assert_allclose(grid, at_20.grids[run], atol=1e-5)
        assert history.grid_at(run, 20, "bce") is grid  # cached: scrubbing back is free

    # a seed that diverges at step 50 was healthy at 40 and is diverged from 50 on
    history.add(Diverged(run=1, activation="relu", seed=1, step=50))
    assert history.status_of("relu", 40) == history.members[0].status
    assert history.status_of("relu", 50) == "diverged 1/3"
    assert history.status_of("relu") == "diverged 1/3"

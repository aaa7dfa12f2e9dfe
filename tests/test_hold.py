"""Stepping a race: ``Race.hold_at`` holds it after exactly the asked step, with that
step evaluated (grid and snapshot); scrubbed grids recomputed from snapshots are the
grids the race drew; a long race's timeline stays within its budget."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from actviz.training.config import RaceConfig
from actviz.training.engine import race
from actviz.training.events import Evaluation, Finished, Held
from actviz.training.snapshot_grid import grid_points, snapshot_grid
from actviz.training.timeline import Timeline


def _until_held(current):
    """Pull events up to and including the next Held; the evaluations met on the way."""
    seen = []
    for event in current:
        seen.append(event)
        if isinstance(event, Held):
            return event, seen
        assert not isinstance(event, Finished), "the race ended before holding"
    raise AssertionError("the race ended before holding")


def test_a_held_race_stops_after_exactly_that_step_with_the_step_evaluated(builtin_catalogue):
    cat = builtin_catalogue
    cfg = RaceConfig(task="moons", activations=["relu", "tanh"], seeds=2, steps=500)
    current = race(cfg, cat.activations, cat.tasks["moons"], snapshots=True)
    current.hold_at(7)  # off the evaluation grid
    held, seen = _until_held(current)
    assert held.step == 7 and current.result.steps_done == 7
    last = seen[-2]
    assert isinstance(last, Evaluation) and last.step == 7
    assert last.grids is not None and last.grids.shape == (4, 48, 48)
    assert last.snapshot is not None and last.snapshot.step == 7
    assert all(m is not None and m["step"] == 7 for m in last.metrics)

    # the consumer decides: three steps more, then one more on an evaluation step
    current.hold_at(10)
    held, seen = _until_held(current)
    assert held.step == 10
    evals = [e for e in seen if isinstance(e, Evaluation)]
    assert [e.step for e in evals] == [10]  # evaluated once, though 10 is on the grid
    assert evals[0].grids is not None and evals[0].snapshot.step == 10
    first = evals[0].grids.copy()
    current.hold_at(11)
    held, seen = _until_held(current)
    grids = next(e.grids for e in seen if isinstance(e, Evaluation))
    assert held.step == 11 and not np.array_equal(grids, first)  # the boundary moved

    # a held race can still be stopped, and keeps what it reached
    current.stop()
    rest = list(current)
    assert isinstance(rest[-1], Finished)
    assert current.result.status == "stopped" and current.result.steps_done == 11
    assert all(r.history[-1]["step"] == 11 for r in current.result.runs)
    assert all(r.final_grid is not None for r in current.result.runs)


def test_hold_at_can_be_asked_from_another_thread_and_cancelled(builtin_catalogue):
    cat = builtin_catalogue
    cfg = RaceConfig(task="moons", activations=["relu"], seeds=1, steps=60, eval_every=20)
    current = race(cfg, cat.activations, cat.tasks["moons"])
    asker = threading.Thread(target=current.hold_at, args=(25,))
    asker.start()
    asker.join()
    held, _ = _until_held(current)
    assert held.step == 25
    current.hold_at(40)
    current.hold_at(None)  # cancelled: the race runs to its end without holding
    rest = list(current)
    assert not any(isinstance(e, Held) for e in rest)
    assert current.result.status == "finished" and current.result.steps_done == 60


def test_a_hold_beyond_the_last_step_lets_the_race_finish(builtin_catalogue):
    cat = builtin_catalogue
    cfg = RaceConfig(task="moons", activations=["relu"], seeds=1, steps=30)
    current = race(cfg, cat.activations, cat.tasks["moons"])
    current.hold_at(31)
    events = list(current)
    assert not any(isinstance(e, Held) for e in events)
    assert current.result.status == "finished"


@pytest.mark.parametrize(
    ("task", "extra"),
    [
        ("moons", {}),
        ("spiral3", {}),
        ("sine", {}),
        ("circles", {"features": ["x1sq", "x2sq", "sinx1"], "l2": 1e-3}),
        ("xor", {"activations": ["relu>tanh", "gelu"], "features": ["x1x2"]}),
    ],
)
def test_a_grid_recomputed_from_a_snapshot_is_the_grid_the_race_drew(
    builtin_catalogue, task, extra
):
    cat = builtin_catalogue
    if task not in cat.tasks:
        pytest.skip(f"no {task} task")
    settings = {"activations": ["relu", "tanh"], **extra}
    cfg = RaceConfig(task=task, seeds=2, steps=60, eval_every=20, **settings)
    current = race(cfg, cat.activations, cat.tasks[task], snapshots=True)
    events = list(current)
    started = events[0]
    evaluations = [e for e in events if isinstance(e, Evaluation) and e.grids is not None]
    assert len(evaluations) >= 2
    features = cfg.features
    points = grid_points(started.grid_axes)
    loss = cat.tasks[task].loss
    for evaluation in evaluations:
        for run in range(len(current.runs)):
            mine = snapshot_grid(
                evaluation.snapshot, run, started.grid_axes, loss, features, points
            )
            assert mine.shape == evaluation.grids[run].shape
            np.testing.assert_allclose(mine, evaluation.grids[run], atol=1e-5)
    # and the early grid differs from the last one: the comparison can fail
    assert not np.allclose(evaluations[0].grids, evaluations[-1].grids, atol=1e-3)


def test_the_timeline_of_a_long_race_stays_within_its_budget(builtin_catalogue):
    cat = builtin_catalogue
    cfg = RaceConfig(task="moons", activations=["relu", "tanh"], seeds=2, steps=3000)
    current = race(cfg, cat.activations, cat.tasks["moons"], snapshots=True)
    one = None
    timeline = None
    count = 0
    for event in current:
        if isinstance(event, Evaluation):
            if timeline is None:
                one = event.snapshot.nbytes()
                timeline = Timeline(budget_bytes=12 * one)
            timeline.add(event.snapshot)
            count += 1
            assert timeline.nbytes <= timeline.budget_bytes
    assert count > 24  # the budget really was exceeded and thinned
    assert timeline.thinned == count - len(timeline)
    steps = timeline.steps()
    assert steps[0] == 0 and steps[-1] == 3000
    assert 6 <= len(timeline) <= 12
    assert timeline.nbytes == sum(timeline.at(s).nbytes() for s in steps)
    # the kept steps still cover the race: no gap longer than a third of it
    assert max(np.diff(steps)) <= 1000

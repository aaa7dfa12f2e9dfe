"""Snapshots and the timeline: a race's networks at any recorded step, exactly."""

from __future__ import annotations

import pytest
import torch

from actviz.training.config import RaceConfig
from actviz.training.engine import race
from actviz.training.events import Evaluation
from actviz.training.timeline import Timeline


@pytest.fixture(scope="module")
def raced(builtin_catalogue):
    catalogue = builtin_catalogue
    names = ["relu", "tanh", "prelu"]
    cfg = RaceConfig(
        task="moons", activations=names, seeds=2, steps=60, eval_every=20, vary="init"
    )  # one shared draw: the forward below feeds _x_train to every model
    current = race(cfg, catalogue.activations, catalogue.tasks["moons"], snapshots=True)
    evaluations = [e for e in current if isinstance(e, Evaluation)]
    return current, evaluations


def test_every_evaluation_carries_the_networks_at_its_step(raced):
    current, evaluations = raced
    assert [e.step for e in evaluations] == [0, 20, 40, 60]
    assert all(e.snapshot is not None and e.snapshot.step == e.step for e in evaluations)
    x = current._x_train.cpu()
    last = evaluations[-1].snapshot
    for stack in current.stacks:
        with torch.no_grad():
            out, _ = stack.forward(current._x_train, train=False)
        for local, run in enumerate(stack.run_ids):
            with torch.no_grad():
                one, layers = last.model(run).forward(x, train=False, record=True)
            assert torch.equal(one[0], out[local].cpu())
            assert len(layers) == 2


def test_snapshots_are_copies_that_training_does_not_move(raced):
    _, evaluations = raced
    first, last = evaluations[0].snapshot, evaluations[-1].snapshot
    w0 = first.run_params(0).weights[0]
    w1 = last.run_params(0).weights[0]
    assert not torch.equal(w0, w1)  # trained in between
    # learnable activation parameters are kept per run too (prelu's slope moved)
    prelu_run = 4
    a0 = first.run_params(prelu_run).learnable
    a1 = last.run_params(prelu_run).learnable
    assert a0 and set(a0) == set(a1)
    name = next(iter(a0))
    assert not torch.equal(a0[name][0], a1[name][0])


def test_a_race_without_snapshots_carries_none(builtin_catalogue):
    catalogue = builtin_catalogue
    cfg = RaceConfig(task="moons", activations=["relu"], seeds=1, steps=5, eval_every=5)
    events = list(race(cfg, catalogue.activations, catalogue.tasks["moons"]))
    assert all(e.snapshot is None for e in events if isinstance(e, Evaluation))


def test_timeline_keeps_its_budget_and_spreads_over_the_race(raced):
    _, evaluations = raced
    one = evaluations[0].snapshot.nbytes()
    timeline = Timeline(budget_bytes=3 * one)
    for k in range(40):
        snap = evaluations[k % 4].snapshot
        timeline.add(type(snap)(k * 10, snap.stacks))
    assert timeline.nbytes <= 3 * one
    steps = timeline.steps()
    assert steps[0] == 0 and steps[-1] == 390
    assert timeline.thinned == 40 - len(timeline)
    assert timeline.at(395).step == 390
    assert timeline.at(-5).step == 0
    assert timeline.at(steps[1] + 1).step == steps[1]


def test_a_per_layer_run_with_features_forwards_from_its_snapshot(builtin_catalogue):
    catalogue = builtin_catalogue
    cfg = RaceConfig(
        task="moons",
        activations=["relu>tanh", "prelu>elu"],
        seeds=2,
        steps=40,
        eval_every=20,
        features=["x1sq", "x1x2"],
        vary="init",  # one shared draw, fed to every model below
    )
    current = race(cfg, catalogue.activations, catalogue.tasks["moons"], snapshots=True)
    last = [e for e in current if isinstance(e, Evaluation)][-1].snapshot
    x = current._x_train
    assert x.shape[0] == 4  # x1, x2 and the two features
    for stack in current.stacks:
        with torch.no_grad():
            out, _ = stack.forward(x, train=False)
        for local, run in enumerate(stack.run_ids):
            model = last.model(run)
            with torch.no_grad():
                one, layers = model.forward(x.cpu(), train=False, record=True)
            assert torch.equal(one[0], out[local].cpu())
            (z1, h1), (z2, h2) = layers
            if current.runs[run].activation == "relu>tanh":
                assert torch.equal(h1, torch.relu(z1)) and torch.equal(h2, torch.tanh(z2))
            else:
                seg = model.segments[0]
                assert seg.layer_activation(0).name == "prelu"
                assert seg.layer_activation(1).name == "elu"
                assert set(last.run_params(run).learnable) == {"a@0"}

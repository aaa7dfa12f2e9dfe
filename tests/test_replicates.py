"""A seed is a replicate: with vary="all" it draws its own data and weights, still paired."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actviz.training import RaceConfig, race, run_race
from actviz.training.replicates import data_seed_of, init_seed_of, label
from actviz.training.runinfo import describe_config


def _race(cat, **kw):
    config = RaceConfig(**{"task": "moons", "boundary_grid": 0, "steps": 30, **kw})
    acts = {n: cat.activations[n] for n in config.activations}
    return config, acts, cat.tasks[config.task]


def test_each_seed_draws_its_own_data_and_every_activation_shares_it(builtin_catalogue):
    config, acts, task = _race(builtin_catalogue, activations=["relu", "tanh"], seeds=3)
    current = race(config, acts, task)
    next(current)  # Started: the data is set up
    x = current._x_train
    assert x.shape[0] == 3  # [seeds, inputs, points]
    assert not torch.equal(x[0], x[1]) and not torch.equal(x[1], x[2])
    (picks,) = current._picks  # one stack: relu seeds 0-2 then tanh seeds 0-2
    assert picks.tolist() == [0, 1, 2, 0, 1, 2]
    expected = task.generate(None, None, data_seed_of("all", 0, 1))
    assert torch.equal(x[1], expected.x_train.t())
    current.close()


def test_a_model_trained_in_a_per_seed_race_equals_it_trained_alone(builtin_catalogue):
    """Seed 2 of a vary="all" race is the race of that seed's own data draw, alone (full
    batch: minibatches take the same positions in every draw, whose order is random)."""
    config, acts, task = _race(builtin_catalogue, activations=["relu", "tanh"], seeds=3)
    together = run_race(config, acts, task)
    alone_cfg, _, _ = _race(
        builtin_catalogue,
        activations=["tanh"],
        seeds=[2],
        vary="init",
        data_seed=data_seed_of("all", 0, 2),
    )
    alone = run_race(alone_cfg, {"tanh": acts["tanh"]}, task)
    (member,) = [r for r in together.runs if r.activation == "tanh" and r.seed == 2]
    assert member.final_loss == pytest.approx(alone.runs[0].final_loss, rel=1e-4)


def test_vary_init_shares_one_draw_and_vary_data_one_start(builtin_catalogue):
    config, acts, task = _race(builtin_catalogue, activations=["relu"], seeds=3, vary="init")
    current = race(config, acts, task)
    next(current)
    assert current._x_train.ndim == 2 and current._picks == [None]
    current.close()
    config, acts, task = _race(builtin_catalogue, activations=["relu"], seeds=3, vary="data")
    current = race(config, acts, task)
    next(current)
    w = current.stacks[0].weights[0]
    assert torch.equal(w[0], w[1]) and torch.equal(w[1], w[2])
    assert current._x_train.shape[0] == 3
    current.close()
    assert init_seed_of("data", 7) == init_seed_of("data", 8)


def test_data_seeds_differ_per_seed_and_per_race():
    seeds = {data_seed_of("all", d, s) for d in range(5) for s in range(20)}
    assert len(seeds) == 100
    assert data_seed_of("init", 4, 9) == 4


def test_regression_and_minibatches_train_per_seed(builtin_catalogue):
    config, acts, task = _race(
        builtin_catalogue, task="sine", activations=["tanh"], seeds=3, batch_size=16
    )
    result = run_race(config, acts, task)
    r2 = [r.final_metric for r in result.runs]
    assert all(v is not None for v in r2) and len(set(r2)) == 3


def test_stored_configs_without_vary_read_as_init_and_say_so():
    old = RaceConfig().to_dict()
    del old["vary"]
    assert RaceConfig.from_dict(old).vary == "init"
    assert RaceConfig().vary == "all"
    assert describe_config(old).endswith("varies: init only")
    assert label("all") == "varies: data and init"
    assert RaceConfig(vary="bogus").validate() == [
        "vary: must be one of all, init, data, got 'bogus'"
    ]


def test_cli_train_takes_vary_and_says_what_varied(run_cli):
    code, out, _ = run_cli(
        "train", "--activations", "relu", "--seeds", "2", "--steps", "5", "--no-store",
        "--device", "cpu", "--vary", "init", "--grid", "0",
    )  # fmt: skip
    assert code == 0 and "varies: init only" in out
    code, _, err = run_cli("train", "--vary", "everything", "--no-store")
    assert code == 2 and "--vary" in err and "invalid choice" in err


def test_started_carries_each_seeds_draw_for_the_inside_view(builtin_catalogue):
    from actviz.analysis.inside import inside
    from actviz.training.events import Evaluation, Started

    config, acts, task = _race(builtin_catalogue, activations=["relu"], seeds=2, steps=20)
    config.boundary_grid = 16
    events = list(race(config, acts, task, snapshots=True))
    started = next(e for e in events if isinstance(e, Started))
    last = [e for e in events if isinstance(e, Evaluation)][-1]
    by_seed = started.data["x_train_by_seed"]
    for seed in (0, 1):  # the very draw each seed trained on
        own = task.generate(None, None, data_seed_of("all", 0, seed)).x_train.numpy()
        np.testing.assert_array_equal(by_seed[seed], own)
    for run in (0, 1):  # seen on its own draw, a run has the dead units the engine recorded
        seen = inside(last.snapshot, run, started.config, by_seed[run], started.grid_axes)
        recorded = last.metrics[run]["dead_fraction"]
        assert [float(layer.dead.mean()) for layer in seen.layers] == pytest.approx(recorded)

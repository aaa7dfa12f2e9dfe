"""Weight penalties, extra input features and a different activation per layer, in real
races: what a teacher would point at (smaller weights, sparser weights, circles made
easy by x1² and x2², relu then tanh inside one network), and how each is stored."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import torch

from actviz.training.config import RaceConfig
from actviz.training.engine import race
from actviz.training.events import Evaluation, Started
from actviz.training.layered import LayeredActivation, layered, plugin_names
from actviz.training.metrics import per_model_loss, targets_for


def raced(catalogue, **settings):
    """A finished race, its events and the last snapshot."""
    cfg = RaceConfig(**{"boundary_grid": 0, "vary": "init", **settings})  # one shared draw
    current = race(cfg, catalogue.activations, catalogue.tasks[cfg.task], snapshots=True)
    events = list(current)
    last = [e for e in events if isinstance(e, Evaluation)][-1]
    assert current.result.status == "finished"
    return current, events, last.snapshot


def weights_of(snapshot, run):
    return torch.cat([w.flatten() for w in snapshot.run_params(run).weights])


# -- weight penalties ------------------------------------------------------------------

PENALTY_RACE = dict(task="moons", activations=["relu"], seeds=3, steps=400, hidden=(8, 8))


@pytest.fixture(scope="module")
def penalised(builtin_catalogue):
    return {
        name: raced(builtin_catalogue, **PENALTY_RACE, **values)
        for name, values in {
            "none": {},
            "l2": {"l2": 0.01},
            "l1": {"l1": 0.003},
        }.items()
    }


def test_l2_shrinks_the_weights_of_every_seed(penalised):
    for run in range(3):
        plain = weights_of(penalised["none"][2], run).square().sum()
        shrunk = weights_of(penalised["l2"][2], run).square().sum()
        assert shrunk < 0.5 * plain, (run, float(plain), float(shrunk))


def test_l1_leaves_more_weights_near_zero_than_no_penalty_and_than_l2(penalised):
    def near_zero(key, run):
        return int((weights_of(penalised[key][2], run).abs() < 1e-2).sum())

    for run in range(3):
        assert near_zero("l1", run) > near_zero("none", run) + 20
        assert near_zero("l1", run) > near_zero("l2", run)


def test_penalised_biases_are_free_and_recorded_losses_stay_the_data_loss(penalised):
    current, _, snapshot = penalised["l2"]
    x = current._x_train.cpu()
    y = targets_for(current.task.loss, current.data.y_train)
    for run in range(3):
        with torch.no_grad():
            out, _ = snapshot.model(run).forward(x, train=False)
        data_loss = float(per_model_loss(current.task.loss, out, y)[0])
        recorded = current.result.runs[run].history[-1]["train_loss"]
        assert recorded == pytest.approx(data_loss, rel=1e-5)


def test_one_sgd_step_moves_each_weight_by_the_penalty_gradient_and_no_bias(builtin_catalogue):
    lr, l1, l2 = 0.1, 0.01, 0.05
    settings = dict(
        task="moons", activations=["relu", "prelu"], seeds=2, steps=1, optimizer="sgd", lr=lr
    )
    _, events, plain_end = raced(builtin_catalogue, **settings)
    start = [e for e in events if isinstance(e, Evaluation)][0].snapshot
    _, _, penalised_end = raced(builtin_catalogue, **settings, l1=l1, l2=l2)
    for run in range(4):
        w0, p1, q1 = start.run_params(run), plain_end.run_params(run), penalised_end.run_params(run)
        for before, a, b in zip(w0.weights, p1.weights, q1.weights, strict=True):
            expected = a - lr * (l1 * torch.sign(before) + 2 * l2 * before)
            torch.testing.assert_close(b, expected, rtol=1e-5, atol=1e-7)
        for a, b in zip(p1.biases, q1.biases, strict=True):
            assert torch.equal(a, b)  # biases are not penalised
        for name in p1.learnable:  # nor are activation parameters (prelu's slope)
            assert torch.equal(p1.learnable[name][0], q1.learnable[name][0])


def test_penalties_must_be_numbers_at_least_zero():
    assert "l1: must be a number >= 0" in " ".join(RaceConfig(l1=-0.1).validate())
    assert "l2: must be a number >= 0" in " ".join(RaceConfig(l2=float("nan")).validate())


# -- extra input features --------------------------------------------------------------


def test_circles_with_squared_inputs_beats_the_same_tiny_net_without(builtin_catalogue):
    settings = dict(task="circles", activations=["relu", "tanh"], seeds=5, steps=300, hidden=(2,))
    plain, _, _ = raced(builtin_catalogue, **settings)
    squared, _, _ = raced(builtin_catalogue, **settings, features=["x1sq", "x2sq"])
    for a, b in zip(plain.result.runs, squared.result.runs, strict=True):
        assert (a.activation, a.seed) == (b.activation, b.seed)
        assert b.history[-1]["test_metric"] >= 0.95
        assert b.history[-1]["test_metric"] > a.history[-1]["test_metric"]
    # the tiny net without them is not already there on average
    plain_mean = np.mean([r.history[-1]["test_metric"] for r in plain.result.runs])
    assert plain_mean < 0.85


def test_features_reach_the_network_and_the_decision_grid(builtin_catalogue):
    current, events, snapshot = raced(
        builtin_catalogue,
        task="moons",
        activations=["tanh"],
        seeds=2,
        steps=30,
        features=["x1x2", "sinx1", "sinx2"],
        boundary_grid=24,
    )
    assert current.stacks[0].weights[0].shape[-1] == 2 + 3
    assert snapshot.run_params(0).weights[0].shape == (8, 5)
    started = next(e for e in events if isinstance(e, Started))
    assert started.config["features"] == ["x1x2", "sinx1", "sinx2"]
    assert started.data["x_train"].shape[1] == 2  # the data stays in the plane
    grids = [e.grids for e in events if isinstance(e, Evaluation) and e.grids is not None]
    assert grids and grids[-1].shape == (2, 24, 24)
    assert np.isfinite(grids[-1]).all()
    final = np.asarray(current.result.runs[0].final_grid)
    assert final.shape == (24, 24) and np.isfinite(final).all()
    # the third input column is x1 * x2 of the first two
    x = current._x_train.cpu()
    assert torch.allclose(x[2], x[0] * x[1])


def test_a_one_dimensional_task_with_features_is_refused(builtin_catalogue):
    cfg = RaceConfig(task="sine", activations=["relu"], features=["x1sq"])
    problems = cfg.validate(builtin_catalogue.activations, builtin_catalogue.tasks)
    assert problems == ["features: extra input features need a 2-D task; this one has 1"]
    with pytest.raises(ValueError, match="features"):
        cfg = RaceConfig(task="sine", activations=["relu"], features=["x1sq"])
        list(race(cfg, builtin_catalogue.activations, builtin_catalogue.tasks["sine"]))
    unknown = RaceConfig(features=["x3sq"]).validate()
    assert unknown == ["features: unknown 'x3sq'; known: x1sq, x2sq, x1x2, sinx1, sinx2"]


# -- configurations on disk ------------------------------------------------------------


def test_new_fields_round_trip_and_old_configs_load_with_defaults():
    cfg = RaceConfig(l1=0.001, l2=0.02, features=["x1sq", "sinx2"], activations=["relu>tanh"])
    again = RaceConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg
    old = cfg.to_dict()
    for key in ("l1", "l2", "features"):
        del old[key]
    loaded = RaceConfig.from_dict(old)
    assert (loaded.l1, loaded.l2, loaded.features) == (0.0, 0.0, [])


# -- a different activation per layer --------------------------------------------------


def test_relu_then_tanh_computes_exactly_relu_then_tanh(builtin_catalogue):
    current, _, snapshot = raced(
        builtin_catalogue, task="moons", activations=["relu>tanh", "relu"], seeds=2, steps=50
    )
    x = current._x_train.cpu()
    names = {r.index: r.activation for r in current.runs}
    for run in (0, 1):
        assert names[run] == "relu>tanh"
        with torch.no_grad():
            _, layers = snapshot.model(run).forward(x, train=False, record=True)
        (z1, h1), (z2, h2) = layers
        assert torch.equal(h1, torch.relu(z1))
        assert torch.equal(h2, torch.tanh(z2))
        assert (z2 < 0).any()  # tanh's negative half is used: not relu again
    # the plain relu runs are trained alongside, in the same stack
    assert [r.status for r in current.result.runs] == ["finished"] * 4


def test_each_layer_trains_its_own_learnable_parameter(builtin_catalogue):
    current, _, snapshot = raced(
        builtin_catalogue,
        task="moons",
        activations=["prelu>prelu"],
        params={"prelu": {"a": 0.2}},
        seeds=1,
        steps=200,
    )
    learned = snapshot.run_params(0).learnable
    assert set(learned) == {"a@0", "a@1"}
    first, second = float(learned["a@0"][0].flatten()[0]), float(learned["a@1"][0].flatten()[0])
    assert first != pytest.approx(0.2) and second != pytest.approx(0.2)
    assert first != pytest.approx(second)
    row = current.result.runs[0].history[-1]  # one value per layer, as for plain prelu
    assert row["params"] == {"a": [pytest.approx(first), pytest.approx(second)]}


@pytest.mark.parametrize(
    ("name", "hidden", "message"),
    [
        ("relu>tanh", (8, 8, 8), "relu>tanh names 2 layers but the network has 3 hidden layers"),
        ("relu>softmax", (8, 8), "softmax is a vector activation; only elementwise ones"),
        ("glu>relu", (8, 8), "glu is a gated activation"),
        ("relu>nope", (8, 8), "unknown activation 'nope'"),
        ("relu>", (8, 8), "has an empty part"),
    ],
)
def test_bad_per_layer_names_are_refused_in_one_line(builtin_catalogue, name, hidden, message):
    cfg = RaceConfig(activations=[name], hidden=hidden)
    problems = cfg.validate(builtin_catalogue.activations, builtin_catalogue.tasks)
    assert len(problems) == 1 and message in problems[0]
    assert problems[0].startswith("activations:") and "\n" not in problems[0]


def test_a_parameter_only_one_layer_has_is_recorded_at_that_layer(builtin_catalogue):
    current, _, _ = raced(
        builtin_catalogue, task="moons", activations=["tanh>prelu"], seeds=1, steps=20
    )
    values = current.result.runs[0].history[-1]["params"]["a"]
    assert values[0] is None and isinstance(values[1], float)


def test_parts_take_their_own_parameters(builtin_catalogue):
    act = layered("elu>relu", builtin_catalogue.activations)
    assert isinstance(act, LayeredActivation) and act.name == "elu>relu"
    assert [p.name for p in act.parts] == ["elu", "relu"]
    assert plugin_names(["elu>relu", "relu", "tanh"]) == ["elu", "relu", "tanh"]
    cfg = RaceConfig(activations=["elu>relu"], params={"elu": {"alpha": 0.5}})
    assert cfg.validate(builtin_catalogue.activations, builtin_catalogue.tasks) == []
    current, _, snapshot = raced(builtin_catalogue, **{**cfg.to_dict(), "steps": 5, "seeds": 1})
    assert current.stacks[0].segments[0].kwargs(0) == {"alpha": 0.5}
    x = current._x_train.cpu()
    with torch.no_grad():
        _, layers = snapshot.model(0).forward(x, train=False, record=True)
    z1, h1 = layers[0]
    assert torch.allclose(h1, torch.nn.functional.elu(z1, alpha=0.5))


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 CLI")
def test_cli_stores_a_per_layer_race_under_its_name(run_cli, tmp_path):
    db = tmp_path / "runs.sqlite"
    code, out, err = run_cli(
        "train",
        "--activations", "relu>tanh,relu",
        "--seeds", "2", "--steps", "60", "--hidden", "6,6",
        "--l2", "0.001", "--features", "x1sq,x2sq", "--task", "circles",
        "--db", str(db), "-q",
    )  # fmt: skip
    assert code == 0, err
    names = subprocess.run(
        ["sqlite3", str(db), "SELECT DISTINCT activation FROM members ORDER BY activation"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert names == ["relu", "relu>tanh"]
    config = subprocess.run(
        ["sqlite3", str(db), "SELECT config FROM runs"], capture_output=True, text=True, check=True
    ).stdout
    stored = json.loads(config)
    assert stored["activations"] == ["relu>tanh", "relu"]
    assert stored["l2"] == 0.001 and stored["features"] == ["x1sq", "x2sq"]
    versions = subprocess.run(
        ["sqlite3", str(db), "SELECT versions FROM runs"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert set(json.loads(versions)["plugins"]) == {"relu", "tanh"}  # the parts' plugins


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--l1", "-1"], "l1: must be a number >= 0"),
        (["--features", "x1sq,cube"], "features: unknown 'cube'"),
        (["--task", "sine", "--features", "x1sq"], "extra input features need a 2-D task"),
        (["--activations", "relu>tanh>relu"], "names 3 layers but the network has 2"),
        (["--activations", "relu>nope"], "unknown activation 'nope'"),
    ],
)
def test_cli_refuses_bad_values_in_one_line(run_cli, args, message):
    code, out, err = run_cli("train", "--no-store", "--steps", "5", *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_per_layer_name_has_its_own_stable_colour_apart_from_its_parts():
    from actviz.figures.palette import colour_for

    for name in ("relu>tanh", "tanh>relu", "gelu>sigmoid", "relu>relu>tanh"):
        own = colour_for(name)
        assert own == colour_for(name)  # fixed by the name
        assert all(own != colour_for(part) for part in name.split(">"))
    assert colour_for("relu[a=0.1]") == colour_for("relu")  # sweep variants keep theirs


def test_a_bundle_of_a_features_race_writes_no_reproduce_script_it_cannot_match(
    builtin_catalogue, tmp_path
):
    from actviz.figures.comparison import best_member, write_bundle
    from actviz.training.engine import run_race

    cfg = RaceConfig(
        task="moons", activations=["relu"], seeds=1, steps=10, points=60, l2=0.01, features=["x1sq"]
    )
    run = run_race(cfg, builtin_catalogue.activations, builtin_catalogue.tasks["moons"]).to_dict()
    run.update(id=3, name="features run")
    assert best_member([run], builtin_catalogue.activations) is None
    write_bundle(
        tmp_path, [run], activations=builtin_catalogue.activations, tasks=builtin_catalogue.tasks
    )
    assert not (tmp_path / "reproduce.py").exists()
    assert "extra inputs" in (tmp_path / "README.md").read_text()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_penalties_features_and_per_layer_runs_are_captured_in_the_cuda_graph(
    builtin_catalogue, monkeypatch
):
    settings = dict(
        task="moons", activations=["relu>tanh", "prelu"], seeds=3, steps=200, device="cuda",
        l1=0.001, l2=0.01, features=["x1sq", "sinx2"], batch_size=64,
    )  # fmt: skip
    results = {}
    for graphs in ("1", "0"):
        monkeypatch.setenv("ACTVIZ_CUDA_GRAPHS", graphs)
        results[graphs] = raced(builtin_catalogue, **settings)[0].result
    graphed, eager = results["1"], results["0"]
    assert graphed.strategy.endswith("cuda graph"), graphed.strategy
    for g, e in zip(graphed.runs, eager.runs, strict=True):
        assert g.status == e.status == "finished"
        assert g.history[-1]["train_loss"] == pytest.approx(e.history[-1]["train_loss"], rel=1e-4)


def test_shards_key_and_train_a_per_layer_race_by_its_parts(builtin_catalogue):
    from actviz.benchmark.shards import make_shard, plugin_sources, train_shard

    cat = builtin_catalogue
    by_parts = plugin_sources(cat, ["relu", "tanh"], "moons")
    assert by_parts and plugin_sources(cat, ["relu>tanh"], "moons") == by_parts
    config = RaceConfig(task="moons", activations=["relu>tanh"], seeds=[0, 1], steps=20)
    shard = make_shard(config.to_dict(), cat)
    assert shard.key != make_shard({**config.to_dict(), "activations": ["tanh>relu"]}, cat).key
    trained = train_shard(shard)
    assert [r["activation"] for r in trained["runs"]] == ["relu>tanh", "relu>tanh"]


def test_one_by_one_and_beside_a_gated_activation_give_the_same_per_layer_runs(
    builtin_catalogue,
):
    settings = dict(task="moons", activations=["relu>tanh", "glu"], seeds=2, steps=40)
    batched, _, _ = raced(builtin_catalogue, **settings, strategy="batched")
    looped, _, _ = raced(builtin_catalogue, **settings, strategy="loop")
    for a, b in zip(batched.result.runs, looped.result.runs, strict=True):
        assert a.status == b.status == "finished"
        assert a.history[-1]["train_loss"] == pytest.approx(b.history[-1]["train_loss"], rel=1e-4)


def test_dead_units_are_counted_with_each_layers_own_activation(builtin_catalogue):
    current, _, snapshot = raced(
        builtin_catalogue, task="moons", activations=["relu>tanh"], seeds=3, steps=100,
        lr=0.2, hidden=(16, 16),
    )  # fmt: skip
    x = current._x_train.cpu()
    for run in range(3):
        with torch.no_grad():
            _, layers = snapshot.model(run).forward(x, train=False, record=True)
        z1 = layers[0][0][0]
        dead_relu = float((z1 <= 0).all(dim=1).float().mean())  # never active: no gradient
        recorded = current.result.runs[run].history[-1]["dead_fraction"]
        assert dead_relu > 0  # a learning rate this high kills some relu units
        assert recorded == [pytest.approx(dead_relu), 0.0]  # tanh units are never dead

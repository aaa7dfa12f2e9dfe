"""Metrics that do not depend on run length, each activation's own cost, run names that
say what ran, a leaderboard that only ranks like with like, and configuration diffs."""

from __future__ import annotations

import json
import sqlite3

import pytest

from actviz.analysis.train_cost import training_cost, training_costs
from actviz.figures.comparison import summarise
from actviz.storage import RunStore
from actviz.training import RaceConfig, run_race
from actviz.training.schedule import on_grid, steps_to_threshold


def _race(builtin_catalogue, steps):
    config = RaceConfig(
        task="moons",
        activations=["relu", "tanh"],
        seeds=3,
        steps=steps,
        hidden=(8, 8),
        lr=0.01,
        device="cpu",
        boundary_grid=0,
    )
    cat = builtin_catalogue
    return run_race(config, cat.activations, cat.tasks["moons"]).to_dict()


def test_steps_to_threshold_is_the_same_for_a_short_and_a_long_run(builtin_catalogue):
    short, long = _race(builtin_catalogue, 300), _race(builtin_catalogue, 600)
    a, b = summarise(short, 0.85), summarise(long, 0.85)
    for x, y in zip(a, b, strict=True):
        assert x["reached"] == y["reached"] == 3, (x, y)
        assert x["seed_steps_to_threshold"] == pytest.approx(y["seed_steps_to_threshold"])
    steps = [row["step"] for row in short["runs"][0]["history"]]
    assert steps == [s for s in (row["step"] for row in long["runs"][0]["history"]) if s <= 300]
    # the threshold falls between evaluations: the figure is interpolated, not a grid step
    assert any(s % 5 for row in a for s in row["seed_steps_to_threshold"])


def test_the_evaluation_grid_is_fixed():
    assert [s for s in range(0, 31) if on_grid(s)] == [0, 5, 10, 15, 20, 25, 30]
    assert on_grid(2500) and not on_grid(2510) and on_grid(2600) and on_grid(20_500)
    config = RaceConfig(steps=303)
    assert config.is_eval_step(300) and config.is_eval_step(303) and not config.is_eval_step(301)
    assert RaceConfig(steps=300, eval_every=7).is_eval_step(7)


def test_interpolation_between_evaluations():
    history = [
        {"step": 0, "test_metric": 0.5},
        {"step": 10, "test_metric": 0.7},
        {"step": 20, "test_metric": 0.95},
    ]
    assert steps_to_threshold(history, 0.9) == pytest.approx(18.0)
    assert steps_to_threshold(history, 0.4) == 0
    assert steps_to_threshold(history, 0.99) is None


def test_cost_is_the_activations_own_relative_to_relu(builtin_catalogue):
    acts = builtin_catalogue.activations
    relu, gelu = training_cost(acts["relu"]), training_cost(acts["gelu"])
    assert 0.6 < relu < 1.5  # ReLU against itself: 1 up to timing noise
    assert gelu > 1.5 * relu  # an erf and its derivative cost more than a comparison


def test_a_per_layer_entry_costs_the_mean_of_its_parts(builtin_catalogue):
    acts = builtin_catalogue.activations
    costs = training_costs(["relu", "gelu", "relu>gelu", "relu>nope"], acts)
    assert set(costs) == {"relu", "gelu", "relu>gelu"}  # an unknown part: left out
    assert costs["relu>gelu"] == pytest.approx((costs["relu"] + costs["gelu"]) / 2)


@pytest.fixture
def db(tmp_path, run_cli, builtin_catalogue):
    path = tmp_path / "runs.sqlite"
    base = ("--activations", "relu,tanh", "--seeds", "2", "--steps", "60", "--device", "cpu")
    for extra in (
        ("--task", "moons"),
        ("--task", "moons"),
        ("--task", "moons", "--lr", "0.03"),
        ("--task", "circles"),
    ):
        code, _, err = run_cli("train", *base, *extra, "--db", str(path), "-q")
        assert code == 0, err
    return path


def test_run_names_describe_the_configuration_and_never_repeat(db):
    names = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM runs ORDER BY id")]
    assert names[0] == (
        "moons: relu, tanh · 8x8 adam lr 0.01 · 60 steps · seeds 0-1 · data 0 · "
        "varies: data and init"
    )
    assert names[1] == names[0] + " (2)"
    assert "lr 0.03" in names[2] and names[3].startswith("circles:")
    with RunStore(db) as store:
        store.rename_run(3, names[0])
        assert store.load_run(3)["name"] == names[0] + " (3)"


def test_leaderboard_ranks_only_within_a_task_and_configuration(db, run_cli):
    code, out, err = run_cli("runs", "leaderboard", "--db", str(db), "--json")
    assert code == 0, err
    board = json.loads(out)
    assert "different tasks (circles, moons)" in board["reason"]
    groups = {tuple(g["runs"]): g for g in board["groups"]}
    assert set(groups) == {(4,), (3,), (2, 1)}
    same = groups[(2, 1)]["rows"]
    assert [r["rank"] for r in same] == [1, 2, 3, 4]
    finals = [r["final_mean"] for r in same]
    assert finals == sorted(finals, reverse=True)
    code, out, _ = run_cli("runs", "leaderboard", "1", "3", "--db", str(db))
    assert code == 0 and "the runs differ in lr" in out


def test_runs_diff_shows_what_differs(db, run_cli):
    code, out, _ = run_cli("runs", "diff", "1", "4", "--db", str(db))
    assert code == 0 and out.splitlines()[2:] == ['  task: "moons" -> "circles"']
    code, out, _ = run_cli("runs", "diff", "1", "3", "--db", str(db), "--json")
    assert json.loads(out) == [{"field": "lr", "1": 0.01, "3": 0.03}]
    code, out, _ = run_cli("runs", "diff", "1", "2", "--db", str(db))
    assert "same configuration" in out
    code, _, err = run_cli("runs", "diff", "1", "99", "--db", str(db))
    assert code == 2 and "no run with id 99" in err

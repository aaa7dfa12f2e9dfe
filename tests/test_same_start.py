"""Re-running a stored race from its exact initial networks with one setting changed."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest
import torch

from actviz.storage import RunStore, store_race
from actviz.training.config import RaceConfig
from actviz.training.engine import race
from actviz.training.events import Evaluation
from actviz.training.stored_start import InitialStateError

NAMES = ["relu", "tanh", "prelu"]  # prelu: a learnable parameter is restored too
METRICS = ("train_loss", "test_loss", "train_metric", "test_metric")


@pytest.fixture(scope="module")
def stored(builtin_catalogue, tmp_path_factory):
    """One race stored in a real database file: (path, run id, config)."""
    path = tmp_path_factory.mktemp("runs") / "runs.sqlite"
    cfg = RaceConfig(
        task="moons", activations=NAMES, seeds=2, steps=40, eval_every=20, boundary_grid=0
    )
    catalogue = builtin_catalogue
    with RunStore(path) as store:
        run_id, result = store_race(cfg, catalogue.activations, catalogue.tasks["moons"], store)
    assert result.status == "finished"
    return path, run_id, cfg


def sqlite_cli(path, sql: str) -> list[str]:
    """What the ``sqlite3`` command-line tool prints for ``sql``, one item per line/word."""
    tool = shutil.which("sqlite3")
    if tool is None:
        pytest.skip("the sqlite3 command-line tool is not installed")
    done = subprocess.run([tool, str(path), sql], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_every_member_initial_networks_are_stored_one_row_each(stored):
    path, run_id, cfg = stored
    out = sqlite_cli(
        path, f"SELECT idx, length(blob) > 0 FROM initial_states WHERE run_id = {run_id}"
    )
    assert out == [f"{i}|1" for i in range(len(NAMES) * 2)]


def test_stored_values_are_the_step_zero_networks(stored, builtin_catalogue):
    path, run_id, cfg = stored
    catalogue = builtin_catalogue
    with RunStore(path) as store:
        initial = store.initial_states(run_id)
    assert set(initial) == {(a, s) for a in NAMES for s in (0, 1)}
    current = race(cfg, catalogue.activations, catalogue.tasks["moons"], snapshots=True)
    first = next(e for e in current if isinstance(e, Evaluation))
    current.close()
    for info in current.runs:
        fresh = first.snapshot.run_params(info.index)
        kept = initial[(info.activation, info.seed)]
        assert all(torch.equal(a, b) for a, b in zip(fresh.weights, kept.weights, strict=True))
        assert all(torch.equal(a, b) for a, b in zip(fresh.biases, kept.biases, strict=True))
        assert set(fresh.learnable) == set(kept.learnable)
        for name in fresh.learnable:
            for a, b in zip(fresh.learnable[name], kept.learnable[name], strict=True):
                assert torch.equal(a, b)
    assert initial[("prelu", 0)].learnable  # the slope is part of what is kept


def test_a_rerun_with_another_lr_starts_exactly_there_and_then_differs(stored, builtin_catalogue):
    path, run_id, cfg = stored
    catalogue = builtin_catalogue
    with RunStore(path) as store:
        initial = store.initial_states(run_id)
        original = store.load_run(run_id)
        changed = dataclasses.replace(cfg, lr=cfg.lr * 10, seeds=[1, 0], init="he")
        # "he" would draw other weights: the stored ones must win
        new_id, _ = store_race(
            changed, catalogue.activations, catalogue.tasks["moons"], store, initial=initial
        )
        again = store.load_run(new_id)
        assert store.initial_states(new_id).keys() == initial.keys()
        for key, kept in store.initial_states(new_id).items():
            assert all(
                torch.equal(a, b) for a, b in zip(kept.weights, initial[key].weights, strict=True)
            )
    by_member = {(r["activation"], r["seed"]): r for r in again["runs"]}
    for run in original["runs"]:
        other = by_member[(run["activation"], run["seed"])]
        first, first_again = run["history"][0], other["history"][0]
        assert first["step"] == first_again["step"] == 0
        assert [first[k] for k in METRICS] == [first_again[k] for k in METRICS]
        last, last_again = run["history"][-1], other["history"][-1]
        assert last["step"] == last_again["step"] == 40
        assert last["train_loss"] != last_again["train_loss"]


def test_the_step_zero_snapshot_of_a_rerun_equals_the_stored_weights(stored, builtin_catalogue):
    path, run_id, cfg = stored
    catalogue = builtin_catalogue
    with RunStore(path) as store:
        initial = store.initial_states(run_id)
    changed = dataclasses.replace(cfg, lr=0.1, optimizer="sgd", steps=10)
    current = race(
        changed, catalogue.activations, catalogue.tasks["moons"], snapshots=True, initial=initial
    )
    snap = next(e for e in current if isinstance(e, Evaluation)).snapshot
    current.close()
    for info in current.runs:
        got = snap.run_params(info.index)
        kept = initial[(info.activation, info.seed)]
        for a, b in zip(got.weights + got.biases, kept.weights + kept.biases, strict=True):
            assert torch.equal(a, b)


def test_changed_hidden_widths_are_refused_naming_the_member(stored, builtin_catalogue):
    path, run_id, cfg = stored
    catalogue = builtin_catalogue
    with RunStore(path) as store:
        initial = store.initial_states(run_id)
    wider = dataclasses.replace(cfg, hidden=(8, 6))
    current = race(wider, catalogue.activations, catalogue.tasks["moons"], initial=initial)
    with pytest.raises(InitialStateError, match=r"relu seed 0: layer 2 weights have shape"):
        next(current)


def test_a_member_without_stored_networks_is_refused(stored, builtin_catalogue):
    path, run_id, cfg = stored
    catalogue = builtin_catalogue
    with RunStore(path) as store:
        initial = store.initial_states(run_id)
    more = dataclasses.replace(cfg, activations=[*NAMES, "gelu"], seeds=3)
    with pytest.raises(InitialStateError) as err:
        race(more, catalogue.activations, catalogue.tasks["moons"], initial=initial)
    assert "relu seed 2" in str(err.value) and "gelu seed 0" in str(err.value)


def test_a_file_from_before_the_table_opens_and_has_no_initial_states(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with RunStore(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE initial_states")
    conn.commit()
    conn.close()
    with RunStore(path) as store:
        assert store.initial_states(1) == {}
    assert "initial_states" in sqlite_cli(path, ".tables")


def test_cli_same_start_reruns_with_a_new_lr_and_names_the_origin(run_cli, tmp_path):
    db = tmp_path / "runs.sqlite"
    common = ("--db", str(db), "-q", "--no-user-plugins")
    code, _, err = run_cli(
        "train", "--task", "moons", "--activations", "relu,tanh", "--seeds", "2",
        "--steps", "30", "--eval-every", "10", "--grid", "0", "--lr", "0.01", *common,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run_cli("train", "--same-start", "1", "--lr", "0.1", *common)
    assert code == 0, err
    with RunStore(db) as store:
        first, again = store.load_run(1), store.load_run(2)
    assert again["name"] == "same start as #1: lr 0.01 → 0.1"
    assert again["config"]["lr"] == 0.1
    assert {k: v for k, v in again["config"].items() if k != "lr"} == {
        k: v for k, v in first["config"].items() if k != "lr"
    }
    for run, other in zip(first["runs"], again["runs"], strict=True):
        assert [run["history"][0][k] for k in METRICS] == [other["history"][0][k] for k in METRICS]
        assert run["history"][-1]["train_loss"] != other["history"][-1]["train_loss"]


def test_cli_same_start_refusals_are_one_line_with_exit_2(run_cli, tmp_path):
    import sqlite3

    db = tmp_path / "runs.sqlite"
    common = ("--db", str(db), "-q", "--no-user-plugins")
    code, _, err = run_cli("train", "--same-start", "7", *common)
    assert code == 2
    assert err.strip() == f"actviz train: there is no run #7 in {db}"
    code, _, err = run_cli(
        "train", "--activations", "relu", "--seeds", "1", "--steps", "5", "--grid", "0", *common
    )
    assert code == 0, err
    code, _, err = run_cli("train", "--same-start", "1", "--lr", "-1", *common)
    assert code == 2 and "lr: must be a positive number" in err
    conn = sqlite3.connect(db)  # as a file from before initial states were kept
    conn.execute("DELETE FROM initial_states")
    conn.commit()
    conn.close()
    code, _, err = run_cli("train", "--same-start", "1", "--steps", "10", *common)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "run #1 was stored without its initial networks" in err


def test_deleting_a_run_deletes_its_initial_networks(builtin_catalogue, tmp_path):
    path = tmp_path / "runs.sqlite"
    cfg = RaceConfig(task="moons", activations=["relu"], seeds=2, steps=5, boundary_grid=0)
    catalogue = builtin_catalogue
    with RunStore(path) as store:
        keep, _ = store_race(cfg, catalogue.activations, catalogue.tasks["moons"], store)
        gone, _ = store_race(cfg, catalogue.activations, catalogue.tasks["moons"], store)
        assert store.delete_run(gone)
    rows = sqlite_cli(path, "SELECT run_id, count(*) FROM initial_states GROUP BY run_id")
    assert rows == [f"{keep}|2"]


def test_cli_same_start_refuses_flags_that_would_change_the_network_or_data(run_cli, tmp_path):
    db = tmp_path / "runs.sqlite"
    common = ("--db", str(db), "-q", "--no-user-plugins")
    code, _, err = run_cli(
        "train", "--activations", "relu", "--seeds", "1", "--steps", "5", "--grid", "0", *common
    )
    assert code == 0, err
    code, _, err = run_cli(
        "train", "--same-start", "1", "--hidden", "16,16", "--data-seed", "3", *common
    )
    assert code == 2
    assert err.strip() == (
        "actviz train: --same-start takes the task, data and network from run #1; --hidden, "
        "--data-seed cannot change (--lr, --steps, --optimizer, --batch-size, --eval-every "
        "and --device can)"
    )
    code, _, err = run_cli("train", "--same-start", "1", "--batch-size", "16", *common)
    assert code == 0, err
    with RunStore(db) as store:
        again = store.load_run(2)
    assert again["config"]["batch_size"] == 16
    assert again["name"] == "same start as #1: batch_size full → 16"


def test_runs_show_says_a_run_can_be_rerun_from_its_start(run_cli, tmp_path):
    db = str(tmp_path / "runs.sqlite")
    code, _, err = run_cli(
        "train", "--activations", "relu", "--seeds", "1", "--steps", "5", "--grid", "0",
        "--db", db, "-q", "--no-user-plugins",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run_cli("runs", "show", "1", "--db", db)
    assert code == 0
    assert "initial networks kept: actviz train --same-start 1" in out.splitlines()[-1]


def test_a_damaged_blob_is_refused_naming_the_member(run_cli, tmp_path):
    db = tmp_path / "runs.sqlite"
    common = ("--db", str(db), "-q", "--no-user-plugins")
    code, _, err = run_cli(
        "train", "--activations", "relu", "--seeds", "2", "--steps", "5", "--grid", "0", *common
    )
    assert code == 0, err
    sqlite_cli(db, "UPDATE initial_states SET blob = X'504B0304DEAD' WHERE idx = 1")
    code, _, err = run_cli("train", "--same-start", "1", *common)
    assert code == 2
    assert err.startswith(
        "actviz train: run #1: the stored initial networks of relu seed 1 are damaged"
    )
    assert len(err.strip().splitlines()) == 1

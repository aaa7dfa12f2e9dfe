"""The run database: what a race writes can be listed, reopened, exported, and survives a kill."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from actviz import Activation
from actviz.storage import RunStore, default_path, run_versions, store_race
from actviz.storage.schema import LATEST
from actviz.training import RaceConfig
from actviz.training.task import Task

REPO = Path(__file__).resolve().parents[1]


def _half(n, noise, gen):
    x = torch.rand(n, 2, generator=gen) * 2 - 1
    return x, (x[:, 0] + noise * torch.randn(n, generator=gen) > 0).float()


TASK = Task(name="half", sample=_half, default_points=120)
ACTS = {
    "tanh": Activation(name="tanh", fn=torch.tanh),
    "relu": Activation(name="relu", fn=torch.relu),
}


def _race(store: RunStore, **kw):
    cfg = RaceConfig(
        task="half", activations=["tanh", "relu"], seeds=2, steps=30, eval_every=10, **kw
    )
    return store_race(cfg, ACTS, TASK, store, versions={"actviz": "test"})


def test_default_path_is_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTVIZ_DATA_DIR", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "runs.sqlite"
    with RunStore() as store:
        assert store.path == default_path() and store.path.exists()
        mode = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert store.schema_version == LATEST


def test_a_stored_race_loads_back_as_the_result(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id, result = _race(store)
        loaded = store.load_run(run_id)
    fresh = result.to_dict(include_grids=True)
    for key in ("config", "task", "metric", "device", "strategy", "status", "steps_done"):
        assert loaded[key] == fresh[key], key
    assert loaded["train_seconds"] == pytest.approx(fresh["train_seconds"])
    assert loaded["runs"] == fresh["runs"]
    assert loaded["status"] == "finished"
    assert loaded["versions"] == {"actviz": "test"}
    assert [h["step"] for h in loaded["runs"][0]["history"]] == [0, 10, 20, 30]
    assert len(loaded["runs"][0]["final_grid"]) == 48


def test_list_filters_rename_note_and_delete(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        first, _ = _race(store)
        cfg = RaceConfig(task="half", activations=["relu"], seeds=1, steps=5)
        second, _ = store_race(cfg, ACTS, TASK, store, name="only relu")
        listed = store.list_runs()
        assert [r["id"] for r in listed] == [second, first]
        assert listed[0]["name"] == "only relu"
        assert listed[1]["activations"] == ["tanh", "relu"] and listed[1]["seeds"] == [0, 1]
        assert listed[1]["best_final_metric"] > 0.5
        assert [r["id"] for r in store.list_runs(activation="tanh")] == [first]
        assert store.list_runs(task="moons") == []
        assert len(store.list_runs(since="2000-01-01")) == 2
        assert store.list_runs(until="2000-01-01") == []
        store.rename_run(first, "renamed")
        store.annotate_run(first, "a note")
        assert store.load_run(first)["name"] == "renamed"
        assert store.load_run(first)["note"] == "a note"
        assert store.delete_run(first) is True
        assert store.delete_run(first) is False
        with pytest.raises(KeyError):
            store.load_run(first)
        left = store._conn.execute(
            "SELECT COUNT(*) FROM evaluations WHERE run_id = ?", (first,)
        ).fetchone()[0]
        assert left == 0


def test_exports(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id, result = _race(store)
        store.export_json(run_id, tmp_path / "run.json")
        store.export_csv(run_id, tmp_path / "run.csv")
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["runs"][2]["activation"] == "relu"
    with (tmp_path / "run.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 * 4  # members x evaluations
    assert {"activation", "seed", "step", "train_loss", "grad_norm_1", "dead_fraction_2"} <= set(
        rows[0]
    )
    last = [r for r in rows if r["activation"] == "tanh" and r["seed"] == "1"][-1]
    assert float(last["test_metric"]) == pytest.approx(result.runs[1].final_metric)


def test_a_diverged_run_is_stored_as_such(tmp_path):
    acts = {**ACTS, "square": Activation(name="square", fn=lambda x: x * x)}
    cfg = RaceConfig(
        task="half", activations=["tanh", "square"], seeds=1, steps=40, optimizer="sgd", lr=3.0
    )
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id, result = store_race(cfg, acts, TASK, store)
        loaded = store.load_run(run_id)
    assert result.runs[1].status == "diverged"
    assert loaded["runs"][1]["status"] == "diverged"
    assert loaded["runs"][1]["diverged_at"] == result.runs[1].diverged_at
    assert loaded["runs"][1]["test_accuracy"] is None


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = ?", (LATEST + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        RunStore(path)


def test_versions_name_the_plugins(builtin_catalogue):
    versions = run_versions(["relu"], builtin_catalogue)
    assert versions["torch"] == torch.__version__
    assert versions["plugins"]["relu"]["source"] == "built-in"


KILLED_RACE = textwrap.dedent(
    """
    import sys, torch
    torch.set_num_threads(1)
    sys.path.insert(0, {tests!r})
    from test_storage import ACTS, TASK
    from actviz.storage import RunStore, store_race
    from actviz.training import RaceConfig

    cfg = RaceConfig(task="half", activations=["tanh", "relu"], seeds=2, steps=10**7,
                     eval_every=20)
    store_race(cfg, ACTS, TASK, RunStore({db!r}, commit_seconds=0.5))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_race_leaves_a_readable_database(tmp_path):
    db = tmp_path / "runs.sqlite"
    script = KILLED_RACE.format(tests=str(REPO / "tests"), db=str(db))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE)
    try:
        # a generous bound for a loaded machine: the claim is about what a kill leaves,
        # not about speed (pytest's own timeout still ends a hung run)
        deadline = time.monotonic() + 240
        evaluations = 0
        while time.monotonic() < deadline and evaluations < 12:
            time.sleep(0.3)
            assert proc.poll() is None, proc.stderr.read().decode()
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=5) as conn:
                        evaluations = conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
                except sqlite3.OperationalError:
                    evaluations = 0
        assert evaluations >= 12, "the race wrote nothing in time"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with RunStore(db) as store:
        (summary,) = store.list_runs()
        assert summary["status"] == "interrupted"  # its process died before finishing
        run = store.load_run(summary["id"])
    assert run["status"] == "interrupted"
    assert run["steps_done"] == max(h["step"] for m in run["runs"] for h in m["history"])
    assert len(run["runs"]) == 4
    for member in run["runs"]:
        steps = [h["step"] for h in member["history"]]
        assert steps[:3] == [0, 20, 40]
        measured = [h["test_metric"] for h in member["history"] if h["test_metric"] is not None]
        assert member["test_accuracy"] == measured[-1]
        assert member["status"] == "interrupted"


def test_a_file_that_is_not_a_database_raises_and_leaves_no_connection(tmp_path, monkeypatch):
    opened = []
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(sqlite3.DatabaseError):
        RunStore(path)
    assert len(opened) == 1
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")

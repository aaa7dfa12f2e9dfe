"""Training is durable: light loss rows every second or so, killed runs shown as interrupted,
and a locked database never stops a race or loses its result silently.

The database is read back with the ``sqlite3`` command-line tool, not with actviz.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from actviz.cli.train import NOT_STORED
from actviz.storage import RunStore
from actviz.storage.liveness import STALE_SECONDS

pytestmark = pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 CLI")

TRAIN = [sys.executable, "-m", "actviz.cli", "train", "--task", "moons", "--points", "100"]
TRAIN += ["--hidden", "6", "--activations", "relu,tanh", "--seeds", "2", "-q"]


def sql(db: Path, query: str) -> list[list[str]]:
    """Rows from the sqlite3 CLI (``|``-separated), waiting politely for a writer."""
    done = subprocess.run(
        ["sqlite3", "-cmd", ".timeout 5000", str(db), query],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line.split("|") for line in done.stdout.splitlines()]


def wait_for(predicate, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"train exited early: {proc.stderr.read()}")
        try:
            if predicate():
                return
        except subprocess.CalledProcessError:
            pass  # the file is being created
        time.sleep(0.2)
    raise AssertionError("timed out")


def lock_holder(db: Path, seconds: float) -> subprocess.Popen:
    """A second process holding ``BEGIN EXCLUSIVE`` on ``db`` for ``seconds``."""
    script = textwrap.dedent(
        f"""
        import sqlite3, sys, time
        conn = sqlite3.connect({str(db)!r}, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        time.sleep({seconds})
        conn.execute("COMMIT")
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def samples(db: Path) -> int:
    rows = sql(db, "SELECT COUNT(*) FROM train_samples")
    return int(rows[0][0])


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_loses_at_most_about_two_seconds_and_the_run_shows_interrupted(tmp_path, run_cli):
    db = tmp_path / "runs.sqlite"
    proc = subprocess.Popen(
        [*TRAIN, "--steps", "100000000", "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: db.exists() and samples(db) > 0, 120, proc)
        time.sleep(4.0)
        killed_at = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    ((latest, count, loss_step),) = sql(
        db, "SELECT MAX(wall), COUNT(*), MAX(step) FROM train_samples"
    )
    assert int(count) >= 4 * 4  # 4 runs, about one row each per second
    assert killed_at - float(latest) < 2.5, "more than ~2 s of training was lost"
    ((status,),) = sql(db, "SELECT status FROM runs")
    assert status == "running"  # as the killed process left it
    # The last step done is the newest row of either kind: the kill can fall just after
    # an evaluation was written and before the next loss row.
    ((eval_step,),) = sql(db, "SELECT COALESCE(MAX(step), -1) FROM evaluations")
    step = str(max(int(loss_step), int(eval_step)))

    # the furthest step stored: a light row, or an evaluation after the last light row
    # (a fast step can reach the next evaluation within the second between light rows)
    ((evaluated,),) = sql(db, "SELECT MAX(step) FROM evaluations")
    code, out, err = run_cli("runs", "--db", str(db))
    assert code == 0, err
    row = out.splitlines()[1].split()
    assert row[4] == "interrupted" and int(row[5]) == max(int(step), int(evaluated or 0))
    # Opening the store marked it for every reader, the sqlite3 tool included.
    assert sql(db, "SELECT status, steps_done FROM runs") == [["interrupted", step]]
    assert {s for (s,) in sql(db, "SELECT status FROM members")} == {"interrupted"}
    with RunStore(db) as store:
        run = store.load_run(1)
    last = run["runs"][0]["history"][-1]
    assert last["step"] == int(step) and last["train_loss"] is not None


def test_a_database_locked_for_the_whole_race_still_writes_json_and_says_what_is_unsaved(
    tmp_path,
):
    db = tmp_path / "runs.sqlite"
    RunStore(db).close()
    holder = lock_holder(db, 300)
    try:
        done = subprocess.run(
            [*TRAIN, "--steps", "300", "--db", str(db), "--json", str(tmp_path / "out.json")],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == NOT_STORED == 3, done.stderr  # finished, not stored: not 0
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr
    assert lines[0] == (
        "actviz train: the run database is locked by another program (database is locked); "
        "training goes on, retrying"
    )
    assert lines[-1].startswith("actviz train: not stored for this race: the run itself, ")
    assert re.search(
        r"the final results \(finished\), evaluations of \d+ steps \(step 0 to step 300\)",
        lines[-1],
    ), lines[-1]
    assert lines[-1].endswith("the run database is locked by another program (database is locked)")
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["status"] == "finished" and data["steps_done"] == 300
    assert data["run_id"] is None
    assert sql(db, "SELECT COUNT(*) FROM runs") == [["0"]]


def test_a_lock_released_mid_race_loses_nothing(tmp_path):
    db = tmp_path / "runs.sqlite"
    out = tmp_path / "out.json"
    # long enough (tens of seconds even at ~1 ms a step) that the race is still writing
    # when the 4 s lock is released: every write meets the lock, then the release
    steps = 40_000
    proc = subprocess.Popen(
        [*TRAIN, "--steps", str(steps), "--eval-every", "200", "--db", str(db), "--json", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(
            lambda: db.exists() and sql(db, "SELECT COUNT(*) FROM evaluations")[0][0] != "0",
            120,
            proc,
        )
        holder = lock_holder(db, 4)
        held = sql(db, "SELECT COUNT(*) FROM evaluations")[0][0]  # readers still read
        running = proc.poll() is None
        holder.wait()
        assert running, "the race ended before the lock was taken: nothing was tested"
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "the run database is locked by another program (database is locked)" in err
    assert "not stored" not in err and "Traceback" not in err
    data = json.loads(out.read_text())
    expected = sum(len(r["history"]) for r in data["runs"])
    stored = int(sql(db, f"SELECT COUNT(*) FROM evaluations WHERE run_id = {data['run_id']}")[0][0])
    assert stored == expected > int(held)
    assert sql(db, "SELECT status, steps_done FROM runs") == [["finished", str(steps)]]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_run_is_interrupted_when_its_process_is_gone_or_its_heartbeat_is_stale(tmp_path):
    db = tmp_path / "runs.sqlite"
    with RunStore(db) as store:
        ids = [store.create_run({"steps": 100}, "moons", "accuracy", [("relu", 0)]) for _ in "abcd"]
        store.record_evaluations(ids[0], [{"step": 40, "train_loss": 0.5, "test_metric": 0.7}])
        store.record_samples(ids[0], 55, 1.5, [0.4])
        store.flush()
    now = time.time()
    owners = [
        (ids[0], dead_pid(), os.uname().nodename, now),  # this host, process gone
        (ids[1], os.getpid(), os.uname().nodename, now),  # this live process
        (ids[2], 1, "elsewhere", now - STALE_SECONDS - 5),  # another host, silent
        (ids[3], 1, "elsewhere", now),  # another host, beating
    ]
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT OR REPLACE INTO run_owners VALUES (?, ?, ?, ?)", owners)
    with RunStore(db) as store:
        listed = {r["id"]: (r["status"], r["steps_done"]) for r in store.list_runs()}
        run = store.load_run(ids[0])
    assert listed == {
        ids[0]: ("interrupted", 55),
        ids[1]: ("running", 0),
        ids[2]: ("interrupted", 0),
        ids[3]: ("running", 0),
    }
    assert [h["step"] for h in run["runs"][0]["history"]] == [40, 55]
    assert run["runs"][0]["test_accuracy"] == 0.7 and run["runs"][0]["final_loss"] == 0.4
    assert sql(db, "SELECT id, status FROM runs ORDER BY id") == [
        [str(ids[0]), "interrupted"],
        [str(ids[1]), "running"],
        [str(ids[2]), "interrupted"],
        [str(ids[3]), "running"],
    ]

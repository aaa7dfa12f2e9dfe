"""In the GUI a failing run database reaches the user, the Playground always learns that the
race ended, and closing the window keeps what was recorded (checked with the sqlite3 tool)."""

from __future__ import annotations

import shutil
import time

import pytest
from test_durable_training import lock_holder, sql
from test_gui_playground import make_window  # noqa: F401 - the fixture
from test_storage import ACTS, TASK

from actviz.gui.race_worker import RaceWorker
from actviz.storage import RunStore, default_path
from actviz.training import RaceConfig
from actviz.training.engine import Race

pytestmark = pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 CLI")

LOCKED = "the run database is locked by another program (database is locked)"


def test_a_locked_database_is_reported_and_the_playground_learns_the_race_ended(
    make_window,  # noqa: F811
    qtbot,
):
    w, panel = make_window(["relu", "tanh"])
    panel.form.steps.setValue(300)
    RunStore().close()
    holder = lock_holder(default_path(), 300)
    problems: list[str] = []
    panel.runner.storeProblem.connect(problems.append)
    try:
        with qtbot.waitSignal(panel.raceFinished, timeout=120_000) as blocker:
            panel.train_button.click()
    finally:
        holder.kill()
        holder.wait()
    assert blocker.args == [None]  # nothing could be stored
    assert problems[0] == (
        f"{LOCKED}; training goes on and the results are kept until it can write"
    )
    assert problems[-1].startswith(
        "not stored for this race: the run itself, the initial networks, the final results"
    )
    assert panel.last_result.status == "finished" and panel.last_result.steps_done == 300
    text = panel.status.text()
    assert "finished after 300 steps" in text and "not stored for this race" in text
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()
    assert panel.form.isEnabled()
    assert sql(default_path(), "SELECT COUNT(*) FROM runs") == [["0"]]


def test_closing_the_window_mid_race_keeps_what_was_recorded(make_window, qtbot):  # noqa: F811
    w, panel = make_window(["relu", "tanh"])
    panel.form.steps.setValue(10_000_000)
    panel.train_button.click()
    db = default_path()

    def light_rows() -> int:
        try:
            return int(sql(db, "SELECT COUNT(*) FROM train_samples")[0][0])
        except Exception:  # noqa: BLE001 - not created yet
            return 0

    qtbot.waitUntil(lambda: light_rows() >= 8, timeout=60_000)
    before = light_rows()
    w.close()
    assert sql(db, "SELECT status FROM runs") == [["stopped"]]
    assert light_rows() >= before
    assert sql(db, "SELECT COUNT(*) FROM run_owners") == [["0"]]  # released, not interrupted
    statuses = {s for (s,) in sql(db, "SELECT status FROM members")}
    assert statuses == {"stopped"}


def test_the_error_handler_never_writes_to_a_failing_database(qtbot, monkeypatch):
    """The engine crashes while the database is locked: the user gets both messages,
    ``finished`` still comes, and no write is attempted after the crash."""
    crash_at: list[float] = []
    real_measure = Race._measure

    def measure(self, step, with_grid=True):
        if step >= 200:
            crash_at.append(time.monotonic())
            raise RuntimeError("engine bug at step 200")
        return real_measure(self, step, with_grid)

    monkeypatch.setattr(Race, "_measure", measure)
    config = RaceConfig(
        task="half", activations=["relu"], seeds=1, steps=10_000_000, eval_every=100
    )
    writes: list[float] = []
    real_transaction = RunStore.transaction

    def transaction(self, timeout_s=0.1):
        writes.append(time.monotonic())
        return real_transaction(self, timeout_s)

    monkeypatch.setattr(RunStore, "transaction", transaction)
    RunStore().close()
    holder = lock_holder(default_path(), 300)
    worker = RaceWorker(config, ACTS, TASK)
    failed, problems, finished = [], [], []
    worker.failed.connect(failed.append)
    worker.storeProblem.connect(problems.append)
    worker.finished.connect(lambda result, run_id: finished.append((result, run_id)))
    try:
        worker.run()  # in this thread: the signals are delivered directly
    finally:
        holder.kill()
        holder.wait()
    assert failed[0].startswith("RuntimeError: engine bug at step 200")
    assert problems[0].startswith(LOCKED)
    assert problems[-1].startswith("not stored for this race: the run itself")
    ((result, run_id),) = finished
    assert run_id is None and result is not None and result.steps_done == 200
    assert crash_at and writes and max(writes) < crash_at[0]

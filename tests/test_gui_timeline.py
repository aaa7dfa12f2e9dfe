"""Stepping the Playground and scrubbing its timeline, driven through the widgets: Step
trains exactly one step (Step N exactly N) and redraws the boundaries, a held race can
be stopped and is stored (read back with the sqlite3 tool), and dragging the timeline
shows in every view the step the race computed then."""

from __future__ import annotations

import shutil
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from test_durable_training import sql
from test_gui_playground import make_window  # noqa: F401 - the fixture

from actviz.gui.race_worker import RaceWorker
from actviz.gui.settings import open_settings
from actviz.gui.shortcuts_dialog import shortcut_rows
from actviz.storage import RunStore, default_path
from actviz.training.config import RaceConfig
from actviz.training.events import Evaluation, Held


@pytest.fixture(autouse=True)
def _a_grid_at_every_evaluation(monkeypatch):
    """The race draws its boundary grids every GRID_SECONDS of wall time, so how many
    steps between the first and the last carry one depends on the machine's speed (a
    fast machine finished a 400-step race with none): here every evaluation carries one."""
    monkeypatch.setattr("actviz.training.engine.GRID_SECONDS", 0.0)


def _record(panel):
    """Every event the GUI receives from now on (queued, in order)."""
    events: list[object] = []
    panel.runner.event.connect(events.append)
    return events


def _evaluation(events, step):
    found = [e for e in events if isinstance(e, Evaluation) and e.step == step]
    assert found, f"no evaluation at step {step}"
    return found[-1]


def _shown_grid(panel, name):
    image = panel.boundaries.cells[name]["image"].image
    assert image is not None
    return np.asarray(image, dtype=float).T  # the view shows grid.T


def _median_run(panel, name, step=None):
    history = panel.history
    return history.run_of(history.median_member(name, step))


def _held_at(qtbot, panel, step):
    held = f"paused at step {step:,} "
    qtbot.waitUntil(lambda: panel.progress.format().startswith(held), timeout=30_000)
    race = panel.runner.worker.race
    qtbot.waitUntil(lambda: panel.runner.worker.waiting, timeout=10_000)
    assert race.result.steps_done == step
    assert panel.pause_button.text() == "Resume"


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 CLI")
def test_step_trains_exactly_one_step_and_step_n_exactly_n(make_window, qtbot):  # noqa: F811
    w, panel = make_window(["relu", "tanh"])
    panel.form.steps.setValue(1_000_000)
    events = _record(panel)
    panel.train_button.click()
    image = panel.boundaries.cells["relu"]["image"]
    qtbot.waitUntil(lambda: panel.step > 0 and image.image is not None, timeout=30_000)
    panel.pause_button.click()
    worker = panel.runner.worker
    qtbot.waitUntil(lambda: worker.waiting, timeout=10_000)
    k = worker.race.result.steps_done
    qtbot.wait(200)
    before = _shown_grid(panel, "relu").copy()

    panel.step_button.click()
    _held_at(qtbot, panel, k + 1)
    assert panel.step == k + 1
    held = [e for e in events if isinstance(e, Held)]
    assert [e.step for e in held] == [k + 1]
    # the boundary drawn is the grid the race computed at that step, and it moved
    evaluation = _evaluation(events, k + 1)
    after = _shown_grid(panel, "relu")
    np.testing.assert_allclose(after, evaluation.grids[_median_run(panel, "relu")], atol=1e-6)
    assert not np.allclose(after, before, atol=1e-7)
    qtbot.wait(300)
    assert worker.race.result.steps_done == k + 1  # held, not running on

    # the keys: F10 one step, Shift+F10 N steps (N from the box)
    panel.step_n.setValue(7)
    with qtbot.waitActive(w):
        w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_F10)
    _held_at(qtbot, panel, k + 2)
    qtbot.keyClick(w, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    _held_at(qtbot, panel, k + 9)
    # the timeline works on a held race: step 0 shows the initial networks' grid
    panel.timeline.slider.setValue(0)
    qtbot.waitUntil(lambda: panel.boundaries.step == 0)
    start = _evaluation(events, 0)
    shown = _shown_grid(panel, "relu")
    np.testing.assert_allclose(shown, start.grids[_median_run(panel, "relu", 0)], atol=1e-5)
    assert panel.shown_snapshot().step == 0
    # and the next step goes back to the newest
    panel.step_n_button.click()
    _held_at(qtbot, panel, k + 16)
    assert panel.timeline.steps()[-1] == k + 16
    assert panel.timeline.is_live() and panel.boundaries.step is None
    assert panel.shown_snapshot().step == k + 16

    # a held race can still be stopped, and is stored at the step it reached
    with qtbot.waitSignal(panel.raceFinished, timeout=30_000) as blocker:
        panel.stop_button.click()
    run_id = blocker.args[0]
    rows = sql(default_path(), f"SELECT status, steps_done FROM runs WHERE id = {run_id}")
    assert rows == [["stopped", str(k + 16)]]
    last = sql(default_path(), f"SELECT MAX(step) FROM evaluations WHERE run_id = {run_id}")
    assert last == [[str(k + 16)]]
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()


def test_step_on_an_idle_playground_starts_the_race_held(make_window, qtbot):  # noqa: F811
    w, panel = make_window(["relu"])
    panel.form.steps.setValue(200)
    panel.step_n.setValue(5)
    panel.step_n_button.click()
    _held_at(qtbot, panel, 5)
    assert panel.shown_step() == 5
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.pause_button.click()  # Resume: runs to the end
    assert panel.last_result.status == "finished" and panel.last_result.steps_done == 200


def test_the_step_keys_are_listed_in_the_shortcuts_dialog(make_window):  # noqa: F811
    w, _panel = make_window(["relu"])
    rows = dict(shortcut_rows(w))
    assert rows["F10"] == "Step one"
    assert rows["Shift+F10"] == "Step N"
    assert rows["Ctrl+."] == "Stop"  # unchanged


def test_scrubbing_shows_every_view_at_that_step(make_window, qtbot):  # noqa: F811
    w, panel = make_window(["relu", "prelu"])
    panel.form.steps.setValue(400)
    events = _record(panel)
    shown: list[int] = []
    panel.shownStepChanged.connect(shown.append)
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.train_button.click()
    steps = panel.timeline.steps()
    assert steps[0] == 0 and steps[-1] == 400
    assert panel.timeline.is_live() and "step 400 of 400" in panel.timeline.label.text()
    gridded = [e.step for e in events if isinstance(e, Evaluation) and e.grids is not None]
    early = next(s for s in gridded if 0 < s < 400)

    panel.timeline.slider.setValue(steps.index(early))
    qtbot.waitUntil(lambda: panel.boundaries.step == early)
    assert not panel.timeline.is_live()
    assert panel.timeline.label.text() == f"step {early:,} of 400"
    # the results table stays at the newest step and says so
    assert f"at step 400 (the views show step {early:,})" in panel.table_title.text()
    assert panel.shown_snapshot().step == early and shown[-1] == early
    evaluation = _evaluation(events, early)
    for name in ("relu", "prelu"):
        run = _median_run(panel, name, early)
        np.testing.assert_allclose(_shown_grid(panel, name), evaluation.grids[run], atol=1e-5)
        title = panel.boundaries.cells[name]["plot"].titleLabel.text
        assert f"{evaluation.metrics[run]['test_metric']:.3f}" in title
    # a cursor on every step-axis plot, the learned shapes at the same step
    positions = panel.cursors.positions()
    assert len(positions) >= 4 and set(positions.values()) == {float(early)}
    panel.views.setCurrentWidget(panel.learned)
    assert panel.learned.step_label.text() == f"step {early}"
    panel.views.setCurrentWidget(panel.inside)  # what each unit computed, at that step
    assert {seen.step for seen in panel.inside.insides.values()} == {early}
    assert set(panel.inside.insides) == {"relu", "prelu"}
    # the early picture is not the final one: the check can fail
    final = _evaluation(events, 400)
    assert not np.allclose(evaluation.grids, final.grids, atol=1e-3)

    panel.views.setCurrentWidget(panel.diagnostics)  # its plots get the cursor too
    assert set(panel.cursors.positions().values()) == {float(early)}

    panel.views.setCurrentIndex(0)
    panel.timeline.live.click()
    qtbot.waitUntil(lambda: panel.boundaries.step is None)
    assert set(panel.cursors.positions().values()) == {None}
    assert shown[-1] == 400 and panel.shown_step() == 400
    assert "the views show" not in panel.table_title.text()
    panel.views.setCurrentWidget(panel.inside)
    assert {seen.step for seen in panel.inside.insides.values()} == {400}
    panel.views.setCurrentIndex(0)
    run = _median_run(panel, "relu")
    np.testing.assert_allclose(_shown_grid(panel, "relu"), final.grids[run], atol=1e-6)


def test_closing_the_window_while_held_stores_the_run_at_that_step(make_window, qtbot):  # noqa: F811
    w, panel = make_window(["relu", "tanh"])
    panel.form.steps.setValue(1_000_000)
    panel.step_n.setValue(12)
    panel.step_n_button.click()
    _held_at(qtbot, panel, 12)
    worker, thread = panel.runner.worker, panel.runner.qthread
    w.close()
    assert not thread.isRunning()
    with RunStore() as store:
        run = store.load_run(worker.run_id)
    assert run["status"] == "stopped" and run["steps_done"] == 12
    assert all(m["history"][-1]["step"] == 12 for m in run["runs"])


def test_n_is_remembered_between_launches_and_a_damaged_value_is_ignored(make_window):  # noqa: F811
    w, panel = make_window(["relu"])
    panel.step_n.setValue(25)
    w.close()
    w2, panel2 = make_window(["relu"])
    assert panel2.step_n.value() == 25
    w2.close()
    settings = open_settings()
    settings.setValue("playground/step_n", "many")
    settings.sync()
    _w3, panel3 = make_window(["relu"])
    assert panel3.step_n.value() == 10


def test_steps_asked_in_a_row_add_up(qtbot, builtin_catalogue):
    """Two Steps before the first arrives are two steps, before the race starts too."""
    cat = builtin_catalogue
    cfg = RaceConfig(task="moons", activations=["relu"], seeds=1, steps=1_000_000)
    worker = RaceWorker(cfg, cat.activations, cat.tasks["moons"], store=False)
    held: list[int] = []
    worker.event.connect(lambda e: held.append(e.step) if isinstance(e, Held) else None)
    assert worker.step(3) == 3 and worker.step(2) == 5
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        qtbot.waitUntil(lambda: worker.waiting, timeout=30_000)
        assert worker.race.result.steps_done == 5
        worker.step(1)
        assert worker.step(1) == 7
        qtbot.waitUntil(lambda: worker.waiting and worker.race.result.steps_done >= 7)
        qtbot.wait(200)
        assert worker.race.result.steps_done == 7
    finally:
        worker.stop()
        thread.join(30)
    assert not thread.is_alive()
    assert worker.race.result.status == "stopped" and worker.race.result.steps_done == 7
    assert held[0] == 5 and held[-1] == 7

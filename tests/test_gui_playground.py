"""The Playground panel driven through its widgets: a race from the GUI is trained in a
worker thread, stored, tabled and plotted; it can be paused, stopped and survives the
window closing; a diverging activation is shown as diverged; bad fields are refused."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from actviz.gui.export_plots import export_all
from actviz.storage import RunStore

#: Finite wherever the plugin host checks it, but with learning rate 1e6 a deep net of
#: cubes overflows float32 at the first step, while ReLU and tanh nets stay finite.
CUBE_PLUGIN = textwrap.dedent(
    """
    from actviz import Activation, hookimpl

    @hookimpl
    def actviz_activations():
        return [Activation(name="cube", fn=lambda x: x * x * x)]
    """
)


@pytest.fixture
def make_window(open_playground):
    def make(select, plugin_dirs=()):
        w, panel = open_playground(select, plugin_dirs)
        form = panel.form
        form.task.setCurrentIndex(form.task.findData("moons"))
        form.points.setValue(80)
        form.hidden.setText("6")
        form.seeds.setText("2")
        form.steps.setValue(40)
        return w, panel

    return make


def race(qtbot, panel, timeout=60_000):
    with qtbot.waitSignal(panel.raceFinished, timeout=timeout) as blocker:
        panel.train_button.click()
    return blocker.args[0]


def test_a_race_from_the_gui_is_stored_tabled_and_plotted(make_window, qtbot, tmp_path):
    w, panel = make_window(["relu", "tanh"])
    assert panel.form.problems == []
    assert panel.train_button.isEnabled()
    run_id = race(qtbot, panel)
    assert isinstance(run_id, int)

    with RunStore() as store:
        run = store.load_run(run_id)
    assert run["status"] == "finished" and run["steps_done"] == 40
    assert [(m["activation"], m["seed"]) for m in run["runs"]] == [
        ("relu", 0),
        ("relu", 1),
        ("tanh", 0),
        ("tanh", 1),
    ]
    assert all(m["history"][-1]["step"] == 40 for m in run["runs"])

    rows = {r["activation"]: r for r in panel.results.rows}
    assert set(rows) == {"relu", "tanh"}
    for name, row in rows.items():
        finals = [m["test_accuracy"] for m in run["runs"] if m["activation"] == name]
        assert row["final_mean"] == pytest.approx(np.mean(finals))
        assert row["status"] == "finished"
    assert panel.results.rowCount() == 2
    assert panel.results.text(0, "final_mean") != "–"

    # the metric curve ends at the stored mean of the last evaluation
    steps, mean = panel.curves.metric_bands.data["relu"]
    assert steps[-1] == 40
    finals = [m["history"][-1]["test_metric"] for m in run["runs"] if m["activation"] == "relu"]
    assert mean[-1] == pytest.approx(np.mean(finals))
    labels = [label.text for _sample, label in panel.curves.legend.items]
    assert labels == ["relu", "tanh"]
    # a decision boundary per activation, with a probability grid drawn
    assert set(panel.boundaries.cells) == {"relu", "tanh"}
    image = panel.boundaries.cells["relu"]["image"].image
    assert image is not None and image.shape == (48, 48)
    assert np.nanmin(image) >= 0.0 and np.nanmax(image) <= 1.0
    assert "finished" in panel.progress.format()
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()

    # every shown plot exports as PNG, SVG and CSV, and the table as CSV
    written = {p.name for p in export_all([panel], tmp_path)}
    for stem in ("playground-loss", "playground-metric", "playground-boundaries"):
        assert {f"{stem}.png", f"{stem}.svg", f"{stem}.csv"} <= written
    assert "playground-results.csv" in written
    header = (tmp_path / "playground-metric.csv").read_text().splitlines()[0]
    assert header.split(",")[:3] == ["step", "relu", "relu train"]


def test_stop_mid_run_keeps_the_run_as_stopped(make_window, qtbot):
    w, panel = make_window(["relu"])
    panel.form.steps.setValue(1_000_000)
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000) as blocker:
        panel.train_button.click()
        qtbot.waitUntil(lambda: panel.step > 0, timeout=30_000)
        assert panel.stop_button.isEnabled() and not panel.train_button.isEnabled()
        panel.stop_button.click()
    run_id = blocker.args[0]
    with RunStore() as store:
        run = store.load_run(run_id)
    assert run["status"] == "stopped"
    assert 0 < run["steps_done"] < 1_000_000
    assert panel.last_result.status == "stopped"
    assert "stopped" in panel.status.text()


def test_pause_holds_the_race_and_resume_continues(make_window, qtbot):
    w, panel = make_window(["relu"])
    panel.form.steps.setValue(1_000_000)
    panel.train_button.click()
    qtbot.waitUntil(lambda: panel.step > 0, timeout=30_000)
    panel.pause_button.click()
    assert panel.pause_button.text() == "Resume"
    race_result = panel.runner.worker.race.result
    qtbot.wait(300)  # the worker notices at its next event (a few per second at least)
    held = race_result.steps_done
    qtbot.wait(400)
    assert race_result.steps_done == held
    panel.pause_button.click()
    qtbot.waitUntil(lambda: race_result.steps_done > held, timeout=10_000)
    with qtbot.waitSignal(panel.raceFinished, timeout=30_000):
        panel.stop_button.click()


def test_closing_the_window_mid_race_stops_the_worker_cleanly(make_window, qtbot, capfd):
    w, panel = make_window(["relu", "tanh"])
    panel.form.steps.setValue(1_000_000)
    panel.train_button.click()
    qtbot.waitUntil(lambda: panel.step > 0, timeout=30_000)
    worker = panel.runner.worker
    thread = panel.runner.qthread
    started = time.perf_counter()
    w.close()
    took = time.perf_counter() - started
    assert took < 2.0
    assert not thread.isRunning()
    with RunStore() as store:
        run = store.load_run(worker.run_id)
    assert run["status"] == "stopped"
    assert 0 < run["steps_done"] < 1_000_000
    assert all(m["status"] == "stopped" for m in run["runs"])
    assert "Destroyed while thread" not in capfd.readouterr().err


def test_a_diverging_activation_is_shown_as_diverged_and_the_others_go_on(
    make_window, qtbot, tmp_path
):
    (tmp_path / "cube.py").write_text(CUBE_PLUGIN)
    w, panel = make_window(["relu", "tanh", "cube"], plugin_dirs=[tmp_path])
    assert w.state.selected == ["relu", "tanh", "cube"]
    panel.form.lr.setText("1e6")
    panel.form.hidden.setText("6, 6")
    run_id = race(qtbot, panel)
    rows = {r["activation"]: r for r in panel.results.rows}
    assert rows["cube"]["diverged"] == 2
    assert rows["cube"]["status"] == "diverged 2/2"
    assert rows["cube"]["final_mean"] is None
    for name in ("relu", "tanh"):
        assert rows[name]["diverged"] == 0 and rows[name]["status"] == "finished"
        assert math.isfinite(rows[name]["final_mean"])
    labels = [label.text for _sample, label in panel.curves.legend.items]
    assert labels == ["relu", "tanh", "cube (diverged 2/2)"]
    assert "diverged" in panel.boundaries.cells["cube"]["plot"].titleLabel.text
    with RunStore() as store:
        run = store.load_run(run_id)
    statuses = {(m["activation"], m["status"]) for m in run["runs"]}
    assert statuses == {("relu", "finished"), ("tanh", "finished"), ("cube", "diverged")}
    assert all(m["history"][-1]["step"] == 40 for m in run["runs"][:4])  # relu, tanh


def test_invalid_fields_are_refused_with_a_reason(make_window, qtbot):
    w, panel = make_window(["relu"])
    form = panel.form
    form.lr.setText("fast")
    assert not panel.train_button.isEnabled()
    assert "not a number" in form.field_problem("lr")
    assert "fast" in form.lr.toolTip()
    assert "border" in form.lr.styleSheet()
    assert panel.start_race() is False
    form.lr.setText("-1")
    assert "positive number" in form.field_problem("lr")
    form.lr.setText("0.01")
    form.hidden.setText("8, 0")
    assert "positive layer widths" in form.field_problem("hidden")
    form.hidden.setText("8")
    form.seeds.setText("1, 1")
    assert "listed twice" in form.field_problem("seeds")
    form.seeds.setText("2")
    form.split.setValue(0.0)
    assert "between 0 and 1" in form.field_problem("test_fraction")
    form.split.setValue(0.3)
    w.state.set_selected([])
    assert "at least one activation" in form.field_problem("activations")
    w.state.set_selected(["relu"])
    assert form.problems == []
    assert form.lr.styleSheet() == ""
    assert panel.train_button.isEnabled()


THEME_SWITCH_SCRIPT = r"""
import faulthandler, os, sys, tempfile, time
faulthandler.enable()
home = tempfile.mkdtemp()
for var in ("ACTVIZ_SETTINGS_DIR", "ACTVIZ_DATA_DIR", "ACTVIZ_USER_PLUGIN_DIR"):
    os.environ[var] = os.path.join(home, var)
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import torch
torch.set_num_threads(1)
from PySide6.QtWidgets import QApplication
app = QApplication([])
from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost

def pump(n, ms=20):
    for _ in range(n):
        app.processEvents()
        time.sleep(ms / 1000)

def finish(panel):
    start = time.time()
    while panel.running and time.time() - start < 120:
        pump(5)
    pump(10)

w = MainWindow(PluginHost(use_user_dir=False, use_entry_points=False), watch=False)
w.resize(1400, 900)
w.show()
panel = w.panel("playground")
w.show_panel("playground")
pump(5)
w.state.set_selected(["glu"])
pump(3)
panel.start_race()
finish(panel)
w.state.set_selected(["relu", "tanh", "prelu"])
pump(3)
panel.form.steps.setValue(3000)
panel.start_race()
pump(10, 50)
w.toggle_theme()
pump(10, 50)
w.toggle_theme()
finish(panel)
panel.start_race()
finish(panel)
print("survived", panel.status.text())
"""


def test_a_new_race_after_a_theme_change_mid_race_does_not_crash():
    """Re-laying out the boundary cells after a theme switch used to crash the next paint
    (a segfault, so the steps run in a child process)."""
    proc = subprocess.run(
        [sys.executable, "-c", THEME_SWITCH_SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "survived finished" in proc.stdout


def test_ctrl_return_trains_the_playground(make_window, qtbot):
    from PySide6.QtCore import Qt

    w, panel = make_window(["relu"])
    with qtbot.waitActive(w):  # application shortcuts need an active window
        w.activateWindow()
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000) as blocker:
        qtbot.keyClick(panel.form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with RunStore() as store:
        assert store.load_run(blocker.args[0])["status"] == "finished"


@pytest.mark.parametrize("key", ["playground", "compare", "lessons"])
def test_the_training_panels_fit_a_1280_px_window_beside_the_docks(make_window, key):
    w, _panel = make_window(["relu"])
    w.show_panel(key)
    # 1280 px less the activation list (230) and the inspector (340) leaves about 700.
    assert w.panel(key).minimumSizeHint().width() <= 700


def _snapshot(panel):
    """What the user sees of a race: progress, rate, every curve and cell, the table."""
    curves = {
        key: repr(items["line"].getOriginalDataset())
        for bands in (panel.curves.loss_bands, panel.curves.metric_bands)
        for key, items in bands.items.items()
    }
    cells = {
        name: cell["image"].image.tobytes() if cell["image"].image is not None else None
        for name, cell in panel.boundaries.cells.items()
        if "image" in cell
    }
    assert cells, "moons draws decision regions"
    return (
        panel.progress.value(),
        panel.rate_label.text(),
        curves,
        cells,
        repr(panel.results.rows),
    )


def test_pause_freezes_every_view_and_rates_exclude_the_pause(make_window, qtbot):
    w, panel = make_window(["relu", "tanh"])
    panel.form.steps.setValue(1500)
    started = time.perf_counter()
    panel.train_button.click()
    qtbot.waitUntil(lambda: panel.step >= 100, timeout=30_000)
    panel.pause_button.click()
    frozen = _snapshot(panel)
    qtbot.wait(1500)
    assert _snapshot(panel) == frozen
    pause_began = time.perf_counter()
    qtbot.wait(1500)
    paused = time.perf_counter() - pause_began
    panel.pause_button.click()
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        pass
    wall = time.perf_counter() - started
    result = panel.last_result
    assert result.status == "finished" and result.steps_done == 1500
    assert result.train_seconds < wall - paused
    rate = float(panel.rate_label.text().split()[0].replace(",", ""))
    assert rate == pytest.approx(1500 / result.train_seconds, rel=0.02)

"""The Discover panel: a real (tiny) search in its worker thread, the leaderboard read
back against the search's own report, stop and resume, bad settings, save as plugin."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from actviz.gui.main_window import MainWindow
from actviz.gui.panels.discover import DiscoverPanel
from actviz.host import PluginHost

TINY = dict(
    batch=4, shard_size=2, max_races=6, verify_top=1, verify_seeds=2, sandboxed=False, lr=0.05
)


@pytest.fixture
def panel(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("ACTVIZ_DATA_DIR", str(tmp_path / "data"))
    host = PluginHost([], use_user_dir=False, use_entry_points=False, use_env=False)
    w = MainWindow(host, panels=[DiscoverPanel])
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    p = w.panel("discover")
    p.tasks.setText("teacher:tanh(x)")
    p.strategy.setCurrentText("random")
    p.steps.setValue(20)
    p.seeds.setValue(1)
    p.budget.setValue(1.0)
    p.extra = dict(TINY)
    yield p
    p.shutdown()


def _wait_idle(qtbot, panel, timeout=240_000):
    qtbot.waitUntil(lambda: not panel.running and panel._thread is None, timeout=timeout)


def test_a_search_fills_the_leaderboard_with_what_the_search_reports(qtbot, panel):
    panel.primary_action()
    assert panel.running and not panel.start_button.isEnabled()
    _wait_idle(qtbot, panel)
    report = panel.report
    assert report is not None, panel.status.text()
    rows = report["candidates"][: panel.table.rowCount()]
    assert panel.table.rowCount() == min(10, len(report["candidates"])) > 0
    for r, row in enumerate(rows):
        assert panel.table.item(r, 0).text() == str(r + 1)
        assert panel.table.item(r, 1).text() == row["formula"]
        shown = panel.table.item(r, 2).text()
        assert (
            shown == "-"
            if row["score"] is None
            else float(shown) == pytest.approx(row["score"], rel=1e-3)
        )
    assert "done in" in panel.status.text()
    assert "On fresh seeds" in panel.verdicts.text()
    curves = panel.curve_columns()
    assert len(curves) >= 2 and np.isfinite(curves["x"]).all()
    json.dumps(report)  # the report the window shows is plain JSON


def test_stop_keeps_what_was_raced_and_start_resumes(qtbot, panel):
    panel.extra["max_races"] = 40
    panel.primary_action()
    qtbot.waitUntil(lambda: panel.table.rowCount() > 0, timeout=240_000)
    panel.stop_action()
    _wait_idle(qtbot, panel)
    assert "stopped" in panel.status.text() and panel.report is None
    panel.extra["max_races"] = 6
    panel.primary_action()
    _wait_idle(qtbot, panel)
    assert panel.report is not None
    assert panel.report["races"]["reused"] > 0  # the races done before the stop were not redone


def test_bad_settings_are_one_message_and_start_nothing(qtbot, panel):
    panel.tasks.setText("  ,  ")
    panel.primary_action()
    assert not panel.running and "Cannot start" in panel.status.text()
    assert "tasks" in panel.status.text()
    panel.tasks.setText("no_such_task")
    panel.primary_action()
    _wait_idle(qtbot, panel)
    assert "no_such_task" in panel.status.text() and panel.report is None


def test_save_as_plugin_writes_a_plugin_that_checks(qtbot, panel, monkeypatch, tmp_path, run_cli):
    folder = tmp_path / "plugins"
    monkeypatch.setattr("actviz.paths.user_plugin_dir", lambda: folder)
    panel.leaders = [
        {"formula": "x*sigmoid(x)", "score": 0.9, "cost": 1.5, "origin": "random", "parents": []}
    ]
    panel._show_leaders()
    panel.table.selectRow(0)
    path = panel.save_selected("found_swish")
    assert path is not None and path.endswith("found_swish.py")
    code, out, err = run_cli("check", path)
    assert code == 0, err
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    assert panel.save_selected("found_swish") is None  # exists: refused, said why
    assert warned and "exists" in warned[0]


def test_verify_races_the_selected_candidate_on_fresh_seeds(qtbot, panel):
    panel.leaders = [
        {"formula": "tanh(x)", "score": 0.9, "cost": 2.0, "origin": "random", "parents": []}
    ]
    panel._show_leaders()
    assert not panel.verify_button.isEnabled()  # nothing selected yet
    panel.table.selectRow(0)
    assert panel.verify_button.isEnabled()
    panel.verify_selected()
    _wait_idle(qtbot, panel)
    text = panel.verdicts.text()
    assert "On fresh seeds" in text and "tanh(x)" in text
    assert all(base in text for base in ("relu:", "gelu:", "silu:"))


def test_a_selected_row_shows_its_lineage(qtbot, panel):
    panel.leaders = [
        {"formula": "x*sigmoid(2*x)", "score": 0.95, "cost": 2.0, "origin": "mutation",
         "parents": ["x*sigmoid(x)"]},
        {"formula": "tanh(x)", "score": 0.9, "cost": 1.5, "origin": "random", "parents": []},
    ]  # fmt: skip
    panel._show_leaders()
    panel.table.selectRow(0)
    assert "x*sigmoid(2*x)" in panel.lineage.text() and "a mutation of" in panel.lineage.text()
    assert "x*sigmoid(x)" in panel.lineage.text()
    assert panel.table.item(0, 1).toolTip() == "x*sigmoid(2*x)"
    panel.table.selectRow(1)
    assert "drawn at random" in panel.lineage.text()

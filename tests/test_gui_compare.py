"""The Compare panel on stored runs: overlay, leaderboard, filters, rename, annotate,
delete, a parameter sweep from the GUI, and "Export comparison"."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost
from actviz.storage import RunStore, store_race
from actviz.training import RaceConfig
from actviz.training.sweep import parse_sweep


@pytest.fixture
def two_runs(builtin_catalogue):
    """Two small races stored in the test's run database: (relu, tanh) and (relu, gelu)."""
    ids = []
    with RunStore() as store:
        for acts in (["relu", "tanh"], ["relu", "gelu"]):
            config = RaceConfig(
                task="moons", activations=acts, seeds=2, steps=30, hidden=(6,), points=80
            )
            run_id, _ = store_race(
                config, builtin_catalogue.activations, builtin_catalogue.tasks["moons"], store
            )
            ids.append(run_id)
    return ids


@pytest.fixture
def compare(qtbot, monkeypatch):
    for var in ("ACTVIZ_SELECT", "ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    w.show_panel("compare")
    qtbot.waitExposed(w)
    return w.panel("compare")


def test_two_stored_runs_are_overlaid_by_step_and_ranked(two_runs, compare):
    a, b = two_runs
    assert {r["id"] for r in compare.model.runs} == {a, b}
    compare.select([a, b])
    assert compare.selected_ids() == [a, b]
    assert set(compare.bands.items) == {f"#{a} relu", f"#{a} tanh", f"#{b} relu", f"#{b} gelu"}
    run = RunStore().load_run(a)
    relu = [m for m in run["runs"] if m["activation"] == "relu"]
    steps, mean = compare.bands.data[f"#{a} relu"]
    assert list(steps) == [h["step"] for h in relu[0]["history"]]
    expected = np.mean([[h["test_metric"] for h in m["history"]] for m in relu], axis=0)
    assert mean == pytest.approx(expected)
    labels = [label.text for _s, label in compare.legend.items]
    assert f"#{b} gelu" in labels
    # the leaderboard ranks every run x activation by final metric
    rows = compare.leaders.rows
    assert len(rows) == 4
    finals = [r["final_mean"] for r in rows]
    assert finals == sorted(finals, reverse=True)
    # switching the series redraws the loss instead
    compare.series.setCurrentIndex(compare.series.findData("train_loss"))
    steps, mean = compare.bands.data[f"#{a} relu"]
    expected = np.mean([[h["train_loss"] for h in m["history"]] for m in relu], axis=0)
    assert mean == pytest.approx(expected)


def test_filters_by_task_and_activation(two_runs, compare, qtbot):
    a, b = two_runs
    compare.filters.activation.setText("gelu")
    qtbot.waitUntil(lambda: [r["id"] for r in compare.model.runs] == [b], timeout=3000)
    compare.filters.activation.setText("")
    compare.filters.task.setCurrentIndex(compare.filters.task.findData("moons"))
    qtbot.waitUntil(lambda: len(compare.model.runs) == 2, timeout=3000)


def test_rename_annotate_and_delete(two_runs, compare):
    a, b = two_runs
    assert compare.rename(a, "baseline")
    assert compare.annotate(a, "two seeds only")
    with RunStore() as store:
        run = store.load_run(a)
    assert (run["name"], run["note"]) == ("baseline", "two seeds only")
    assert not compare.rename(a, "   ")  # an empty name is refused
    compare.refresh()
    shown = {r["id"]: r["name"] for r in compare.model.runs}
    assert shown[a] == "baseline"
    compare.select([a, b])
    assert compare.delete_runs([a]) == 1
    with RunStore() as store:
        assert [r["id"] for r in store.list_runs()] == [b]
    assert [r["id"] for r in compare.model.runs] == [b]
    assert compare.selected_ids() == [b]
    assert all(k.startswith(f"#{b} ") for k in compare.bands.items)


def test_a_parameter_sweep_plots_the_metric_against_the_value(compare, qtbot):
    view = compare.sweep_view
    view.choose("leaky_relu", "negative_slope", 0.0, 0.3, 3)
    view.steps.setValue(20)
    view.seeds.setValue(1)
    with qtbot.waitSignal(compare.sweepFinished, timeout=60_000) as blocker:
        assert compare.start_sweep()
    run_id = blocker.args[0]
    columns = view.columns()
    assert columns["value"] == pytest.approx([0.0, 0.15, 0.3])
    run = RunStore().load_run(run_id)
    sweep = parse_sweep(run["config"])
    assert sweep is not None and sweep.values == (0.0, 0.15, 0.3)
    finals = [m["test_accuracy"] for m in run["runs"]]
    assert columns["mean"] == pytest.approx(finals)
    x, y = view.line.getData()
    assert list(x) == pytest.approx([0.0, 0.15, 0.3]) and list(y) == pytest.approx(finals)
    assert run_id in [r["id"] for r in compare.model.runs]


def test_export_comparison_writes_a_bundle_whose_script_runs(two_runs, compare, tmp_path):
    compare.select(two_runs)
    folder = tmp_path / "bundle"
    written = compare.export_comparison(folder)
    names = {p.relative_to(folder).as_posix() for p in written}
    for name in (
        "figures/compare-overlay.png",
        "figures/compare-overlay.svg",
        "figures/compare-overlay.csv",
        "figures/leaderboard.csv",
        "metrics.csv",
        "history.csv",
        "config.json",
        "reproduce.py",
        "data.npz",
        "README.md",
    ):
        assert name in names
    assert (folder / "figures/compare-overlay.png").stat().st_size > 5000
    config = json.loads((folder / "config.json").read_text())
    assert [r["id"] for r in config["runs"]] == two_runs
    out = subprocess.run(
        [sys.executable, "reproduce.py", "--steps", "5"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "RESULT" in out.stdout


def test_the_delete_key_asks_then_deletes_the_selected_runs(two_runs, compare, qtbot, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    a, b = two_runs
    compare.select([a])
    asked = []

    def answer(*args):
        asked.append(args[2])
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    compare.table.setFocus()
    qtbot.keyClick(compare.table, Qt.Key.Key_Delete)
    assert len(asked) == 1 and f"#{a}" in asked[0]
    assert {r["id"] for r in compare.model.runs} == {a, b}  # "No" keeps them
    qtbot.keyClick(compare.table, Qt.Key.Key_Delete)
    with RunStore() as store:
        assert [r["id"] for r in store.list_runs()] == [b]


def test_the_less_obvious_controls_explain_themselves(compare):
    window = compare.window()
    sweep = compare.sweep_view
    vector = window.curves.vector_view
    playground = window.panel("playground")
    controls = {
        "threshold": compare.threshold,
        "smoothing": compare.smoothing,
        "series": compare.series,
        "delete": compare.delete_button,
        "sweep low": sweep.low,
        "sweep high": sweep.high,
        "sweep count": sweep.count,
        "run sweep": sweep.run_button,
        "x2": vector.other,
        "x3": vector.third,
        "pause": playground.pause_button,
        "stop": playground.stop_button,
    }
    bare = [name for name, widget in controls.items() if not widget.toolTip().strip()]
    assert bare == []
    assert "steps to threshold" in compare.threshold.toolTip()


def test_leaderboard_groups_by_task_and_diff_names_the_differences(
    two_runs, compare, builtin_catalogue
):
    with RunStore() as store:
        config = RaceConfig(
            task="circles", activations=["relu"], seeds=2, steps=30, hidden=(6,), points=80
        )
        other, _ = store_race(
            config, builtin_catalogue.activations, builtin_catalogue.tasks["circles"], store
        )
    compare.refresh()
    a, b = two_runs
    compare.select([a, b])
    assert compare.leader_note.isHidden()
    assert [r["rank"] for r in compare.leaders.rows] == [1, 2, 3, 4]
    assert compare.diff_button.isEnabled()
    text = compare.diff_text()
    assert "activations: ['relu', 'tanh'] -> ['relu', 'gelu']" in text
    assert len(text.splitlines()) == 3
    compare.select([a, other])
    assert "different tasks (moons, circles)" in compare.leader_note.text()
    groups = {r["group"] for r in compare.leaders.rows}
    assert groups == {0, 1}
    assert [r["rank"] for r in compare.leaders.rows if r["run_id"] == other] == [1]
    assert "task: 'moons' -> 'circles'" in compare.diff_text()
    compare.select([a, b, other])
    assert not compare.diff_button.isEnabled()

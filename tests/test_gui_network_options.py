"""The Playground form's network options driven through its widgets: a per-layer entry,
extra inputs and an L2 penalty typed in, trained, tabled and stored; bad per-layer text
marked with its reason; features offered only for 2-D tasks; everything remembered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost
from actviz.storage import RunStore
from actviz.training import RaceConfig


@pytest.fixture
def window(open_playground):
    w, _panel = open_playground(["relu"])
    yield w
    for panel in w.panels:
        panel.shutdown()


def small_race(form, task="circles"):
    form.task.setCurrentIndex(form.task.findData(task))
    form.points.setValue(120)
    form.seeds.setText("2")
    form.steps.setValue(60)
    form.hidden.setText("6, 6")


def test_a_typed_per_layer_race_with_features_and_l2_is_trained_tabled_and_stored(window, qtbot):
    panel = window.panel("playground")
    form = panel.form
    small_race(form)
    qtbot.keyClicks(form.per_layer, "relu > tanh")
    form.features["x1sq"].click()
    form.features["x2sq"].click()
    form.l2.setValue(0.001)
    assert form.problems == []
    config = form.config()
    assert config.activations == ["relu", "relu>tanh"]
    assert config.features == ["x1sq", "x2sq"] and config.l2 == pytest.approx(0.001)
    assert "relu&gt;tanh" in form.activations.text()  # escaped in the rich text
    assert "layer 2: tanh" in form.activations.text()

    with qtbot.waitSignal(panel.raceFinished, timeout=60_000) as blocker:
        panel.train_button.click()
    run_id = blocker.args[0]
    names = [row["activation"] for row in panel.results.rows]
    assert names.count("relu>tanh") == 1 and "relu" in names
    row = next(r for r in panel.results.rows if r["activation"] == "relu>tanh")
    assert row["status"] == "finished" and row["final_mean"] >= 0.9  # x1², x2²: easy circles
    assert "relu>tanh" in panel.boundaries.cells
    with RunStore() as store:
        run = store.load_run(run_id)
    assert {m["activation"] for m in run["runs"]} == {"relu", "relu>tanh"}
    assert run["config"]["features"] == ["x1sq", "x2sq"]
    assert run["config"]["l2"] == pytest.approx(0.001)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("relu>tanh>relu", "names 3 layers but the network has 2 hidden layers"),
        ("relu>softmax", "only elementwise ones"),
        ("relu>nope", "unknown activation 'nope'"),
        ("tanh", "one activation per hidden layer"),
    ],
)
def test_bad_per_layer_text_is_marked_with_its_reason(window, text, reason):
    panel = window.panel("playground")
    form = panel.form
    small_race(form, "moons")
    form.per_layer.setText(text)
    assert reason in form.field_problem("per_layer")
    assert reason in form.per_layer.toolTip()
    assert "border" in form.per_layer.styleSheet()
    assert not panel.train_button.isEnabled()
    form.per_layer.setText("")
    assert form.problems == [] and panel.train_button.isEnabled()


def test_features_are_offered_for_two_d_tasks_only(window):
    form = window.panel("playground").form
    small_race(form, "moons")
    form.features["sinx1"].setChecked(True)
    assert form.config().features == ["sinx1"]
    form.task.setCurrentIndex(form.task.findData("sine"))
    assert not form.features["sinx1"].isEnabled()
    assert "need a 2-D task" in form.features["sinx1"].toolTip()
    assert form.config() is not None and form.config().features == []
    form.task.setCurrentIndex(form.task.findData("moons"))
    assert form.features["sinx1"].isEnabled() and form.config().features == ["sinx1"]
    assert "Σ|W|" in form.l1.toolTip() and "data loss" in form.l2.toolTip()


def test_the_options_are_remembered(window, qtbot, tmp_path):
    form = window.panel("playground").form
    small_race(form, "moons")
    form.l1.setValue(0.0005)
    form.l2.setValue(0.01)
    form.features["x1x2"].setChecked(True)
    form.per_layer.setText("relu>tanh, gelu>sigmoid")
    settings = QSettings(str(tmp_path / "form.ini"), QSettings.Format.IniFormat)
    form.save(settings, "playground/form")
    settings.sync()

    other = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(other)
    again = other.panel("playground").form
    assert again.per_layer.text() == ""
    again.restore(
        QSettings(str(tmp_path / "form.ini"), QSettings.Format.IniFormat), "playground/form"
    )
    assert again.l1.value() == pytest.approx(0.0005)
    assert again.l2.value() == pytest.approx(0.01)
    assert [f for f, box in again.features.items() if box.isChecked()] == ["x1x2"]
    assert again.per_layer.text() == "relu>tanh, gelu>sigmoid"
    for panel in other.panels:
        panel.shutdown()


def test_compare_overlays_and_ranks_a_stored_per_layer_race(builtin_catalogue, window, tmp_path):
    from actviz.storage import store_race

    config = RaceConfig(
        task="moons", activations=["relu>tanh", "relu"], seeds=2, steps=30, hidden=(6, 6),
        points=80, features=["x1x2"], l2=0.001,
    )  # fmt: skip
    with RunStore() as store:
        run_id, _ = store_race(
            config, builtin_catalogue.activations, builtin_catalogue.tasks["moons"], store
        )
    window.show_panel("compare")
    compare = window.panel("compare")
    compare.refresh()
    compare.select([run_id])
    assert set(compare.bands.items) == {f"#{run_id} relu>tanh", f"#{run_id} relu"}
    assert {r["activation"] for r in compare.leaders.rows} == {"relu>tanh", "relu"}
    written = compare.export_comparison(tmp_path / "bundle")
    assert written and not (tmp_path / "bundle" / "reproduce.py").exists()
    name = next(r["name"] for r in compare.model.runs if r["id"] == run_id)
    assert "relu>tanh" in name and "L2 0.001" in name and "+x1x2" in name

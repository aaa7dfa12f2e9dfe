"""Handout files and presentation mode, driven through the real window: a teacher saves a
configured Playground with locks, the class opens it and finds every field back and the
locked controls disabled; bad files say what is wrong; F5 presents and F5/Esc go back."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QMessageBox

from actviz.gui.handout_dialog import SaveHandoutDialog
from actviz.gui.handout_files import FOLDER_KEY
from actviz.gui.handout_setup import lockable
from actviz.gui.main_window import MainWindow
from actviz.gui.settings import open_settings, read_json
from actviz.gui.shortcuts_dialog import shortcut_rows
from actviz.handouts import SUFFIX
from actviz.host import PluginHost


@pytest.fixture
def shown(monkeypatch):
    """The texts of the message boxes the app shows (instead of blocking on them)."""
    texts: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        staticmethod(lambda _parent, title, text, *a: texts.append(f"{title}: {text}")),
    )
    return texts


@pytest.fixture
def make_window(open_playground):
    return open_playground


def configure(w, panel) -> None:
    """A teacher's setup: every field away from its default."""
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("circles"))
    form.points.setValue(120)
    form.noise.setValue(0.12)
    form.split.setValue(0.25)
    form.data_seed.setValue(3)
    form.hidden.setText("5, 3")
    form.init.setCurrentText("he")
    form.optimizer.setCurrentIndex(form.optimizer.findData("sgd"))
    form.lr.setText("0.05")
    form.steps.setValue(300)
    form.batch.setText("16")
    form.seeds.setText("0, 4")
    w.state.set_selected(["relu", "elu"])
    w.state.set_param("elu", "alpha", 0.5)
    form.per_layer.setText("relu>tanh")
    form.features["x1sq"].setChecked(True)
    form.features["x1x2"].setChecked(True)
    form.l2.setValue(0.001)
    panel.curves.log_scale.setChecked(False)
    panel.curves.smoothing.setValue(30)
    panel.views.setCurrentIndex(1)
    panel.threshold.setValue(0.8)


def scramble(w, panel) -> None:
    """A student's changes after the teacher saved."""
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.hidden.setText("8")
    form.optimizer.setCurrentIndex(form.optimizer.findData("adam"))
    form.lr.setText("0.3")
    form.steps.setValue(50)
    form.batch.setText("")
    form.seeds.setText("2")
    w.state.set_selected(["tanh"])
    w.state.set_param("elu", "alpha", 2.0)
    form.per_layer.setText("")
    form.features["x1sq"].setChecked(False)
    form.l2.setValue(0.0)
    panel.curves.log_scale.setChecked(True)
    panel.curves.smoothing.setValue(0)
    panel.views.setCurrentIndex(0)
    panel.threshold.setValue(0.5)
    w.show_panel("curves")


def test_a_saved_handout_restores_every_field_and_locks_two(make_window, tmp_path, shown):
    w, panel = make_window()
    configure(w, panel)
    saved = panel.form.config().to_dict()
    assert saved["task"] == "circles" and saved["activations"] == ["relu", "elu", "relu>tanh"]
    assert saved["features"] == ["x1sq", "x1x2"] and saved["l2"] == 0.001
    locks = ["lr", "optimizer"]
    path = w.handouts.save_to(tmp_path / "dying", "Dying ReLU", "Watch layer 2.", locks)
    assert path == tmp_path / ("dying" + SUFFIX)
    data = json.loads(path.read_text())
    assert data["locked"] == ["lr", "optimizer"] and data["title"] == "Dying ReLU"
    assert data["setup"]["lr"] == 0.05 and data["view"]["smoothing"] == 0.3

    scramble(w, panel)
    assert panel.form.config().to_dict() != saved
    assert w.handouts.open_file(path)
    assert shown == []
    assert w.current_panel() is panel
    assert panel.form.config().to_dict() == saved
    assert w.state.selected == ["relu", "elu"]
    assert w.state.params_for("elu")["alpha"] == 0.5
    assert not panel.curves.log_scale.isChecked()
    assert panel.curves.smoothing.value() == 30
    assert panel.views.currentIndex() == 1
    assert panel.threshold.value() == pytest.approx(0.8)

    fields = panel.form.fields
    for name in ("lr", "optimizer"):
        assert not fields[name].isEnabled()
        assert f"locked by the handout file dying{SUFFIX}" in fields[name].toolTip()
    for name in set(lockable(panel.form)) - {"lr", "optimizer"}:
        assert fields[name].isEnabled(), name
    assert w.activation_list.isEnabled()
    assert w.handouts.dock.isVisible()
    assert "Dying ReLU" in w.handouts.note.heading.text()
    assert w.handouts.note.body.text() == "Watch layer 2."
    assert "Learning rate" in w.handouts.note.locks.text()

    # the teacher lifts the locks
    assert w.handouts.unlock_action.isEnabled()
    w.handouts.unlock_action.trigger()
    assert fields["lr"].isEnabled() and fields["optimizer"].isEnabled()
    assert "locked" not in fields["lr"].toolTip()
    assert not w.handouts.unlock_action.isEnabled()


def test_a_handout_that_locks_the_activations_disables_the_list(make_window, tmp_path, shown):
    w, panel = make_window()
    path = w.handouts.save_to(tmp_path / "acts", "", "", ["activations"])
    assert w.handouts.open_file(path)
    assert not w.activation_list.isEnabled()
    assert "locked by the handout file" in w.activation_list.toolTip()
    assert not w.inspector.params_box.isEnabled()
    before = list(w.state.selected)
    for action in w.selection_actions:  # Edit > Clear selection, Select defaults, Reset
        action.trigger()
    assert w.state.selected == before
    assert "acts" + SUFFIX in w.handouts.note.heading.text()  # no title: the file's name
    w.handouts.unlock()
    assert w.activation_list.isEnabled() and w.inspector.params_box.isEnabled()
    w.selection_actions[0].trigger()  # Clear selection works again
    assert w.state.selected == []


def test_an_unknown_activation_is_named_and_the_rest_restored(make_window, tmp_path, shown):
    w, panel = make_window()
    configure(w, panel)
    path = w.handouts.save_to(tmp_path / "edited", "Edited", "", ["steps"])
    data = json.loads(path.read_text())
    data["setup"]["activations"] = ["relu", "swooshy", "elu"]
    path.write_text(json.dumps(data))
    saved = dict(data["setup"], activations=["relu", "elu"])

    scramble(w, panel)
    assert w.handouts.open_file(path)
    assert len(shown) == 1
    assert "swooshy" in shown[0] and "unknown activation" in shown[0]
    assert panel.form.config().to_dict() == saved
    assert not panel.form.steps.isEnabled()


def test_a_corrupt_file_gives_a_message_and_changes_nothing(make_window, tmp_path, shown):
    w, panel = make_window()
    configure(w, panel)
    before = panel.form.config().to_dict()
    path = tmp_path / ("broken" + SUFFIX)
    path.write_text('{"format": "actviz-handout", "version": 1, "setup": {"task": ')
    assert not w.handouts.open_file(path)
    assert len(shown) == 1 and "not valid JSON" in shown[0] and "broken" in shown[0]
    assert panel.form.config().to_dict() == before
    assert w.state.selected == ["relu", "elu"]
    assert not w.handouts.dock.isVisible()
    assert all(widget.isEnabled() for widget in panel.form.fields.values())

    newer = tmp_path / ("newer" + SUFFIX)
    newer.write_text(json.dumps({"format": "actviz-handout", "version": 99, "setup": {}}))
    assert not w.handouts.open_file(newer)
    assert "newer actviz" in shown[1]
    assert panel.form.config().to_dict() == before


def test_a_form_with_problems_is_not_saved(make_window, tmp_path, shown):
    w, panel = make_window()
    panel.form.lr.setText("fast")
    assert w.handouts.save_to(tmp_path / "bad", "", "", []) is None
    assert "lr" in shown[0]
    assert not list(tmp_path.iterdir())


def test_the_save_dialog_asks_title_notes_and_locks(
    make_window, tmp_path, shown, qtbot, monkeypatch
):
    w, panel = make_window()
    target = tmp_path / "from-dialog"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SaveHandoutDialog)
        labels = [dialog.locks.item(i).text() for i in range(dialog.locks.count())]
        assert "Learning rate" in labels and "Optimiser" in labels
        dialog.title.setText("Saturation")
        dialog.notes.setPlainText("Compare tanh and sigmoid.")
        dialog.set_locked(["hidden", "seeds"])
        dialog.accept()

    QTimer.singleShot(0, fill)
    w.handouts.save_action.trigger()
    data = json.loads((tmp_path / ("from-dialog" + SUFFIX)).read_text())
    assert data["title"] == "Saturation" and data["notes"] == "Compare tanh and sigmoid."
    assert data["locked"] == ["hidden", "seeds"]
    assert read_json(open_settings(), FOLDER_KEY, None) == str(tmp_path)
    assert w.handouts.folder() == tmp_path


def test_handout_and_presentation_keys_are_listed(make_window):
    w, _panel = make_window()
    rows = dict((action, key) for key, action in shortcut_rows(w))
    assert rows["Presentation mode"] == "F5"
    assert rows["Leave presentation mode"] == "Esc"
    assert rows["Save handout file"] == "Ctrl+S"
    assert rows["Open handout file"] == "Ctrl+O"
    assert rows["Reload plugins"] == "Ctrl+Shift+R"


def test_the_command_line_handout_opens_once_plugins_are_loaded(
    qtbot, tmp_path, monkeypatch, make_window, shown
):
    w, panel = make_window()
    configure(w, panel)
    path = w.handouts.save_to(tmp_path / "cli", "From the command line", "", ["hidden"])
    saved = panel.form.config().to_dict()
    w.close()
    from actviz.gui.launch import open_when_loaded

    monkeypatch.setenv("ACTVIZ_SELECT", "tanh")
    late = MainWindow(
        PluginHost([], use_entry_points=False, use_env=False), watch=False, background=True
    )
    qtbot.addWidget(late)
    open_when_loaded(late, str(path))
    late.show()
    qtbot.waitUntil(lambda: late.handouts.handout is not None, timeout=60_000)
    form = late.panel("playground").form
    assert form.config().to_dict() == saved
    assert not form.hidden.isEnabled()
    assert shown == []


def run_race(qtbot, panel) -> None:
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(80)
    form.hidden.setText("6")
    form.seeds.setText("2")
    form.steps.setValue(40)
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.train_button.click()


def press(qtbot, w, key) -> None:
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    qtbot.keyClick(w, key)
    QApplication.processEvents()


def test_presentation_mode_enlarges_the_views_and_f5_restores_them(make_window, qtbot):
    w, panel = make_window()
    run_race(qtbot, panel)
    axis = panel.curves.loss.getPlotItem().getAxis("left")
    line = panel.curves.loss_bands.items["relu"]["line"]
    form_pane = panel.splitter.widget(0)
    docks = {d.objectName(): d.isVisible() for d in w.findChildren(QDockWidget)}
    assert docks["dock-activations"] and docks["dock-inspector"]
    width_before = line.opts["pen"].widthF()
    curves_width = w.curves.line_width
    assert axis.style["tickFont"] is None and form_pane.isVisible()
    f_axis = w.curves.widgets["f"].getPlotItem().getAxis("left")  # fixed: stacked plots align
    f_width = f_axis.fixedWidth
    legend_size = panel.curves.legend.opts["labelTextSize"]

    press(qtbot, w, Qt.Key.Key_F5)
    assert w.presentation.active and w.presentation_action.isChecked()
    assert w.isFullScreen()
    assert not form_pane.isVisible()
    assert not any(d.isVisible() for d in w.findChildren(QDockWidget))
    assert axis.style["tickFont"].pointSize() == 16
    assert "16pt" in axis.labelString()
    assert line.opts["pen"].widthF() == pytest.approx(3 * width_before)
    assert w.curves.line_width == pytest.approx(3 * curves_width)
    assert panel.views.width() > 0.9 * w.width()  # the views fill the window
    assert f_axis.fixedWidth > f_width  # room for the larger tick labels
    assert panel.curves.legend.opts["labelTextSize"] == "14pt"

    press(qtbot, w, Qt.Key.Key_F5)
    assert not w.presentation.active and not w.presentation_action.isChecked()
    assert not w.isFullScreen()
    assert form_pane.isVisible()
    assert {d.objectName(): d.isVisible() for d in w.findChildren(QDockWidget)} == docks
    assert axis.style["tickFont"] is None and "16pt" not in axis.labelString()
    assert line.opts["pen"].widthF() == pytest.approx(width_before)
    assert w.curves.line_width == pytest.approx(curves_width)
    assert f_axis.fixedWidth == f_width
    assert panel.curves.legend.opts["labelTextSize"] == legend_size


def test_escape_leaves_presentation_mode(make_window, qtbot):
    w, panel = make_window()
    press(qtbot, w, Qt.Key.Key_F5)
    assert w.presentation.active
    press(qtbot, w, Qt.Key.Key_Escape)
    assert not w.presentation.active
    assert panel.splitter.widget(0).isVisible()
    assert not w.isFullScreen()


def test_closing_while_presenting_remembers_the_layout_from_before(make_window, qtbot):
    w, _panel = make_window()
    w.presentation.enter()
    assert w.presentation.active
    w.close()
    again, panel = make_window()
    assert not again.isFullScreen() and not again.presentation.active
    assert again.list_dock.isVisible() and again.inspector_dock.isVisible()
    assert panel.splitter.widget(0).isVisible()
    assert not again.handouts.dock.isVisible()  # no handout open yet
    axis = panel.curves.loss.getPlotItem().getAxis("left")
    assert axis.style["tickFont"] is None


def test_a_handout_that_cannot_be_written_says_so(make_window, tmp_path, shown):
    w, _panel = make_window()
    assert w.handouts.save_to(tmp_path / "no-such-folder" / "x", "", "", []) is None
    assert len(shown) == 1 and "Cannot save the handout" in shown[0]
    assert "no-such-folder" in shown[0]


def test_a_handout_is_not_opened_over_a_running_race(make_window, tmp_path, qtbot, shown):
    w, panel = make_window()
    path = w.handouts.save_to(tmp_path / "later", "Later", "", ["lr"])
    form = panel.form
    form.points.setValue(80)
    form.steps.setValue(40)
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        assert panel.start_race()
        assert not w.handouts.open_file(path)  # still running: nothing processed yet
    assert "a race is running" in shown[0]
    assert form.lr.isEnabled() and w.handouts.handout is None
    assert w.handouts.open_file(path)  # once it has finished
    assert not form.lr.isEnabled()


def test_every_lockable_control_is_documented(make_window):
    from pathlib import Path

    _w, panel = make_window()
    doc = (Path(__file__).parents[1] / "docs" / "handouts.md").read_text()
    listed = doc[doc.index("The lockable fields are the form's:") :].split("The view settings")[0]
    for name in lockable(panel.form):
        assert f"`{name}`" in listed, f"{name} is lockable but not in docs/handouts.md"


def test_each_lockable_control_is_named_by_its_own_label(make_window):
    _w, panel = make_window()
    labels = lockable(panel.form)
    assert labels["per_layer"] == "Per layer" and labels["l2"] == "L2 penalty"
    assert len(set(labels.values())) == len(labels), labels  # no two look the same


def test_restarting_the_app_keeps_the_handout_locked_until_unlocked(make_window, tmp_path, shown):
    w, panel = make_window()
    configure(w, panel)
    path = w.handouts.save_to(tmp_path / "locked", "Keep it", "", ["lr", "activations"])
    assert w.handouts.open_file(path)
    w.close()  # a student restarts the app

    again, panel = make_window()
    assert not panel.form.fields["lr"].isEnabled()
    assert panel.form.fields["lr"].toolTip().startswith(f"locked by the handout file {path.name}")
    assert not again.activation_list.isEnabled()
    assert panel.form.fields["steps"].isEnabled()
    assert not again.handouts.dock.isHidden() and "Keep it" in again.handouts.note.heading.text()
    again.handouts.unlock()  # the teacher's way out, remembered too
    again.close()

    third, panel = make_window()
    assert panel.form.fields["lr"].isEnabled() and third.activation_list.isEnabled()
    assert third.handouts.dock.isHidden()


def test_an_old_actviz_lesson_file_opens_in_the_window(make_window, tmp_path, shown):
    w, panel = make_window()
    path = tmp_path / "old.actviz-lesson"
    path.write_text(
        json.dumps(
            {
                "format": "actviz-lesson",
                "version": 1,
                "title": "Written before handouts",
                "setup": {"task": "circles", "activations": ["relu"], "lr": 0.05},
                "locked": ["lr"],
            }
        )
    )
    assert w.handouts.open_file(path)
    assert panel.form.config().lr == 0.05
    assert not panel.form.lr.isEnabled()
    assert "Written before handouts" in w.handouts.note.heading.text()
    assert shown == []

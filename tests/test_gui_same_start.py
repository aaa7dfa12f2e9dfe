"""'Same start again…' driven through the widgets: a race, then its re-run from the very
same initial weights with ten times the learning rate, from the Playground and from
Compare's run list; runs that cannot be re-run are refused with a reason."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QPoint
from test_gui_playground import make_window  # noqa: F401 - the fixture

from actviz.storage import RunStore

METRICS = ("train_loss", "test_loss", "train_metric", "test_metric")


@pytest.fixture
def playground(make_window):  # noqa: F811 - the Playground's own small moons race
    return make_window(["relu", "tanh"])


def first_race(qtbot, panel) -> int:
    assert not panel.same_button.isEnabled()  # nothing to re-run yet
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000) as blocker:
        panel.train_button.click()
    run_id = blocker.args[0]
    assert isinstance(run_id, int)
    return run_id


def rerun_from_dialog(qtbot, panel, dialog) -> int:
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000) as blocker:
        dialog.race_button.click()
    run_id = blocker.args[0]
    assert isinstance(run_id, int)
    return run_id


def test_same_start_again_with_ten_times_the_lr_starts_from_the_same_weights(playground, qtbot):
    w, panel = playground
    first = first_race(qtbot, panel)
    assert panel.same_button.isEnabled()
    panel.same_button.click()
    dialog = panel.same_start_dialog
    assert dialog is not None and dialog.isVisible()
    assert f"#{first}" in dialog.windowTitle()
    assert dialog.lr.text() == "0.01" and dialog.steps.value() == 40  # the stored values
    dialog.times10.click()
    assert dialog.lr.text() == "0.1"
    again = rerun_from_dialog(qtbot, panel, dialog)
    assert again != first
    assert panel.form.lr.text() == "0.1"  # the form shows what trained

    with RunStore() as store:
        original, rerun = store.load_run(first), store.load_run(again)
        assert len(store.initial_states(again)) == 4
    assert rerun["status"] == "finished"
    assert rerun["name"] == f"same start as #{first}: lr 0.01 → 0.1"
    assert rerun["config"]["lr"] == pytest.approx(0.1)
    assert f"stored as run #{again} (same start as #{first}: lr 0.01 → 0.1)" in (
        panel.status.text()
    )
    for run, other in zip(original["runs"], rerun["runs"], strict=True):
        assert (run["activation"], run["seed"]) == (other["activation"], other["seed"])
        step0, step0_again = run["history"][0], other["history"][0]
        assert step0["step"] == step0_again["step"] == 0
        assert [step0[k] for k in METRICS] == [step0_again[k] for k in METRICS]
        assert run["history"][-1]["train_loss"] != other["history"][-1]["train_loss"]

    # the dialog remembers what it last raced with, whichever run it opens for
    dialog = panel.ask_same_start(first)
    assert dialog.lr.text() == "0.1"
    dialog.use_stored()  # "Stored values" puts back the run's own
    assert dialog.lr.text() == "0.01"
    dialog.reject()
    panel.same_button.click()  # now for the last race: the re-run
    dialog = panel.same_start_dialog
    assert f"#{again}" in dialog.windowTitle()
    dialog.lr.setText("-3")
    assert not dialog.race_button.isEnabled()
    assert "positive number" in dialog.problem.text()
    dialog.reject()


def test_compare_run_list_offers_same_start_in_the_playground(playground, qtbot):
    w, panel = playground
    first = first_race(qtbot, panel)
    w.show_panel("compare")
    compare = w.panel("compare")
    compare.refresh()
    table = compare.table
    row = next(
        r
        for r in range(table.model().rowCount())
        if compare.model.run_id(table.model().mapToSource(table.model().index(r, 0)).row()) == first
    )
    rect = table.visualRect(table.model().index(row, 0))
    compare._run_menu(QPoint(rect.center()))
    menu = compare.run_menu
    assert menu is not None
    action = menu.actions()[0]
    assert action.text() == f"Same start again… (run #{first})"
    action.trigger()
    menu.close()
    assert w.current_panel() is panel
    dialog = panel.same_start_dialog
    assert dialog is not None and dialog.run_id == first
    panel.form.hidden.setText("5")  # the form now describes another race: left alone
    dialog.steps.setValue(60)
    again = rerun_from_dialog(qtbot, panel, dialog)
    from actviz.gui.shortcuts_dialog import shortcut_rows

    assert ("Ctrl+Shift+A", "Same start again") in shortcut_rows(w)
    with RunStore() as store:
        rerun = store.load_run(again)
    assert rerun["name"] == f"same start as #{first}: steps 40 → 60"
    assert rerun["steps_done"] == 60
    assert rerun["config"]["hidden"] == [6]
    assert panel.form.steps.value() == 40 and panel.form.hidden.text() == "5"


def test_a_run_without_initial_networks_is_refused_with_the_reason(playground, qtbot):
    w, panel = playground
    first = first_race(qtbot, panel)
    with RunStore() as store:
        path = store.path
    conn = sqlite3.connect(path)  # as a run stored by an older actviz
    conn.execute("DELETE FROM initial_states")
    conn.commit()
    conn.close()
    assert panel.ask_same_start(first) is None
    assert f"run #{first} was stored without its initial networks" in panel.status.text()
    assert panel.ask_same_start(9999) is None
    assert "there is no run #9999" in panel.status.text()


def test_ctrl_shift_a_in_compare_opens_same_start_for_the_selected_run(playground, qtbot):
    from PySide6.QtCore import Qt

    w, panel = playground
    first = first_race(qtbot, panel)
    w.show_panel("compare")
    compare = w.panel("compare")
    compare.refresh()
    compare.select([first])
    with qtbot.waitActive(w):  # application shortcuts need an active window
        w.activateWindow()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(compare.table, Qt.Key.Key_A, modifiers)
    assert w.current_panel() is panel
    dialog = panel.same_start_dialog
    assert dialog is not None and dialog.isVisible() and dialog.run_id == first
    dialog.reject()
    # with nothing selected the key says what to do instead of guessing a run
    w.show_panel("compare")
    compare.table.clearSelection()
    panel.same_start_dialog = None
    qtbot.keyClick(compare.table, Qt.Key.Key_A, modifiers)
    assert panel.same_start_dialog is None
    assert "select a stored run first" in w.statusBar().currentMessage()

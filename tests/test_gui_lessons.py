"""The Lessons panel: pick a lesson, run it in a worker thread, read the measured verdict."""

from __future__ import annotations

import textwrap

import pytest
from PySide6.QtCore import Qt

from actviz.gui.main_window import MainWindow
from actviz.gui.panels.lessons import LessonsPanel, describe_preset
from actviz.host import PluginHost

FALSE_CLAIM = textwrap.dedent(
    """
    from actviz import Lesson, hookimpl

    def _measure(ctx):
        m = ctx.measurements({"sigmoid": {"f0": 0.5}})
        m.plot = ctx.plot("f(0)", "activation", "f(0)")
        m.plot.add("sigmoid", [0], [0.5])
        return m

    @hookimpl
    def actviz_lessons():
        return [Lesson(
            name="false_claim", title="A claim that fails", claim="sigmoid(0) is 0.",
            explanation="It is not.", preset={"activations": ["sigmoid"]},
            measure=_measure,
            check=lambda m: m.verdict(m.number("sigmoid", "f0") == 0, "f(0) measured",
                                      f0=m.number("sigmoid", "f0")),
        )]
    """
)


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_LESSON", "ACTVIZ_LESSON_RUN"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "teacher.py").write_text(FALSE_CLAIM)
    host = PluginHost([tmp_path], use_user_dir=False, use_entry_points=False, use_env=False)
    w = MainWindow(host, panels=[LessonsPanel])
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.panel("lessons").shutdown()


def run_and_wait(qtbot, panel, name, budget="quick"):
    assert panel.select(name)
    panel.budget.setCurrentText(budget)
    with qtbot.waitSignal(panel.lessonFinished, timeout=60000) as blocker:
        assert panel.run_lesson()
        assert panel.running and not panel.run_button.isEnabled()
    return blocker.args[0]


def test_lists_every_lesson_with_its_claim(window):
    panel = window.panel("lessons")
    role = Qt.ItemDataRole.UserRole
    names = [panel.list.item(i).data(role) for i in range(panel.list.count())]
    assert "dying_relu" in names and "false_claim" in names and len(names) >= 12
    panel.select("selu_self_normalising")
    assert "SELU" in panel.heading.text()
    assert "mean" in panel.claim.text() and "LeCun" in panel.claim.text()
    assert "Not run yet" in panel.verdict.text()


def test_runs_a_quick_lesson_and_shows_its_verdict(window, qtbot):
    panel = window.panel("lessons")
    result = run_and_wait(qtbot, panel, "step_cannot_learn")
    assert result.status == "done" and result.holds
    assert "Holds here" in panel.verdict.text()
    assert panel.summary.text() == result.verdict.summary
    shown = {panel.numbers.item(r, 0).text() for r in range(panel.numbers.rowCount())}
    assert "step hidden grad peak" in shown
    assert panel.progress.value() == 1000 and panel.run_button.isEnabled()
    drawn = [i for i in panel.plot.getPlotItem().listDataItems()]
    assert [d.name() for d in drawn] == ["step", "sigmoid"]
    columns = panel.plot_columns()
    assert "sigmoid y" in columns and len(columns["sigmoid x"]) == len(columns["step x"])
    assert panel.tables()["lesson-numbers"]()["step_hidden_grad_peak"] == [0.0]


def test_a_claim_that_fails_says_so(window, qtbot):
    panel = window.panel("lessons")
    result = run_and_wait(qtbot, panel, "false_claim", budget="full")
    assert result.status == "done" and result.holds is False
    assert "Does not hold here" in panel.verdict.text()


def test_stop_ends_the_run_without_a_verdict(window, qtbot):
    panel = window.panel("lessons")
    panel.select("siren_fits_detail")
    panel.budget.setCurrentText("full")
    with qtbot.waitSignal(panel.lessonFinished, timeout=60000) as blocker:
        panel.run_lesson()
        qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=30000)
        panel.stop_lesson()
    assert blocker.args[0].status == "stopped"
    assert "Stopped" in panel.verdict.text() and not panel.running


def test_results_are_kept_per_lesson(window, qtbot):
    panel = window.panel("lessons")
    run_and_wait(qtbot, panel, "sigmoid_vanishing")
    panel.select("dying_relu")
    assert "Not run yet" in panel.verdict.text()
    panel.select("sigmoid_vanishing")
    assert "Holds here" in panel.verdict.text()
    assert "Gradient norm per layer" in panel.plot_title.text()


def test_preset_line_reads_naturally():
    text = describe_preset({"task": "xor", "activations": ["linear", "tanh"], "hidden": [8, 8]})
    assert text == "task xor · activations linear, tanh · hidden 8x8"


def test_reseeding_shows_k_of_n(window, qtbot):
    from actviz.lessons import fresh_seed_pairs

    panel = window.panel("lessons")
    panel.reseed.setValue(3)
    result = run_and_wait(qtbot, panel, "sigmoid_vanishing")
    outcome = panel.reseeds[("sigmoid_vanishing", "quick")]
    assert [(r.data_seed, r.model_seed) for r in outcome.results] == fresh_seed_pairs(3)
    assert (result.data_seed, result.model_seed) == fresh_seed_pairs(1)[0]
    held = sum(r.holds for r in outcome.results)
    assert f"Holds in {held} of 3 seed pairs" in panel.verdict.text()
    assert "model seed 1000" in panel.verdict.text()
    panel.reseed.setValue(0)
    run_and_wait(qtbot, panel, "sigmoid_vanishing")
    assert "Holds here" in panel.verdict.text() and "seed pairs" not in panel.verdict.text()


def test_another_lesson_starts_from_a_clean_panel_and_run_stays_put(window, qtbot):
    panel = window.panel("lessons")
    run_and_wait(qtbot, panel, "step_cannot_learn")
    item = panel.plot.getPlotItem()
    assert item.getAxis("left").labelText and panel.status.text() == "done"
    lengths = {}
    for name in ("dying_relu", "false_claim", "selu_self_normalising"):
        assert panel.select(name)
        qtbot.wait(50)
        assert "Not run yet" in panel.verdict.text()
        assert panel.status.text() == ""
        assert item.listDataItems() == [] and not panel.legend.isVisible()
        for side in ("left", "bottom"):
            assert item.getAxis(side).labelText == ""
        assert item.getAxis("bottom")._tickLevels is None  # no tick names left over
        lengths[name] = len(panel.explanation.text())
        origin = panel.run_button.mapTo(window, panel.run_button.rect().topLeft())
        lengths[name] = (lengths[name], origin.y())
    assert len({n for n, _y in lengths.values()}) == 3  # descriptions of different lengths
    assert len({y for _n, y in lengths.values()}) == 1  # Run does not move


def test_every_measured_value_shows_whole_in_a_1024x700_window(window, qtbot):
    """The values keep their width; long names elide (whole in the tooltip). Names sized
    to their contents used to leave only a leading "0" of each value."""
    window.resize(1024, 700)
    panel = window.panel("lessons")
    run_and_wait(qtbot, panel, "step_cannot_learn")
    qtbot.wait(50)
    table = panel.numbers
    metrics = table.fontMetrics()
    viewport = table.viewport().rect()
    assert table.rowCount() > 0
    for row in range(table.rowCount()):
        if table.columnSpan(row, 0) > 1:  # a note across both columns
            continue
        value = table.item(row, 1)
        rect = table.visualRect(table.model().index(row, 1))
        assert viewport.left() <= rect.left() and rect.right() <= viewport.right() + 1
        assert metrics.horizontalAdvance(value.text()) <= rect.width(), value.text()
        assert table.item(row, 0).toolTip() == table.item(row, 0).text()

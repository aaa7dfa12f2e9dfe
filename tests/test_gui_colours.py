"""One colour per activation: the same pen for relu in Curves, Playground, Compare, Lessons."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

from actviz.figures.palette import colour_for
from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost


def pen_colours(widget: pg.PlotWidget) -> dict[str, str]:
    """Legend name -> pen colour of every named curve drawn in ``widget``."""
    out = {}
    for item in widget.getPlotItem().listDataItems():
        if item.name():
            out[item.name()] = item.opts["pen"].color().name()
    return out


@pytest.fixture
def window(qtbot, monkeypatch):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_LESSON"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ACTVIZ_SELECT", "tanh,relu,sigmoid")
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    for panel in w.panels:
        panel.shutdown()


def test_an_activation_has_one_colour_in_every_panel_and_both_themes(window, qtbot):
    curves = window.curves
    f_colour = {n: curves.items[n]["f"].opts["pen"].color().name() for n in curves.items}
    assert f_colour == {n: colour_for(n) for n in ("tanh", "relu", "sigmoid")}

    playground = window.panel("playground")
    window.show_panel("playground")
    form = playground.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(60)
    form.hidden.setText("4")
    form.seeds.setText("1")
    form.steps.setValue(20)
    with qtbot.waitSignal(playground.raceFinished, timeout=60_000) as race:
        playground.train_button.click()
    bands = playground.curves.metric_bands.items
    assert {n: bands[n]["line"].opts["pen"].color().name() for n in f_colour} == f_colour

    compare = window.panel("compare")
    window.show_panel("compare")
    compare.refresh()
    compare.select([race.args[0]])
    lines = {s: d["line"].opts["pen"].color().name() for s, d in compare.bands.items.items()}
    assert lines[f"#{race.args[0]} relu"] == f_colour["relu"]

    lessons = window.panel("lessons")
    window.show_panel("lessons")
    assert lessons.select("sigmoid_vanishing")
    lessons.budget.setCurrentText("quick")
    with qtbot.waitSignal(lessons.lessonFinished, timeout=60_000):
        lessons.run_lesson()
    drawn = pen_colours(lessons.plot)
    assert {"sigmoid", "tanh", "relu"} <= set(drawn)
    assert {n: drawn[n] for n in ("tanh", "relu", "sigmoid")} == f_colour

    window.toggle_theme()  # the dark variant, everywhere at once
    dark = {n: colour_for(n, dark=True) for n in f_colour}
    assert {n: curves.items[n]["f"].opts["pen"].color().name() for n in dark} == dark
    assert {n: pen_colours(lessons.plot)[n] for n in dark} == dark
    assert {n: bands[n]["line"].opts["pen"].color().name() for n in dark} == dark

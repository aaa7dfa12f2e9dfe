"""Every panel fits every window from 1024x700 to 2560x1440, before and after a race.

Geometry, not pixels: each plot's view box and its axes' outer tick labels, each table and
each shown button must lie inside what the window shows (its ancestors and scroll-area
viewports clip it), no panel scrolls sideways and no tool bar hides controls.
"""

from __future__ import annotations

import pytest
from geometry import layout_problems

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost

SIZES = [(1024, 700), (1600, 1000), (2560, 1440)]


@pytest.fixture
def window(qtbot, monkeypatch):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_SELECT"):
        monkeypatch.delenv(var, raising=False)
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    for panel in w.panels:
        panel.shutdown()


def problems_at_every_size(window, qtbot) -> list[str]:
    found = []
    for width, height in SIZES:
        window.resize(width, height)
        qtbot.wait(30)
        assert (window.width(), window.height()) == (width, height), "window would not shrink"
        for panel in window.panels:
            window.set_current_panel(panel)
            qtbot.wait(30)
            found += [f"{width}x{height} {panel.key}: {p}" for p in layout_problems(window)]
    return found


def test_every_panel_fits_every_window_size_before_and_after_a_race(window, qtbot):
    assert problems_at_every_size(window, qtbot) == []
    playground = window.panel("playground")
    window.show_panel("playground")
    form = playground.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(80)
    form.seeds.setText("1")
    form.steps.setValue(60)
    with qtbot.waitSignal(playground.raceFinished, timeout=60_000):
        playground.train_button.click()
    assert len(playground.boundaries.cells) == len(window.state.selected)
    assert problems_at_every_size(window, qtbot) == []


def test_docks_tab_together_on_a_narrow_window_and_split_on_a_wide_one(window, qtbot):
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.dock_fitter.tabbed, timeout=3000)
    assert window.inspector_dock.width() < window.width() // 3
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: not window.dock_fitter.tabbed, timeout=3000)
    assert window.inspector_dock.isVisible() and window.list_dock.isVisible()
    assert window.inspector_dock.width() < window.width() // 3


def test_splitter_positions_are_remembered(qtbot, monkeypatch):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_SELECT"):
        monkeypatch.delenv(var, raising=False)
    host = PluginHost([], use_entry_points=False, use_env=False)
    first = MainWindow(host, watch=False)
    qtbot.addWidget(first)
    first.resize(1600, 1000)
    first.show()
    splitter = first.panel("playground").splitter
    first.show_panel("playground")
    qtbot.wait(50)
    total = sum(splitter.sizes())
    splitter.setSizes([total // 2, total - total // 2])
    wanted = splitter.sizes()
    first.close()
    second = MainWindow(host, watch=False)
    qtbot.addWidget(second)
    second.resize(1600, 1000)  # the offscreen screen is smaller than a saved geometry
    second.show()
    second.show_panel("playground")
    qtbot.wait(50)
    assert second.panel("playground").splitter.sizes() == wanted
    for panel in second.panels:
        panel.shutdown()


def test_properties_names_stay_while_scrolling_right(window, qtbot):
    window.resize(1024, 700)
    window.show_panel("properties")
    table = window.panel("properties").table
    qtbot.waitUntil(lambda: table.model().rowCount() > 0, timeout=20_000)
    bar = table.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum())
    qtbot.wait(50)
    frozen = window.panel("properties").frozen.view
    assert frozen.isVisible() and frozen.columnWidth(0) == table.columnWidth(0)
    first = table.model().index(0, 0).data()
    at = frozen.indexAt(frozen.visualRect(frozen.model().index(0, 0)).center())
    assert at.data() == first
    # the frozen column covers exactly the place column 0 had, at the table's left edge
    assert frozen.geometry().left() <= table.frameWidth() + 1
    assert frozen.geometry().width() == table.columnWidth(0)


def test_every_panel_fits_in_presentation_mode(window, qtbot):
    """F5 with every text at 16 pt: each panel still fits the (full-screen) window."""
    window.resize(1600, 1000)
    window.presentation.enter()
    qtbot.wait(50)
    try:
        found = []
        for panel in window.panels:
            window.set_current_panel(panel)
            qtbot.wait(30)
            found += [f"presentation {panel.key}: {p}" for p in layout_problems(window)]
        assert found == []
    finally:
        window.presentation.leave()

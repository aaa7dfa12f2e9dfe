"""The Curves readout is as wide as a name and three numbers, not a share of the window:
at 2560 px the plots get the room (the readout used to take 560 px, mostly blank)."""

from __future__ import annotations

import pytest

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost


@pytest.fixture
def window(qtbot, monkeypatch):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ACTVIZ_SELECT", "relu,tanh,gelu,sigmoid,silu,pade")
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(w)
    w.show()
    w.show_panel("curves")
    qtbot.waitExposed(w)
    yield w
    for panel in w.panels:
        panel.shutdown()


@pytest.mark.parametrize("size", [(1024, 700), (1600, 1000), (2560, 1440)])
def test_the_readout_takes_what_it_shows_and_the_plots_the_rest(window, qtbot, size):
    curves = window.panel("curves")
    window.resize(*size)
    splitter = curves.splitter
    qtbot.waitUntil(
        lambda: (
            abs(splitter.sizes()[1] - min(curves._readout_width(), sum(splitter.sizes()) * 0.33))
            <= 2
            or splitter.sizes()[1] == splitter.widget(1).minimumSizeHint().width()
        ),
        timeout=3000,
    )
    plots, side = splitter.sizes()
    assert side <= 400, f"readout {side} px of {plots + side}"
    assert plots >= 1.4 * side
    # every number still shows whole: no column narrower than its text
    table = curves.readout
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):
        for col in range(1, 4):
            item = table.item(row, col)
            if item is not None and item.text():
                assert metrics.horizontalAdvance(item.text()) <= table.columnWidth(col)


def test_a_dragged_readout_keeps_the_users_width(window, qtbot):
    curves = window.panel("curves")
    window.resize(2560, 1440)
    qtbot.wait(50)
    splitter = curves.splitter
    total = sum(splitter.sizes())
    splitter.splitterMoved.emit(total - 700, 1)  # what a drag of the handle emits
    splitter.setSizes([total - 700, 700])
    window.resize(2400, 1400)
    qtbot.wait(50)
    assert splitter.sizes()[1] >= 650

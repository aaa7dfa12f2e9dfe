"""The crosshair readout never truncates a number, at 1024x700 and with softmax shown."""

from __future__ import annotations

import pytest

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost


@pytest.fixture
def window(qtbot, monkeypatch):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ACTVIZ_SELECT", "relu,sigmoid,tanh,gelu,silu,elu,softmax")
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    w.show_panel("curves")
    qtbot.waitExposed(w)
    yield w
    for panel in w.panels:
        panel.shutdown()


def test_readout_numbers_fit_their_cells_and_every_row_shows(window, qtbot):
    curves = window.curves
    qtbot.waitUntil(lambda: all(n in curves.data for n in ("relu", "gelu", "elu")), timeout=20_000)
    curves.set_crosshair(-0.9037)
    table = curves.readout
    values = curves.readout_values()
    metrics = table.fontMetrics()
    checked = 0
    for r in range(table.rowCount()):
        name = table.item(r, 0).text()
        for c in range(1, 4):
            text = table.item(r, c).text()
            if not text:
                continue
            assert "…" not in text
            assert metrics.horizontalAdvance(text) <= table.columnWidth(c), (name, text)
            assert float(text) == pytest.approx(values[name][c - 1], rel=0.02, abs=1e-3)
            checked += 1
    assert checked >= 12
    # the vector view (softmax) does not squeeze the readout: every row is visible
    last = table.visualRect(table.model().index(table.rowCount() - 1, 0))
    assert table.viewport().rect().contains(last)


def test_mark_labels_stay_inside_their_plot(window, qtbot):
    curves = window.curves
    window.state.set_current("gelu")
    qtbot.waitUntil(lambda: "gelu" in curves.data, timeout=20_000)
    curves.fit()
    qtbot.wait(200)
    shown = 0
    for row, labels in curves._mark_labels.items():
        box = curves.widgets[row].getPlotItem().getViewBox().sceneBoundingRect()
        for label in labels:
            if label.isVisible() and label.textItem.toPlainText():
                rect = label.sceneBoundingRect()
                assert box.contains(rect), (row, label.textItem.toPlainText())
                shown += 1
    assert shown >= 2


def test_an_undefined_second_derivative_says_so_instead_of_a_blank(window, qtbot):
    curves = window.curves
    qtbot.waitUntil(lambda: "relu" in curves.data, timeout=20_000)
    curves.set_crosshair(0.0)
    table = curves.readout
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "relu")
    assert float(table.item(row, 1).text()) == 0  # f(0)
    d2 = table.item(row, 3)
    assert d2.text() == "—"
    assert "not defined" in d2.toolTip() and "kink" in d2.toolTip()
    curves.set_crosshair(0.5)  # off the kink: a number again, no tooltip
    assert float(table.item(row, 3).text()) == 0 and table.item(row, 3).toolTip() == ""

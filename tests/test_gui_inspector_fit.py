"""The Inspector wraps to its dock at 1024x700 instead of cutting text: no part of it is
wider than the dock, no unwrapped text is longer than its label, every declared-vs-measured
cell shows all its (wrapped) text, and a slider shows its whole value."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost

NAMES = ["elu", "pade", "bspline", "gelu", "relu"]


@pytest.fixture
def window(qtbot, monkeypatch):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_SELECT"):
        monkeypatch.delenv(var, raising=False)
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    w.inspector_dock.show()
    w.inspector_dock.raise_()
    yield w
    for panel in w.panels:
        panel.shutdown()


def _problems(inspector) -> list[str]:
    found = []
    body = inspector.widget()
    if body.width() > inspector.viewport().width():
        found.append(f"body {body.width()} px in a {inspector.viewport().width()} px dock")
    for label in body.findChildren(QLabel):
        if not label.isVisible() or label.pixmap() is not None and not label.pixmap().isNull():
            continue
        text = label.text()
        if not text or Qt.mightBeRichText(text):
            continue
        metrics = label.fontMetrics()
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + 1:
                found.append(f"{text!r} needs {need} px, has {label.height()}")
        elif metrics.horizontalAdvance(text) > label.width() + 1:
            found.append(f"{text!r} cut at {label.width()} px")
    table = inspector.compare
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            if item is None:
                continue
            box = table.fontMetrics().boundingRect(
                QRect(0, 0, table.columnWidth(c) - 8, 10_000),
                int(Qt.TextFlag.TextWordWrap),
                item.text(),
            )
            if box.width() > table.columnWidth(c) or box.height() > table.rowHeight(r):
                found.append(f"compare cell {item.text()!r} cut")
    for name, slider in inspector.sliders.items():
        value = getattr(slider.slider, "_label", None)
        if value is not None and value.isVisible():
            text = value.text()
            if value.fontMetrics().horizontalAdvance(text) > value.width():
                found.append(f"slider {name} shows {text!r} in {value.width()} px")
    return found


def test_the_inspector_fits_its_dock_at_1024(window, qtbot):
    inspector = window.inspector
    measurements = window.measurements
    for name in NAMES:
        window.state.set_current(name)
        qtbot.waitUntil(lambda n=name: measurements.properties(n) is not None, timeout=30_000)
        inspector.refresh_measured()
        qtbot.wait(50)
        assert inspector.isVisible()
        assert _problems(inspector) == [], name

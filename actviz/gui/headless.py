"""Figures drawn without a window, for ``actviz plot`` and batch exports.

A ``QApplication`` is needed to draw text and paths; on a machine with no display
it is started on Qt's offscreen platform, so plotting works over SSH and in CI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ..analysis.curves import CurveSet
from ..palette import styles_for

ROW_LABELS = {"f": "f(x)", "d1": "f'(x)", "d2": "f''(x)"}


def ensure_app():
    """Return the running ``QApplication``, starting an offscreen one if there is no display."""
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not has_display and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["actviz"])


def curve_figure(
    curves: Sequence[CurveSet],
    rows: Sequence[str] = ("f", "d1"),
    *,
    width: int = 1200,
    height: int = 900,
    dark: bool = False,
):
    """Stacked plots (one per row of ``rows``) sharing the x axis, one curve per activation."""
    ensure_app()
    import pyqtgraph as pg

    from .pens import curve_pen

    background, foreground = ("#1e1e1e", "#dddddd") if dark else ("w", "#222222")
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground(background)
    widget.resize(width, height)
    first = None
    styles = styles_for([cs.name for cs in curves], dark)
    for r, row in enumerate(rows):
        plot = widget.addPlot(row=r, col=0)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setLabel("left", ROW_LABELS[row], color=foreground)
        plot.getAxis("left").enableAutoSIPrefix(False)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setPen(foreground)
            plot.getAxis(axis).setTextPen(foreground)
        if first is None:
            first = plot
            legend = plot.addLegend(offset=(10, 10), colCount=max(1, (len(curves) + 11) // 12))
            legend.setLabelTextColor(foreground)
        else:
            plot.setXLink(first)
        if r == len(rows) - 1:
            plot.setLabel("bottom", "x", color=foreground)
        for cs in curves:
            pen = curve_pen(styles[cs.name], width=2, cosmetic=False)
            name = cs.name + ("*" if cs.view else "") if plot is first else None
            plot.plot(cs.x, getattr(cs, row), pen=pen, name=name, connect="finite")
    notes = [f"* {cs.name}: {cs.view}" for cs in curves if cs.view]
    if notes:
        label = widget.addLabel("<br>".join(notes), row=len(rows), col=0, color=foreground)
        label.setMaximumHeight(18 * len(notes) + 8)
    _lay_out(widget)
    return widget


def _lay_out(widget) -> None:
    """Give an unshown widget its real size, so exports see the final layout."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.show()
    QApplication.processEvents()

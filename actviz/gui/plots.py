"""Plot widgets as actviz uses them: themed, with our Export in their context menu.

pyqtgraph's own export dialog is replaced (its SVG is drawn wrongly outside Qt):
right-click > "Export plot..." opens actviz's dialog, which draws files with
matplotlib through :mod:`actviz.figures`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGraphicsView

from ..figures import Figure
from .legend_place import placed_legend
from .theme import Theme, style_plot

Columns = Callable[[], dict[str, np.ndarray]]


@dataclass
class PlotExport:
    """One exportable plot: a file stem, a title, the widget drawn and its data as columns.

    ``figure`` builds the plot's Qt-free figure description for PNG/SVG/PDF files; when
    ``None``, the figure is read from what the widget shows (:mod:`.figure_reader`).
    """

    name: str
    title: str
    widget: QGraphicsView
    columns: Columns
    figure: Callable[[], Figure] | None = None


def make_plot(
    theme: Theme,
    *,
    title: str | None = None,
    left: str | None = None,
    bottom: str | None = None,
) -> pg.PlotWidget:
    """A PlotWidget styled for ``theme`` with labelled axes."""
    widget = pg.PlotWidget()
    plot = widget.getPlotItem()
    if title:
        plot.setTitle(title)
    if left:
        plot.setLabel("left", left)
    if bottom:
        plot.setLabel("bottom", bottom)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)
        # Grid lines at major ticks only: minor grid lines cost more to paint than the curves.
        plot.getAxis(axis).setStyle(maxTickLevel=0)
    plot.setMenuEnabled(True)
    restyle(widget, theme)
    return widget


def add_legend(widget: pg.PlotWidget, theme: Theme, **options) -> pg.LegendItem:
    """A legend styled for ``theme`` (labels added later take its text colour) that keeps
    off the data and hides while empty (``legend_place``)."""
    legend = placed_legend(widget.getPlotItem(), **options)
    style_plot(widget.getPlotItem(), theme)
    return legend


def restyle(widget: pg.PlotWidget | pg.GraphicsLayoutWidget, theme: Theme) -> None:
    """Apply ``theme`` to a plot widget (background, axes, grid, legend)."""
    widget.setBackground(theme.background)
    if isinstance(widget, pg.PlotWidget):
        style_plot(widget.getPlotItem(), theme)
    else:
        for item in widget.ci.items:
            if isinstance(item, pg.PlotItem):
                style_plot(item, theme)


def install_export_action(widget: QGraphicsView, open_dialog: Callable[[], None]) -> QAction:
    """Put "Export plot..." in the plot's context menu, in place of pyqtgraph's exporter."""
    action = QAction("Export plot… (Ctrl+E)", widget)
    action.triggered.connect(lambda _checked=False: open_dialog())
    widget.scene().contextMenu = [action]
    return action


def curve_columns(x: np.ndarray | None, curves: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``x`` then one column per curve, for curves sampled on the same grid."""
    if x is None:
        return {}
    return {"x": x, **curves}


def clear_layout(widget: pg.GraphicsLayoutWidget) -> None:
    """Empty a layout widget, keeping its old items alive until the next clear.

    Items deleted while the scene still refers to them (hover and paint bookkeeping)
    crash the next paint; holding them one layout longer avoids that.
    """
    widget._retired_items = list(widget.ci.items)
    widget.clear()


def regrid(widget: pg.GraphicsLayoutWidget, cols: int) -> None:
    """Lay the items of ``widget`` out again, ``cols`` to a row, in the order they were
    added: the same items move (nothing is created or deleted, so nothing is repainted
    from scratch), and pyqtgraph's own record of rows and columns follows."""
    layout = widget.ci
    grid = layout.layout
    items = list(layout.items)
    for item in items:
        for i in range(grid.count()):
            if grid.itemAt(i) is item:
                grid.removeAt(i)
                break
    layout.rows = {}
    for i, item in enumerate(items):
        row, col = divmod(i, max(1, cols))
        grid.addItem(item, row, col)
        layout.rows.setdefault(row, {})[col] = item
        layout.items[item] = [(row, col)]
    layout.currentRow, layout.currentCol = len(items) // max(1, cols), 0

"""Legends keep off the data and are hidden while empty."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from actviz.gui.plots import add_legend
from actviz.gui.theme import LIGHT


def _legend_rect_in_data(plot: pg.PlotItem, legend) -> tuple[float, float, float, float]:
    box = plot.getViewBox()
    rect = box.mapSceneToView(legend.sceneBoundingRect()).boundingRect()
    return rect.left(), rect.right(), rect.top(), rect.bottom()


def test_a_legend_sits_where_no_curve_runs_and_hides_when_empty(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    plot = widget.getPlotItem()
    legend = add_legend(widget, LIGHT, offset=(8, 8))
    assert not legend.isVisible()  # nothing drawn yet: no empty box
    x = np.linspace(-6, 6, 500)
    # relu-like curves: flat at 0 on the left, rising on the right, so the top-left and
    # the bottom-right corners are the crowded ones
    plot.plot(x, np.maximum(x, 0), name="relu")
    plot.plot(x, np.maximum(x, 0) * 0.9, name="relu9")
    plot.plot(x, np.full_like(x, -1.0) + 0.02 * x, name="floor")
    qtbot.waitUntil(legend.isVisible, timeout=2000)
    qtbot.wait(300)
    left, right, low, high = _legend_rect_in_data(plot, legend)
    for item in plot.listDataItems():
        xs, ys = item.getData()
        under = (xs >= left) & (xs <= right) & (ys >= min(low, high)) & (ys <= max(low, high))
        assert not under.any(), f"the legend covers {item.name()}"
    plot.clear()
    legend.clear()
    assert not legend.isVisible()

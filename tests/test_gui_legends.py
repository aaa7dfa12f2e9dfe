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


def _crowded_plot(qtbot, width: int, height: int, curves: int):
    """Curves through every corner: no corner of the view is free for a legend."""
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    plot = widget.getPlotItem()
    legend = add_legend(widget, LIGHT, offset=(8, 8))
    x = np.linspace(-1, 1, 400)
    for i in range(curves):
        plot.plot(x, x * (1 if i % 2 else -1) * (1 - 0.05 * i), name=f"curve {i}")
    qtbot.wait(400)
    return widget, plot, legend


def test_a_legend_with_no_free_corner_stands_beside_the_plot_whole(qtbot):
    widget, plot, legend = _crowded_plot(qtbot, 700, 300, 6)
    qtbot.waitUntil(lambda: legend.outside, timeout=3000)
    qtbot.wait(300)
    assert legend.isVisible()
    shown = widget.mapFromScene(legend.sceneBoundingRect()).boundingRect()
    box = widget.mapFromScene(plot.getViewBox().sceneBoundingRect()).boundingRect()
    assert not shown.intersects(box), f"legend {shown} over the data {box}"
    assert widget.rect().contains(shown), f"legend {shown} cut by the plot {widget.rect()}"
    for _sample, label in legend.items:  # every entry, none cut
        entry = widget.mapFromScene(label.sceneBoundingRect()).boundingRect()
        assert widget.rect().contains(entry), f"{label.text} at {entry} is cut"


def test_a_legend_too_big_for_a_small_crowded_plot_hides_rather_than_cover_data(qtbot):
    _widget, _plot, legend = _crowded_plot(qtbot, 160, 90, 6)
    qtbot.waitUntil(lambda: legend.outside, timeout=3000)
    qtbot.wait(300)
    assert not legend.isVisible()

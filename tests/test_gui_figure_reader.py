"""Plots without a builder are exported from what they show: the reader takes curves
(original samples), dashes, legend names, bands, images through their lookup table and
log axes from a pyqtgraph plot, and leaves the crosshair out."""

from __future__ import annotations

import subprocess

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor
from tools import need

from actviz.figures import Size, render_bytes, style_named
from actviz.gui.figure_reader import read_figure


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    item = widget.getPlotItem()
    item.setLabel("bottom", "step")
    item.setLabel("left", "<b>loss</b>")
    legend = item.addLegend()
    x = np.linspace(0, 10, 5000)
    solid = pg.PlotDataItem(x, np.sin(x), pen=pg.mkPen("#0072b2", width=2))
    dashed = pg.PlotDataItem(
        x, np.cos(x), pen=pg.mkPen("#d55e00", width=4, style=Qt.PenStyle.DashLine)
    )
    legend.addItem(solid, "relu")
    legend.addItem(dashed, "gelu")
    brush = QColor("#0072b2")
    brush.setAlpha(55)
    band = pg.PlotDataItem(
        np.r_[x, x[::-1]], np.r_[np.sin(x) + 0.2, (np.sin(x) - 0.2)[::-1]],
        pen=pg.mkPen(0, 0, 0, 0), fillLevel="enclosed", fillBrush=brush,
    )  # fmt: skip
    image = pg.ImageItem(np.array([[0.0, 1.0], [1.0, 0.0]]))
    image.setLookupTable(np.array([[255, 0, 0], [0, 0, 255]], dtype=np.uint8))
    image.setLevels((0.0, 1.0))
    image.setRect(QRectF(0, -1, 10, 2))
    for it in (image, band, solid, dashed):
        item.addItem(it)
    item.addItem(pg.InfiniteLine(pos=3.0, angle=90))  # the crosshair
    widget.resize(600, 400)
    return widget


def test_reader_takes_what_the_plot_shows(plot):
    fig = read_figure(plot)
    ax = fig.panels[0]
    assert (ax.xlabel, ax.ylabel) == ("step", "loss")
    names = [(c.label or c.name, c.colour, c.line) for c in ax.curves]
    assert names == [("relu", "#0072b2", "solid"), ("gelu", "#d55e00", "dash")]
    assert len(ax.curves[0].x) == 5000  # the data, not the screen's decimation
    assert ax.curves[1].width == 2 * ax.curves[0].width
    (band,) = ax.bands
    assert np.allclose(band.upper - band.lower, 0.4)
    (heat,) = ax.heatmaps
    assert heat.extent == (0, 10, -1, 1)
    assert heat.values.shape == (2, 2, 3) and tuple(heat.values[0, 0]) == (255, 0, 0)
    assert not ax.vlines  # no crosshair in files


def test_read_figure_renders_in_librsvg(plot):
    svg = render_bytes(read_figure(plot), "svg", style_named("screen"), Size(8, 6, 100))
    assert b">gelu</text>" in svg and b">relu</text>" in svg
    need("rsvg-convert")
    png = subprocess.run(
        ["rsvg-convert", "-w", "800", "-h", "600"], input=svg, capture_output=True, check=True
    ).stdout
    assert png.startswith(b"\x89PNG")

"""Read what a pyqtgraph plot shows into a Qt-free figure description.

Panels without a dedicated builder export through this: every visible curve (its
original samples, not the on-screen decimation), band, scatter and image, with the
axis labels, ranges and log scales the user sees. The crosshair, shaded regions and
hover labels are screen aids and are left out of files.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..figures import Axes, Band, Curve, Figure, Heatmap, Scatter

PEN_LINES = {
    Qt.PenStyle.DashLine: "dash",
    Qt.PenStyle.DotLine: "dot",
    Qt.PenStyle.DashDotLine: "dashdot",
    Qt.PenStyle.DashDotDotLine: "dashdot",
}
#: pyqtgraph's default pen width; curves drawn wider are drawn wider in files too.
BASE_WIDTH = 2.0


def plain(text: str | None) -> str:
    """Text of an axis label or title without its HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", text or "")).strip()


def plot_items(widget) -> list[tuple[int, int, pg.PlotItem]]:
    """(row, col, plot) of every visible plot in a PlotWidget or GraphicsLayoutWidget."""
    if isinstance(widget, pg.PlotWidget):
        return [(0, 0, widget.getPlotItem())]
    layout = getattr(widget, "ci", None)
    if layout is None:
        raise ValueError(f"cannot read a {type(widget).__name__} as a figure")
    out = []
    for item, cells in layout.items.items():
        if isinstance(item, pg.PlotItem) and item.isVisible() and cells:
            row, col = cells[0]
            out.append((row, col, item))
    return sorted(out, key=lambda t: (t[0], t[1]))


def read_figure(widget, name: str = "figure", title: str = "") -> Figure:
    """A :class:`~actviz.figures.Figure` of what ``widget`` shows now."""
    found = plot_items(widget)
    if not found:
        raise ValueError("this plot shows nothing to export yet")
    rows = max(r for r, _, _ in found) + 1
    cols = max(c for _, c, _ in found) + 1
    panels = [Axes(hidden=True) for _ in range(rows * cols)]  # empty cells stay empty
    for r, c, plot in found:
        panels[r * cols + c] = read_axes(plot)
    return Figure(panels, rows=rows, cols=cols, title=title, name=name)


def _legend_names(plot: pg.PlotItem) -> dict[int, str]:
    legend = plot.legend
    if legend is None:
        return {}
    names = {}
    for sample, label in legend.items:
        item = getattr(sample, "item", None)
        if item is not None:
            names[id(item)] = plain(label.text)
    return names


def read_axes(plot: pg.PlotItem) -> Axes:
    """One plot's labels, ranges, scales and data items."""
    axis_x, axis_y = plot.getAxis("bottom"), plot.getAxis("left")
    xlog, ylog = bool(axis_x.logMode), bool(axis_y.logMode)
    (x0, x1), (y0, y1) = plot.vb.viewRange()
    if xlog:
        x0, x1 = 10**x0, 10**x1
    if ylog:
        y0, y1 = 10**y0, 10**y1
    ax = Axes(
        title=plain(plot.titleLabel.text) if plot.titleLabel.isVisible() else "",
        xlabel=plain(axis_x.labelText) if axis_x.isVisible() else "",
        ylabel=plain(axis_y.labelText) if axis_y.isVisible() else "",
        xlim=(x0, x1),
        ylim=(y0, y1),
        xlog=xlog,
        ylog=ylog,
        grid=axis_x.grid is not False or axis_y.grid is not False,
    )
    names = _legend_names(plot)
    for item in plot.items:
        if not item.isVisible():
            continue
        if isinstance(item, pg.PlotDataItem):
            _read_data_item(ax, item, names.get(id(item)) or item.name())
        elif isinstance(item, pg.ScatterPlotItem):
            _read_scatter(ax, item)
        elif isinstance(item, pg.ImageItem) and item.image is not None:
            _read_image(ax, item)
    return ax


def _colour(qcolor) -> str:
    return qcolor.name()


def _read_data_item(ax: Axes, item: pg.PlotDataItem, name: str | None) -> None:
    x, y = item.getOriginalDataset()
    if x is None or y is None or len(x) == 0:
        return
    x, y = np.asarray(x, float), np.asarray(y, float)
    opts = item.opts
    if opts.get("fillLevel") == "enclosed" and opts.get("fillBrush") is not None:
        n = len(x) // 2
        if len(x) == 2 * n and np.array_equal(x[:n], x[n:][::-1]):
            brush = pg.mkBrush(opts["fillBrush"]).color()
            ax.bands.append(Band("", x[:n], y[n:][::-1], y[:n], colour=_colour(brush), alpha=0.25))
        return
    pen = pg.mkPen(opts.get("pen"))
    if opts.get("pen") is not None and pen.style() != Qt.PenStyle.NoPen:
        ax.curves.append(
            Curve(
                name or "",
                x,
                y,
                colour=_colour(pen.color()),
                line=PEN_LINES.get(pen.style(), "solid"),
                width=max(0.5, pen.widthF() / BASE_WIDTH) if pen.widthF() > 0 else 1.0,
                legend=bool(name),
            )
        )
    if opts.get("symbol") is not None:
        brush = pg.mkBrush(opts.get("symbolBrush")).color()
        ax.scatters.append(
            Scatter(x, y, colour=_colour(brush), size=max(2.0, (opts.get("symbolSize") or 6) / 2))
        )


def _read_scatter(ax: Axes, item: pg.ScatterPlotItem) -> None:
    data = item.data
    if len(data) == 0:
        return
    colours = [pg.mkBrush(b).color().name() for b in data["brush"]]
    ax.scatters.append(
        Scatter(data["x"], data["y"], colours=colours, size=max(2.0, float(data["size"][0]) / 2))
    )


def _read_image(ax: Axes, item: pg.ImageItem) -> None:
    """The image as RGB through its lookup table, over the rectangle it covers."""
    image = np.asarray(item.image, dtype=float)
    if image.ndim != 2:
        return
    rect = item.mapRectToParent(item.boundingRect())
    extent = (rect.left(), rect.right(), rect.top(), rect.bottom())
    levels = item.levels if item.levels is not None else (np.nanmin(image), np.nanmax(image))
    lo, hi = float(np.ravel(levels)[0]), float(np.ravel(levels)[-1])
    lut = item.lut if not callable(item.lut) else item.lut(image)
    if lut is None:
        lut = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    lut = np.asarray(lut)[:, :3]
    scaled = (image - lo) * (len(lut) / max(hi - lo, 1e-12))
    index = np.clip(np.nan_to_num(scaled, nan=0), 0, len(lut) - 1).astype(int)
    rgb = lut[index]  # image[x, y] (pyqtgraph's column-major order) -> rows are y
    ax.heatmaps.append(Heatmap(np.transpose(rgb, (1, 0, 2)), extent))
    ax.grid = False

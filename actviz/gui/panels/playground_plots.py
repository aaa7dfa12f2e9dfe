"""Curves with a band (mean over seeds, min-max shaded) kept by key and updated in place.

A race redraws many times a second: items are created once per key and then only
``setData`` is called, and a key no longer shown is removed, never the whole plot.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ...analysis.race_history import Band, union_columns
from ..pens import line_width, mkpen

_INVISIBLE = pg.mkPen(0, 0, 0, 0)


EMPTY = Band(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))


class BandPlot:
    """The band curves of one ``PlotItem``; see the module docstring."""

    def __init__(self, plot: pg.PlotItem, legend: pg.LegendItem | None = None) -> None:
        self.plot = plot
        self.legend = legend
        self.items: dict[str, dict[str, object]] = {}
        self.data: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def update(
        self,
        key: str,
        band: Band | None,
        colour: str,
        *,
        name: str | None = None,
        dashed: bool = False,
        fill: bool = True,
        width: float = 2.0,
    ) -> None:
        """Show ``band`` under ``key`` (``None`` removes it; an empty band keeps the items
        but draws nothing); ``name`` puts it in the legend."""
        if band is None:
            self.remove(key)
            return
        items = self.items.get(key)
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        pen = mkpen(colour, width=line_width(width), style=style)
        if items is None:
            line = pg.PlotDataItem(pen=pen, connect="finite")
            line.setZValue(10)
            self.plot.addItem(line)
            items = {"line": line, "name": None}
            self.items[key] = items
        line = items["line"]
        line.setPen(pen)
        line.setData(band.steps, band.mean)
        self.data[key] = (band.steps, band.mean)
        self._set_fill(items, band, colour, fill)
        if self.legend is not None and items["name"] != name:
            if items["name"] is not None:
                self.legend.removeItem(line)
            if name is not None:
                self.legend.addItem(line, name)
            items["name"] = name

    def _set_fill(self, items: dict, band: Band, colour: str, fill: bool) -> None:
        """The band as one closed polygon (steps forward along the top, back along the
        bottom): a single item and a single ``setData`` per update."""
        ok = np.isfinite(band.low) & np.isfinite(band.high)
        if not fill or len(ok) < 2 or ok.sum() < 2 or np.array_equal(band.low[ok], band.high[ok]):
            item = items.pop("fill", None)
            if item is not None:
                self.plot.removeItem(item)
            return
        brush = QColor(colour)
        brush.setAlpha(55)
        item = items.get("fill")
        if item is None:
            item = pg.PlotDataItem(pen=_INVISIBLE, fillLevel="enclosed", fillBrush=brush)
            item.setZValue(1)
            self.plot.addItem(item)
            items["fill"] = item
        else:
            item.setFillBrush(brush)
        steps = band.steps[ok]
        item.setData(
            np.concatenate([steps, steps[::-1]]),
            np.concatenate([band.high[ok], band.low[ok][::-1]]),
        )

    def remove(self, key: str) -> None:
        items = self.items.pop(key, None)
        self.data.pop(key, None)
        if items is None:
            return
        if self.legend is not None and items["name"] is not None:
            self.legend.removeItem(items["line"])
        for k in ("line", "fill"):
            item = items.get(k)
            if item is not None:
                self.plot.removeItem(item)

    def retain(self, keys: set[str]) -> None:
        """Remove every key not in ``keys``."""
        for key in [k for k in self.items if k not in keys]:
            self.remove(key)

    def clear(self) -> None:
        self.retain(set())

    def blank(self) -> None:
        """Empty every curve but keep the items (a new race reuses them: creating items
        and legend entries costs far more than filling them)."""
        for items in self.items.values():
            for k in ("line", "fill"):
                item = items.get(k)
                if item is not None:
                    item.setData([], [])
        self.data.clear()

    def extent(self) -> tuple[float, float] | None:
        """The smallest and largest finite y drawn (lines and bands), or ``None``."""
        lows, highs = [], []
        for items in self.items.values():
            for k in ("line", "fill"):
                item = items.get(k)
                if item is None:
                    continue
                _x, y = item.getOriginalDataset()
                if y is None or not len(y):
                    continue
                y = np.asarray(y, dtype=float)
                y = y[np.isfinite(y)]
                if len(y):
                    lows.append(y.min())
                    highs.append(y.max())
        if not lows:
            return None
        return float(min(lows)), float(max(highs))

    def columns(self) -> dict[str, np.ndarray]:
        """The plotted means for CSV, on the union of their steps."""
        return union_columns([(k, x, y) for k, (x, y) in self.data.items()])


def sticky_y(plot: pg.PlotItem, extent: tuple[float, float] | None, log: bool) -> None:
    """Keep the y range while the data stays inside it, else widen it to round numbers
    (decades on a log axis). Every change of range regenerates the axis in Python, so
    a live plot that rescales at each update is a plot that stalls the window."""
    if extent is None:
        return
    lo, hi = extent
    if log:
        if hi <= 0:
            return
        lo = max(lo, hi * 1e-12) if lo <= 0 else lo
        lo, hi = np.floor(np.log10(lo)), np.ceil(np.log10(hi))
        if hi <= lo:
            hi = lo + 1
    else:
        span = hi - lo if hi > lo else max(abs(hi), 1.0)
        step = 10 ** np.floor(np.log10(span)) / 2
        lo, hi = np.floor(lo / step) * step, np.ceil(hi / step) * step
        if hi <= lo:
            hi = lo + step
    (cur_lo, cur_hi) = plot.getViewBox().viewRange()[1]
    inside = cur_lo <= lo and hi <= cur_hi
    too_loose = (cur_hi - cur_lo) > 8 * (hi - lo)
    if plot.getViewBox().autoRangeEnabled()[1] or not inside or too_loose:
        plot.enableAutoRange(y=False)
        plot.setYRange(float(lo), float(hi), padding=0.02)

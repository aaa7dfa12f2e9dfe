"""Curves with a band (mean over seeds, min-max shaded) kept by key and updated in place.

A race redraws many times a second: items are created once per key and then only
``setData`` is called, and a key no longer shown is removed, never the whole plot.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from .playground_data import Band, union_columns

_INVISIBLE = pg.mkPen(0, 0, 0, 0)


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
        """Show ``band`` under ``key`` (``None`` removes it); ``name`` puts it in the legend."""
        if band is None or not len(band.steps):
            self.remove(key)
            return
        items = self.items.get(key)
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        pen = pg.mkPen(colour, width=width, style=style)
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
        ok = np.isfinite(band.low) & np.isfinite(band.high)
        if not fill or ok.sum() < 2 or np.array_equal(band.low[ok], band.high[ok]):
            for k in ("low", "high", "fill"):
                item = items.pop(k, None)
                if item is not None:
                    self.plot.removeItem(item)
            return
        if "fill" not in items:
            low = pg.PlotDataItem(pen=_INVISIBLE)
            high = pg.PlotDataItem(pen=_INVISIBLE)
            for item in (low, high):
                self.plot.addItem(item)
            brush = QColor(colour)
            brush.setAlpha(55)
            fill_item = pg.FillBetweenItem(low, high, brush=brush)
            fill_item.setZValue(1)
            self.plot.addItem(fill_item)
            items.update(low=low, high=high, fill=fill_item)
        else:
            brush = QColor(colour)
            brush.setAlpha(55)
            items["fill"].setBrush(brush)
        items["low"].setData(band.steps[ok], band.low[ok])
        items["high"].setData(band.steps[ok], band.high[ok])

    def remove(self, key: str) -> None:
        items = self.items.pop(key, None)
        self.data.pop(key, None)
        if items is None:
            return
        if self.legend is not None and items["name"] is not None:
            self.legend.removeItem(items["line"])
        for k in ("line", "low", "high", "fill"):
            item = items.get(k)
            if item is not None:
                self.plot.removeItem(item)

    def retain(self, keys: set[str]) -> None:
        """Remove every key not in ``keys``."""
        for key in [k for k in self.items if k not in keys]:
            self.remove(key)

    def clear(self) -> None:
        self.retain(set())

    def columns(self) -> dict[str, np.ndarray]:
        """The plotted means for CSV, on the union of their steps."""
        return union_columns([(k, x, y) for k, (x, y) in self.data.items()])

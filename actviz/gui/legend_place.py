"""Legends that keep off the data: each sits in the corner of its plot where the fewest
drawn points fall under it, moves when the view or the curves change, and is hidden
while it has no entries (an empty legend box is clutter)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer

#: Pixels between a legend and the edges of its plot.
MARGIN = 8
#: Points sampled per curve when counting what a corner would cover.
SAMPLES = 1500


def _corners(margin: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(anchor, offset) for top-left, top-right, bottom-left, bottom-right."""
    return [
        ((0, 0), (margin, margin)),
        ((1, 0), (-margin, margin)),
        ((0, 1), (margin, -margin)),
        ((1, 1), (-margin, -margin)),
    ]


class PlacedLegend(pg.LegendItem):
    """A legend that places itself; see the module docstring."""

    def __init__(self, plot: pg.PlotItem, **options) -> None:
        super().__init__(**options)
        self.plot = plot
        self.setParentItem(plot.getViewBox())
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.place)
        plot.getViewBox().sigRangeChanged.connect(lambda *_: self._timer.start())
        plot.getViewBox().sigResized.connect(lambda *_: self._timer.start())
        self.setVisible(False)

    def addItem(self, item, name) -> None:  # noqa: N802 - pyqtgraph API
        super().addItem(item, name)
        self._changed()

    def removeItem(self, item) -> None:  # noqa: N802 - pyqtgraph API
        super().removeItem(item)
        self._changed()

    def clear(self) -> None:
        super().clear()
        self._changed()

    def _changed(self) -> None:
        self.setVisible(bool(self.items))
        self._timer.start()

    def covered(self, corner: int) -> int:
        """How many drawn points the legend would cover in ``corner`` (0..3)."""
        box = self.plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        px, py = box.viewPixelSize()
        w = (self.width() + MARGIN) * px
        h = (self.height() + MARGIN) * py
        left = corner in (0, 2)
        top = corner in (0, 1)
        xs = (x0, x0 + w) if left else (x1 - w, x1)
        ys = (y1 - h, y1) if top else (y0, y0 + h)
        count = 0
        for item in self.plot.listDataItems():
            if not item.isVisible():
                continue
            x, y = item.getData()
            if x is None or y is None or not len(x):
                continue
            step = max(1, len(x) // SAMPLES)
            x, y = np.asarray(x[::step], float), np.asarray(y[::step], float)
            inside = (x >= xs[0]) & (x <= xs[1]) & (y >= ys[0]) & (y <= ys[1])
            count += int(inside.sum())
        return count

    def place(self) -> None:
        """Move to the emptiest corner (staying put when the present one is as good)."""
        if not self.items or self.plot.getViewBox().width() < 10:
            return
        counts = [self.covered(c) for c in range(4)]
        current = getattr(self, "_corner", 1)
        best = min(range(4), key=lambda c: (counts[c], c != current))
        if best != current or not hasattr(self, "_corner"):
            self._corner = best
            anchor, offset = _corners(MARGIN)[best]
            self.anchor(itemPos=anchor, parentPos=anchor, offset=offset)


def placed_legend(plot: pg.PlotItem, **options) -> PlacedLegend:
    """Give ``plot`` a :class:`PlacedLegend` (the one ``plot.plot(name=...)`` fills)."""
    options.pop("offset", None)  # the legend chooses its own corner
    legend = PlacedLegend(plot, offset=(MARGIN, MARGIN), **options)
    plot.legend = legend
    for item in plot.listDataItems():
        if item.name():
            legend.addItem(item, item.name())
    return legend

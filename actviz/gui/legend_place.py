"""Legends that keep off the data: each sits in the corner of its plot where the fewest
drawn points fall under it, moves when the view or the curves change, and is hidden
while it has no entries (an empty legend box is clutter)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGraphicsWidget

#: Pixels between a legend and the edges of its plot.
MARGIN = 8
#: The most of its plot's width a legend standing beside the plot may take.
OUTSIDE_SHARE = 0.35
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
        """Move to the emptiest corner (staying put when the present one is as good);
        when every corner would cover drawn points, stand beside the plot instead."""
        if not self.items or self.plot.getViewBox().width() < 10:
            return
        counts = [self.covered(c) for c in range(4)]
        current = getattr(self, "_corner", 1)
        best = min(range(4), key=lambda c: (counts[c], c != current))
        if counts[best] > 0:
            self._stand_outside()
            return
        if self.outside:
            self._come_inside()
        elif best == current and hasattr(self, "_corner"):
            return
        self._corner = best
        anchor, offset = _corners(MARGIN)[best]
        self.anchor(itemPos=anchor, parentPos=anchor, offset=offset)

    @property
    def outside(self) -> bool:
        """Whether the legend stands beside the plot (or hides, where it cannot)."""
        return getattr(self, "_room", None) is not None

    def _stand_outside(self) -> None:
        """Right of the view box, in a column the plot's layout keeps free for it, with
        as many columns as keep it no taller than the plot. Where that column would take
        more than ``OUTSIDE_SHARE`` of the plot's width, the legend hides instead (the
        plot is too small for one; the Playground's cells name each colour)."""
        box = self.plot.getViewBox()
        if not self.outside:
            self._room = QGraphicsWidget()
            self.plot.layout.addItem(self._room, 2, 3)
            self.setParentItem(self.plot)
        entry = max((label.height() for _sample, label in self.items), default=20)
        rows = max(1, int(box.height() // max(entry, 1)))
        columns = max(1, math.ceil(len(self.items) / rows))
        if columns != self.columnCount:
            self.setColumnCount(columns)
        width = self.layout.preferredWidth() + MARGIN
        fits = width <= OUTSIDE_SHARE * self.plot.width()
        self._room.setMinimumWidth(width if fits else 0)
        self._room.setMaximumWidth(width if fits else 0)
        self.setVisible(fits)
        self.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-2, box.geometry().top()))

    def _come_inside(self) -> None:
        room, self._room = self._room, None
        self.plot.layout.removeItem(room)
        room.setParentItem(None)
        if room.scene() is not None:
            room.scene().removeItem(room)
        self.setParentItem(self.plot.getViewBox())
        self.setColumnCount(1)
        self.setVisible(bool(self.items))


def placed_legend(plot: pg.PlotItem, **options) -> PlacedLegend:
    """Give ``plot`` a :class:`PlacedLegend` (the one ``plot.plot(name=...)`` fills)."""
    options.pop("offset", None)  # the legend chooses its own corner
    legend = PlacedLegend(plot, offset=(MARGIN, MARGIN), **options)
    plot.legend = legend
    for item in plot.listDataItems():
        if item.name():
            legend.addItem(item, item.name())
    return legend

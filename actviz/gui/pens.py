"""Qt pens for the palette's curve styles (``actviz.palette`` is Qt-free; this maps it to Qt)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPen

from ..palette import CurveStyle

#: The palette's line styles as Qt pen styles.
QT_LINES = {
    "solid": Qt.PenStyle.SolidLine,
    "dash": Qt.PenStyle.DashLine,
    "dot": Qt.PenStyle.DotLine,
    "dashdot": Qt.PenStyle.DashDotLine,
}


def curve_pen(style: CurveStyle, width: float = 2.0, cosmetic: bool = True) -> QPen:
    """The pen a curve of ``style`` is drawn with."""
    return pg.mkPen(
        style.colour,
        width=width,
        style=QT_LINES.get(style.line, Qt.PenStyle.SolidLine),
        cosmetic=cosmetic,
    )

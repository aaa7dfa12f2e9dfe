"""Qt pens for the palette's curve styles (``actviz.figures.palette`` is Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPen

from ..figures.palette import CurveStyle

#: The palette's line styles as Qt pen styles.
QT_LINES = {
    "solid": Qt.PenStyle.SolidLine,
    "dash": Qt.PenStyle.DashLine,
    "dot": Qt.PenStyle.DotLine,
    "dashdot": Qt.PenStyle.DashDotLine,
}


def device_ratio() -> float:
    """Device pixels per logical pixel on the screen (2 with ``QT_SCALE_FACTOR=2`` or a
    high-density display); 1 without a screen."""
    app = QGuiApplication.instance()
    screen = QGuiApplication.primaryScreen() if app is not None else None
    return float(screen.devicePixelRatio()) if screen is not None else 1.0


def scaled_width(width: float) -> float:
    """A cosmetic pen's ``width`` in logical pixels as the device pixels Qt draws it in
    (a 2 px curve would be a 1 px hairline at twice the pixel density)."""
    ratio = device_ratio()
    if ratio == 1.0:
        return width
    return (width or 1.0) * ratio  # width 0 is Qt's one-device-pixel hairline


def mkpen(*args, width: float = 1.0, **kwargs) -> QPen:
    """``pg.mkPen`` whose width is in logical pixels at any pixel density."""
    return pg.mkPen(*args, width=scaled_width(width), **kwargs)


def curve_pen(style: CurveStyle, width: float = 2.0, cosmetic: bool = True) -> QPen:
    """The pen a curve of ``style`` is drawn with."""
    return mkpen(
        style.colour,
        width=width,
        style=QT_LINES.get(style.line, Qt.PenStyle.SolidLine),
        cosmetic=cosmetic,
    )


@dataclass(frozen=True)
class Emphasis:
    """How much larger than usual plots are drawn: presentation mode on a projector."""

    line_scale: float = 1.0
    #: Point size of axis ticks, axis labels and legends; ``None``: pyqtgraph's own.
    font_pt: int | None = None


NORMAL = Emphasis()
PRESENTATION = Emphasis(line_scale=3.0, font_pt=16)
_emphasis = NORMAL


def emphasis() -> Emphasis:
    """The emphasis plots are drawn with now."""
    return _emphasis


def set_emphasis(value: Emphasis) -> None:
    """Draw plots with ``value`` from now on (callers restyle what is already drawn)."""
    global _emphasis
    _emphasis = value


def line_width(width: float) -> float:
    """``width`` as drawn with the current emphasis."""
    return width * _emphasis.line_scale


def title_size(usual: str = "9pt") -> str:
    """The font size of a plot title: ``usual``, or large with presentation emphasis."""
    pt = _emphasis.font_pt
    return f"{pt}pt" if pt else usual

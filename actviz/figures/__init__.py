"""Figures as data, drawn to files by matplotlib: the one export path for every plot.

A :class:`Figure` says what a plot shows (panels, curves, bands, heatmaps, markers,
labels, ranges); :func:`render` draws it to PNG, SVG or PDF in a :class:`Style` at a
:class:`Size`. Qt-free, so the CLI, the bundle writer and the GUI share it, and the
files look the same in every viewer (librsvg, poppler, browsers), not only in actviz.

matplotlib (about half a second to import) is loaded on the first use of a drawing name
(``render``, ``render_bytes``, ``FIGURE_FORMATS``), not with the package: the command line
reads the styles and sizes of every sub-command at start-up, also for ``train`` and ``check``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .size import Size, parse_length, parse_pixels, size_from_options
from .spec import Axes, Band, Curve, Figure, Heatmap, Marker, Scatter, VLine
from .style import STYLES, Style, style_named

if TYPE_CHECKING:
    from .drawing import FIGURE_FORMATS, render, render_bytes

__all__ = [
    "FIGURE_FORMATS",
    "STYLES",
    "Axes",
    "Band",
    "Curve",
    "Figure",
    "Heatmap",
    "Marker",
    "Scatter",
    "Size",
    "Style",
    "VLine",
    "parse_length",
    "parse_pixels",
    "render",
    "render_bytes",
    "size_from_options",
    "style_named",
]

#: names that ``drawing.py`` (matplotlib) provides, imported when first asked for
_DRAWING = ("FIGURE_FORMATS", "render", "render_bytes")


def __getattr__(name: str) -> Any:
    if name in _DRAWING:
        from . import drawing

        value = getattr(drawing, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

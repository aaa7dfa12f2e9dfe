"""Figures as data, drawn to files by matplotlib: the one export path for every plot.

A :class:`Figure` says what a plot shows (panels, curves, bands, heatmaps, markers,
labels, ranges); :func:`render` draws it to PNG, SVG or PDF in a :class:`Style` at a
:class:`Size`. Qt-free, so the CLI, the bundle writer and the GUI share it, and the
files look the same in every viewer (librsvg, poppler, browsers), not only in actviz.
"""

from .render import FIGURE_FORMATS, render, render_bytes
from .size import Size, parse_length, parse_pixels, size_from_options
from .spec import Axes, Band, Curve, Figure, Heatmap, Marker, Scatter, VLine
from .style import STYLES, Style, style_named

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

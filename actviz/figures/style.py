"""Looks for the three places figures go: a paper, a slide, a dark screen.

Each :class:`Style` is a set of matplotlib rcParams applied only while one figure is
drawn (``rc_context``), plus a default size. Text stays text in SVG and fonts are
embedded (TrueType, Type 42) in PDF, so journals and LaTeX accept the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .size import Size

MM = 1 / 25.4
#: One and two columns of a typical two-column paper.
ONE_COLUMN = 85 * MM
TWO_COLUMNS = 175 * MM

_COMMON = {
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "savefig.transparent": False,
    "path.simplify": True,
    "svg.hashsalt": "actviz",  # stable ids: the same figure gives the same file
}


@dataclass(frozen=True)
class Style:
    """A named look: rcParams, a line width for curves, whether colours are the dark set."""

    name: str
    rc: dict = field(default_factory=dict)
    line_width: float = 1.0
    dark: bool = False
    size: Size = Size(8.0, 6.0, 100.0)
    background: str = "white"
    foreground: str = "#222222"
    grid: str = "#dddddd"


def _rc(font: float, line: float, axes: float, **extra) -> dict:
    return {
        **_COMMON,
        "font.size": font,
        "axes.titlesize": font,
        "axes.labelsize": font,
        "xtick.labelsize": font - 1,
        "ytick.labelsize": font - 1,
        "legend.fontsize": font - 1,
        "figure.titlesize": font + 1,
        "lines.linewidth": line,
        "axes.linewidth": axes,
        "xtick.major.width": axes,
        "ytick.major.width": axes,
        "xtick.major.size": 2.5 if font < 12 else 5,
        "ytick.major.size": 2.5 if font < 12 else 5,
        "grid.linewidth": axes * 0.8,
        **extra,
    }


def _colours(background: str, foreground: str, grid: str) -> dict:
    return {
        "figure.facecolor": background,
        "axes.facecolor": background,
        "savefig.facecolor": background,
        "axes.edgecolor": foreground,
        "axes.labelcolor": foreground,
        "axes.titlecolor": foreground,
        "xtick.color": foreground,
        "ytick.color": foreground,
        "text.color": foreground,
        "grid.color": grid,
        "legend.labelcolor": foreground,
    }


PAPER = Style(
    "paper",
    _rc(8.5, 1.0, 0.6, **_colours("white", "#222222", "#e3e3e3")),
    line_width=1.0,
    size=Size(ONE_COLUMN, 60 * MM, 300.0),
)
SLIDES = Style(
    "slides",
    _rc(18, 3.0, 1.5, **_colours("white", "#222222", "#dddddd")),
    line_width=3.0,
    size=Size(10.0, 7.5, 160.0),
)
SCREEN = Style(
    "screen",
    _rc(11, 1.6, 0.8, **_colours("white", "#222222", "#e0e0e0")),
    line_width=1.6,
    size=Size(8.0, 6.0, 150.0),
)
DARK = Style(
    "dark",
    _rc(11, 1.6, 0.8, **_colours("#1e1e1e", "#dddddd", "#3a3a3a")),
    line_width=1.6,
    dark=True,
    size=Size(8.0, 6.0, 150.0),
    background="#1e1e1e",
    foreground="#dddddd",
    grid="#3a3a3a",
)

STYLES = {s.name: s for s in (PAPER, SLIDES, SCREEN, DARK)}


def style_named(name: str) -> Style:
    """The style called ``name``, or a ValueError listing the known ones."""
    try:
        return STYLES[name]
    except KeyError:
        raise ValueError(f"unknown style {name!r}: use {', '.join(STYLES)}") from None

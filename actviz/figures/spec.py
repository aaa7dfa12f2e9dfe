"""What a figure shows, as plain data: no drawing code, no toolkit.

Colours: a curve whose ``colour`` is ``None`` is an activation's curve and takes its
colour and line style from :mod:`actviz.figures.palette` when drawn, so a figure matches the
screen in the light and the dark style alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _array(values) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64).reshape(-1)
    return np.where(np.isfinite(a), a, np.nan)


@dataclass
class Curve:
    """A line through (x, y); non-finite points leave a gap."""

    name: str
    x: np.ndarray
    y: np.ndarray
    colour: str | None = None
    line: str | None = None  # palette line style: solid, dash, dot, dashdot
    width: float = 1.0  # relative to the style's line width
    legend: bool = True
    label: str | None = None  # legend text when it differs from the palette name

    def __post_init__(self) -> None:
        self.x, self.y = _array(self.x), _array(self.y)
        if len(self.x) != len(self.y):
            raise ValueError(f"curve {self.name}: x and y differ in length")


@dataclass
class Band:
    """A shaded region between ``lower`` and ``upper`` (mean ± spread over seeds)."""

    name: str
    x: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    colour: str | None = None
    alpha: float = 0.2
    label: str | None = None  # a band with a label gets its own legend entry

    def __post_init__(self) -> None:
        self.x, self.lower, self.upper = _array(self.x), _array(self.lower), _array(self.upper)


@dataclass
class Heatmap:
    """A 2-D array (or an RGB image, rows x cols x 3 bytes) drawn over ``extent`` =
    (x0, x1, y0, y1); row 0 is at y0."""

    values: np.ndarray
    extent: tuple[float, float, float, float]
    colormap: str | list[str] = "RdBu_r"  # a matplotlib name, or colours from vmin to vmax
    vmin: float | None = None
    vmax: float | None = None
    colorbar: str | None = None  # label of a colour bar; None: no bar
    steps: int = 256  # levels of a colour list (the class count for class maps)

    def __post_init__(self) -> None:
        values = np.asarray(self.values)
        if values.ndim == 3 and values.shape[2] == 3:
            self.values = values.astype(np.uint8)
        elif values.ndim == 2:
            self.values = values.astype(np.float64)
        else:
            raise ValueError("a heatmap needs a 2-D array or an RGB image")


@dataclass
class Scatter:
    """Points, coloured by ``values`` through ``colormap``, by ``colours`` (one per
    point) or all in ``colour``."""

    x: np.ndarray
    y: np.ndarray
    values: np.ndarray | None = None
    colours: list[str] | None = None
    colour: str = "#333333"
    colormap: str | list[str] = "RdBu_r"
    size: float = 4.0
    name: str = ""

    def __post_init__(self) -> None:
        self.x, self.y = _array(self.x), _array(self.y)


@dataclass
class VLine:
    """A vertical line at ``x`` (a threshold, a step), labelled near the top."""

    x: float
    label: str = ""
    colour: str = "#777777"


@dataclass
class Marker:
    """A labelled point (a kink, a fixed point)."""

    x: float
    y: float
    label: str = ""
    colour: str = "#333333"


@dataclass
class Axes:
    """One panel: its content, labels, ranges and scales."""

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    xlog: bool = False
    ylog: bool = False
    curves: list[Curve] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    heatmaps: list[Heatmap] = field(default_factory=list)
    scatters: list[Scatter] = field(default_factory=list)
    vlines: list[VLine] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    grid: bool = True
    equal: bool = False  # same scale on x and y (decision boundaries)
    ticks: bool = True
    hidden: bool = False  # an empty cell of the grid


@dataclass
class Figure:
    """Panels on a grid of ``rows`` x ``cols`` (filled row by row), one legend, a title.

    ``sharex`` links the x axes of a column (the Curves stack: f, f', f'' over one x).
    ``legend`` is ``"outside"`` (beside or below the panels, never over data), ``"none"``.
    """

    panels: list[Axes]
    rows: int = 0
    cols: int = 1
    title: str = ""
    sharex: bool = False
    legend: str = "outside"
    notes: list[str] = field(default_factory=list)
    name: str = "figure"

    def __post_init__(self) -> None:
        if not self.panels:
            raise ValueError("a figure needs at least one panel")
        self.cols = max(1, self.cols)
        if self.rows <= 0:
            self.rows = -(-len(self.panels) // self.cols)
        if self.rows * self.cols < len(self.panels):
            raise ValueError("the grid is too small for the panels")

    def curve_names(self) -> list[str]:
        """Activation curve names in first-seen order (palette-coloured ones only)."""
        names: list[str] = []
        for ax in self.panels:
            for c in ax.curves:
                if c.colour is None and c.name not in names:
                    names.append(c.name)
            for b in ax.bands:
                if b.colour is None and b.name not in names:
                    names.append(b.name)
        return names

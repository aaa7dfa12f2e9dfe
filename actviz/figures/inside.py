"""The "inside the network" figure for files: per activation and hidden layer, the
pre-activation histogram under f and f', beside every unit's picture in one strip.

Built from :class:`~actviz.analysis.inside.Inside` results, so a file shows what the
Playground's tab shows (the same cap on units, dead units crossed out) in the colours
of the decision boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..analysis.inside import Inside, LayerInside
from .boundaries import CLASS_COLOURS, _mix
from .spec import Axes, Band, Curve, Figure, Heatmap

#: Space between two unit pictures, as a share of a picture's width.
GAP = 0.15
DEAD_COLOUR = "#c62828"
BAR_COLOUR = "#9aa0a6"
#: How strongly the ends of the unit map take the class colours: fuller than the
#: decision boundaries' tints, which stay pale around their 0.5 threshold.
UNIT_STRENGTH = 0.9


def unit_colours(background: str = "#ffffff") -> list[str]:
    """A unit's output from -scale to +scale: orange, the background at 0, blue."""
    orange, blue = CLASS_COLOURS[0], CLASS_COLOURS[1]
    return [
        _mix(orange, UNIT_STRENGTH, background),
        background,
        _mix(blue, UNIT_STRENGTH, background),
    ]


def tile(maps: np.ndarray, gap: int) -> np.ndarray:
    """Unit maps ``[units, rows, cols]`` side by side in one image, ``gap`` NaN columns
    (drawn transparent) between two units."""
    units, rows, cols = maps.shape
    out = np.full((rows, units * (cols + gap) - gap), np.nan, dtype=np.float32)
    for u in range(units):
        out[:, u * (cols + gap) : u * (cols + gap) + cols] = maps[u]
    return out


#: The unit maps' colour scale is this percentile of |output| over a layer's shown
#: units: one unit with large outputs would otherwise wash out the others.
SCALE_PERCENTILE = 95.0


def map_scale(maps: np.ndarray) -> float:
    """The symmetric colour scale (±value) shared by a layer's unit maps; outputs
    beyond it are drawn in the end colours."""
    finite = np.abs(maps[np.isfinite(maps)])
    if not finite.size:
        return 1e-6
    return max(float(np.percentile(finite, SCALE_PERCENTILE)), 1e-6)


def bar_outline(layer: LayerInside, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """The histogram as a step outline, its tallest bar at 90% of ``low..high``."""
    peak = max(int(layer.counts.max()), 1)
    heights = low + layer.counts / peak * 0.9 * (high - low)
    x = np.repeat(layer.edges, 2)
    y = np.concatenate([[low], np.repeat(heights, 2), [low]])
    return x, y


def curve_span(layer: LayerInside) -> tuple[float, float]:
    """The vertical span of f and f' (0 included), or 0..1 without curves."""
    curves = [c for c in (layer.f, layer.df) if c is not None and np.isfinite(c).any()]
    if not curves:
        return 0.0, 1.0
    low = float(min(0.0, *(np.nanmin(c) for c in curves)))
    return low, float(max(*(np.nanmax(c) for c in curves), low + 1e-6))


def inside_figure(insides: Mapping[str, Inside], cap: int = 16) -> Figure:
    """One row per activation and hidden layer: histogram with f, f' | unit pictures."""
    if not insides:
        raise ValueError("there is no network to look inside yet")
    panels: list[Axes] = []
    for name, seen in insides.items():
        for k, layer in enumerate(seen.layers):
            panels.append(_histogram(name, k, layer))
            panels.append(_strip(name, k, layer, seen, cap))
    return Figure(panels, cols=2, legend="none", name="inside")


def _histogram(name: str, k: int, layer: LayerInside) -> Axes:
    low, high = curve_span(layer)
    ax = Axes(title=f"{name}, layer {k + 1}: z", xlabel="z", grid=False)
    x, y = bar_outline(layer, low, high)
    ax.bands.append(Band("", x, np.full_like(y, low), y, colour=BAR_COLOUR, alpha=0.5))
    if layer.f is not None and layer.df is not None:
        ax.curves.append(Curve(name, layer.curve_x, layer.f, legend=False))
        ax.curves.append(Curve(name, layer.curve_x, layer.df, line="dash", legend=False))
    return ax


def _strip(name: str, k: int, layer: LayerInside, seen: Inside, cap: int) -> Axes:
    shown = layer.maps[:cap]
    units = shown.shape[0]
    title = f"{name}, layer {k + 1}: units" + (
        f" (first {units} of {layer.units})" if units < layer.units else ""
    )
    stride = 1.0 + GAP
    # 2-D: square cells, as the input plane; 1-D: curves may stretch to fill the panel
    ax = Axes(title=title, grid=False, ticks=False, equal=len(seen.axes) == 2)
    finite = shown[np.isfinite(shown)]
    if len(seen.axes) == 2:
        gap = max(1, round(shown.shape[2] * GAP))
        stride = (shown.shape[2] + gap) / shown.shape[2]
        tiled = tile(shown, gap)
        scale = map_scale(shown)
        colours = unit_colours()
        width = tiled.shape[1] / shown.shape[2]
        ax.heatmaps.append(Heatmap(tiled, (0.0, width, 0.0, 1.0), colours, -scale, scale))
    else:
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high - low < 1e-9:
            low, high = low - 0.5, high + 0.5
        x = np.linspace(0.0, 1.0, shown.shape[1])
        for u in range(units):
            y = 0.05 + 0.9 * (shown[u] - low) / (high - low)
            colour = BAR_COLOUR if layer.dead[u] else None
            ax.curves.append(Curve(name, u * stride + x, y, colour=colour, legend=False))
    for u in range(units):
        if layer.dead[u]:
            x0 = u * stride
            for ys in ((0.0, 1.0), (1.0, 0.0)):
                ax.curves.append(
                    Curve("dead", [x0, x0 + 1.0], list(ys), colour=DEAD_COLOUR, legend=False)
                )
    ax.xlim = (-0.05, units * stride)
    ax.ylim = (-0.05, 1.05)
    return ax

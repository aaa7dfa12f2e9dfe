"""Decision boundaries as small multiples: one panel per activation, the training
points on top, the same colours as the Playground (orange class 0, blue class 1)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .spec import Axes, Curve, Figure, Heatmap, Scatter

CLASS_COLOURS = ("#f28e2b", "#4e79a7", "#59a14f")


def _mix(colour: str, amount: float, background: str = "#ffffff") -> str:
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(background[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(x * amount + y * (1 - amount)):02x}" for x, y in zip(a, b, strict=True)
    )


def class_colours(loss: str, classes: int) -> tuple[list[str], float, float]:
    """Heatmap colours and levels: P(class 1) orange-white-blue, or one tint per class."""
    if loss == "ce":
        return [_mix(CLASS_COLOURS[i % 3], 0.5) for i in range(classes)], -0.5, classes - 0.5
    if loss == "bce":
        return [_mix(CLASS_COLOURS[0], 0.6), "#ffffff", _mix(CLASS_COLOURS[1], 0.6)], 0.0, 1.0
    return ["#111111", "#eeeeee"], 0.0, 1.0


def columns_for(n: int, aspect: float = 4 / 3) -> int:
    """Columns of a grid of ``n`` near-square cells that fill a ``aspect`` page best."""
    return max(1, min(n, round(math.sqrt(n * aspect))))


def boundaries(
    grids: Mapping[str, np.ndarray],
    domain: tuple[tuple[float, float], ...],
    points: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    loss: str = "bce",
    classes: int = 2,
    titles: Mapping[str, str] | None = None,
    axes: list[np.ndarray] | None = None,
) -> Figure:
    """Small multiples of ``grids`` (name -> [res_y, res_x] for 2-D tasks, or [res] for
    1-D tasks over ``axes[0]``), with the data ``points`` = (x, y) on top."""
    if not grids:
        raise ValueError("there are no decision boundaries to draw yet")
    colours, lo, hi = class_colours(loss, classes)
    panels = []
    for name, grid in grids.items():
        grid = np.asarray(grid, dtype=float)
        title = (titles or {}).get(name, name)
        if grid.ndim == 2:
            (x0, x1), (y0, y1) = domain
            ax = Axes(title=title, xlim=(x0, x1), ylim=(y0, y1), grid=False, equal=True)
            ax.heatmaps.append(
                Heatmap(
                    grid, (x0, x1, y0, y1), colours, lo, hi, steps=classes if loss == "ce" else 256
                )
            )
            if points is not None:
                x, y = points
                labels = np.asarray(y, float).reshape(len(x), -1)[:, 0]
                ax.scatters.append(
                    Scatter(x[:, 0], x[:, 1], values=labels, colormap=_points_map(loss, classes))
                )
        else:
            xs = np.asarray(axes[0]) if axes else np.linspace(domain[0][0], domain[0][1], len(grid))
            ax = Axes(title=title, xlabel="x", ylabel="y", xlim=(xs[0], xs[-1]))
            if points is not None:
                x, y = points
                ax.scatters.append(Scatter(x[:, 0], np.asarray(y).reshape(-1), size=2.0))
            ax.curves.append(Curve(name, xs, grid, legend=False))
        panels.append(ax)
    cols = columns_for(len(panels))
    return Figure(panels, cols=cols, legend="none", name="boundaries")


def _points_map(loss: str, classes: int) -> list[str]:
    if loss == "ce":
        return [CLASS_COLOURS[i % 3] for i in range(classes)]
    return [CLASS_COLOURS[0], CLASS_COLOURS[1]]

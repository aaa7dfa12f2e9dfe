"""The Curves stack as a figure: f, f', f'' of each activation, stacked, sharing x."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..analysis.curves import CurveSet
from .ranges import robust_limits
from .spec import Axes, Curve, Figure

ROW_LABELS = {"f": "f(x)", "d1": "f′(x)", "d2": "f″(x)"}


def curve_stack(
    curves: Sequence[CurveSet],
    rows: Sequence[str] = ("f", "d1"),
    *,
    title: str = "",
    labels: dict[str, str] | None = None,
) -> Figure:
    """One panel per row of ``rows`` (``f``, ``d1``, ``d2``), one curve per activation.

    ``labels`` maps a name to its legend text (``softmax [x, 0, 0]``); vector
    activations also get a note saying along which line they are drawn.
    """
    if not curves:
        raise ValueError("there are no curves to draw")
    labels = labels or {}
    panels = []
    for r, row in enumerate(rows):
        ys = [getattr(cs, row) for cs in curves]
        xs = [cs.x for cs in curves]
        panels.append(
            Axes(
                ylabel=ROW_LABELS[row],
                xlabel="x" if r == len(rows) - 1 else "",
                xlim=robust_limits(xs, margin=0.0),
                ylim=robust_limits(ys),
                curves=[
                    Curve(cs.name, cs.x, y, label=labels.get(cs.name) or _label(cs))
                    for cs, y in zip(curves, ys, strict=True)
                ],
            )
        )
    notes = [f"* {cs.name}: {cs.view}" for cs in curves if cs.view]
    return Figure(panels, sharex=True, title=title, notes=notes, name="curves")


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(_short(v) for v in value[:4])
        return f"[{shown}{', ...' if len(value) > 4 else ''}]"
    return str(value)


def param_label(name: str, params: Sequence[object], chosen: dict[str, object]) -> str:
    """``elu (alpha=0.5)``: the legend text of a curve drawn at these parameter values
    (``chosen`` over each ``Param``'s default; computed initial values and vectors left
    at their defaults are left out)."""
    parts = []
    for p in params:
        value = chosen.get(p.name, p.default)  # type: ignore[attr-defined]
        if hasattr(value, "tolist"):
            value = value.tolist()
        is_vector = isinstance(value, (list, tuple))
        if callable(value) or (is_vector and p.name not in chosen):  # type: ignore[attr-defined]
            continue  # a default vector would crowd the legend out of the figure
        parts.append(f"{p.name}={_short(value)}")  # type: ignore[attr-defined]
    return f"{name} ({', '.join(parts)})" if parts else name


def _label(cs: CurveSet) -> str:
    return cs.name + ("*" if cs.view else "")


def columns_figure(
    columns: dict[str, np.ndarray],
    *,
    x: str,
    ylabel: str = "",
    ylog: bool = False,
    title: str = "",
    name: str = "figure",
) -> Figure:
    """One panel from export columns: column ``x`` against each other column (one
    activation each), as the panel plots them (the deep-signal statistics per layer)."""
    if x not in columns or len(columns) < 2:
        raise ValueError("there is nothing to draw yet")
    xs = np.asarray(columns[x], dtype=float)
    curves = []
    for key, values in columns.items():
        if key == x:
            continue
        y = np.asarray(values, dtype=float)
        curves.append(Curve(key, xs, np.where(y > 0, y, np.nan) if ylog else y))
    ax = Axes(title=title, xlabel=x, ylabel=ylabel, ylog=ylog, curves=curves)
    return Figure([ax], name=name)

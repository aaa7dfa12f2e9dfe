"""Figures of races: loss and metric over steps (mean and min-max band over seeds),
per-layer gradient norms, dead units, learned parameters.

Built from run dicts (``RaceResult.to_dict()`` or ``RunStore.load_run``), the data the
Playground and Compare panels plot, so the GUI, the bundle and scripts draw the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .spec import Axes, Band, Curve, Figure

Run = Mapping[str, Any]
SERIES = {
    "test_metric": "test {metric}",
    "train_metric": "train {metric}",
    "test_loss": "test loss",
    "train_loss": "train loss",
}
RUN_LINES = ("solid", "dash", "dot", "dashdot")


def smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's exponential moving average (debiased; NaN gaps are skipped)."""
    if weight <= 0:
        return values
    out = np.empty_like(values)
    last, norm = 0.0, 0.0
    for i, v in enumerate(values):
        if np.isfinite(v):
            last = weight * last + (1 - weight) * v
            norm = weight * norm + (1 - weight)
        out[i] = last / norm if norm > 0 else np.nan
    return out


def _members(run: Run) -> dict[str, list[Mapping[str, Any]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for member in run.get("runs", []):
        groups.setdefault(member["activation"], []).append(member)
    return groups


def seed_stats(
    members: Sequence[Mapping[str, Any]], value: Callable[[Mapping[str, Any]], float | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(steps, mean, min, max) over seeds of ``value(history row)``, aligned by step."""
    steps = sorted({int(h["step"]) for m in members for h in m.get("history", [])})
    index = {s: i for i, s in enumerate(steps)}
    table = np.full((len(members), len(steps)), np.nan)
    for r, m in enumerate(members):
        for h in m.get("history", []):
            v = value(h)
            if v is not None and np.isfinite(v):
                table[r, index[int(h["step"])]] = v
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return (
                np.asarray(steps, float),
                np.nanmean(table, 0),
                np.nanmin(table, 0),
                np.nanmax(table, 0),
            )


def _label(run: Run, name: str, many: bool) -> str:
    if not many:
        return name
    tag = run.get("name") or (f"run {run['id']}" if run.get("id") is not None else "run")
    return f"{name} · {tag}"


def overlay(
    runs: Sequence[Run],
    series: str = "test_metric",
    *,
    smoothing: float = 0.0,
    log: bool = False,
    title: str = "",
    bands: bool = True,
) -> Figure:
    """One panel: ``series`` of every activation of every run, mean line and min-max band.

    Several runs: same activation, same colour; each run gets its own line style.
    """
    if not runs:
        raise ValueError("there are no runs to draw")
    metric = runs[0].get("metric", "metric")
    many = len(runs) > 1
    ax = Axes(
        xlabel="step",
        ylabel=SERIES.get(series, series).format(metric=metric),
        ylog=log,
        title=title,
    )
    for r, run in enumerate(runs):
        for name, members in _members(run).items():
            steps, mean, lo, hi = seed_stats(members, lambda h: _value(h, series))
            if log:
                mean, lo, hi = (np.where(a > 0, a, np.nan) for a in (mean, lo, hi))
            line = RUN_LINES[r % len(RUN_LINES)] if many else None
            ax.curves.append(
                Curve(
                    name, steps, smooth(mean, smoothing), line=line, label=_label(run, name, many)
                )
            )
            if bands and len(members) > 1:
                ax.bands.append(Band(name, steps, smooth(lo, smoothing), smooth(hi, smoothing)))
    return Figure([ax], name=f"overlay-{series}")


def _value(row: Mapping[str, Any], key: str) -> float | None:
    v = row.get(key)
    return float(v) if isinstance(v, (int, float)) else None


def loss_and_metric(run: Run, *, smoothing: float = 0.0, log_loss: bool = True) -> Figure:
    """The Playground's two panels: test loss (log) and test metric over steps, sharing x."""
    loss = overlay([run], "test_loss", smoothing=smoothing, log=log_loss).panels[0]
    metric = overlay([run], "test_metric", smoothing=smoothing).panels[0]
    loss.xlabel = ""
    return Figure([loss, metric], sharex=True, name="playground-curves")


def _layer_values(row: Mapping[str, Any], key: str, layer: int) -> float | None:
    values = row.get(key) or []
    return float(values[layer]) if layer < len(values) and values[layer] is not None else None


def gradient_norms(run: Run, *, smoothing: float = 0.0) -> Figure:
    """One panel per layer: the gradient norm of each activation (log), mean over seeds."""
    layers = max(
        (len(h.get("grad_norms") or []) for m in run.get("runs", []) for h in m["history"]),
        default=0,
    )
    if layers == 0:
        raise ValueError("this run recorded no gradient norms")
    panels = []
    for layer in range(layers):
        ax = Axes(title=f"layer {layer + 1}", xlabel="step", ylabel="‖∇W‖", ylog=True)
        for name, members in _members(run).items():
            steps, mean, lo, hi = seed_stats(
                members, lambda h, i=layer: _layer_values(h, "grad_norms", i)
            )
            mean = np.where(mean > 0, mean, np.nan)
            ax.curves.append(Curve(name, steps, smooth(mean, smoothing)))
        panels.append(ax)
    cols = min(3, layers)
    return Figure(panels, cols=cols, name="gradient-norms")


def dead_units(run: Run, *, smoothing: float = 0.0) -> Figure:
    """Fraction of hidden units that never fire, mean over layers and seeds."""
    ax = Axes(xlabel="step", ylabel="dead units (fraction)", ylim=(-0.02, 1.02))
    for name, members in _members(run).items():
        steps, mean, lo, hi = seed_stats(members, _mean_dead)
        ax.curves.append(Curve(name, steps, smooth(mean, smoothing)))
        if len(members) > 1:
            ax.bands.append(Band(name, steps, lo, hi))
    return Figure([ax], name="dead-units")


def _mean_dead(row: Mapping[str, Any]) -> float | None:
    values = [float(v) for v in row.get("dead_fraction") or [] if v is not None]
    return float(np.mean(values)) if values else None


def learned_parameters(run: Run) -> Figure:
    """Trajectories of learnable activation parameters (``params`` in history rows)."""
    ax = Axes(xlabel="step", ylabel="value")
    for name, members in _members(run).items():
        keys = sorted({k for m in members for h in m["history"] for k in (h.get("params") or {})})
        for key in keys:
            steps, mean, _, _ = seed_stats(members, lambda h, k=key: (h.get("params") or {}).get(k))
            ax.curves.append(Curve(name, steps, mean, label=f"{name}.{key}"))
    if not ax.curves:
        raise ValueError("this run has no learnable parameters")
    return Figure([ax], name="learned-parameters")

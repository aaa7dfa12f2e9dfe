"""Figures of a race's statistics with matplotlib's object API (no pyplot, no backend
choice), for notebooks and files: means with CIs, paired differences, metric curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .palette import colour_for


def _given_axes(ax: Any) -> list[Any]:
    """``ax=`` as a list: one Axes, or a sequence (or array) of them."""
    return list(np.ravel(np.asarray(ax, dtype=object))) if np.iterable(ax) else [ax]


def summary_figure(
    summary: Sequence[Mapping[str, Any]], metric: str, dark: bool = False, ax: Any = None
) -> Any:
    """Left: each activation's mean with its 95% CI. Right (with a baseline): the paired
    difference from the baseline with its CI, a line at 0, and the verdict by its name.
    ``ax``: draw into your own Axes instead (two Axes for both panels; one draws the
    means) and get them back, as seaborn does (returning the figure too would show it
    twice in Jupyter)."""
    from ..stats import verdict
    from .inline import InlineFigure as Figure

    compared = [e for e in summary if "vs_baseline" in e]
    given = ax
    if ax is None:
        fig = Figure(figsize=(9.0 if compared else 5.0, 0.5 * len(summary) + 1.4), dpi=100)
        fig.set_layout_engine("constrained")
        axes = list(fig.subplots(1, 2 if compared else 1, squeeze=False)[0])
    else:
        axes = _given_axes(ax)
        compared = compared if len(axes) > 1 else []
    names = [e["activation"] for e in summary]
    ys = np.arange(len(names))[::-1]
    ax = axes[0]
    for y, e in zip(ys, summary, strict=True):
        if e["mean"] is None:
            continue
        colour = colour_for(e["activation"], dark)
        if e["ci_low"] is not None:
            ax.hlines(y, e["ci_low"], e["ci_high"], color=colour, linewidth=2.5)
        ax.plot([e["mean"]], [y], "o", color=colour)
    ax.set_yticks(ys, names)
    ax.set_ylim(-0.5, len(names) - 0.5)
    ax.set_xlabel(f"test {metric}: mean and 95% CI over {max(e['n'] for e in summary)} seeds")
    if compared:
        ax = axes[1]
        baseline = compared[0]["vs_baseline"]["baseline"]
        ax.axvline(0, color="grey", linewidth=1)
        for y, e in zip(ys, summary, strict=True):
            vs = e.get("vs_baseline")
            if vs is None or vs["diff_mean"] is None:
                continue
            colour = colour_for(e["activation"], dark)
            if vs["ci_low"] is not None:
                ax.hlines(y, vs["ci_low"], vs["ci_high"], color=colour, linewidth=2.5)
            ax.plot([vs["diff_mean"]], [y], "o", color=colour)
        labels = [f"{e['activation']}: {verdict(e)}" for e in summary]
        ax.set_yticks(ys, labels)
        ax.set_ylim(-0.5, len(names) - 0.5)
        ax.set_xlabel(f"difference from {baseline}: paired, 95% CI")
    return fig if given is None else given


def curves_figure(
    runs: Sequence[Mapping[str, Any]], metric: str, dark: bool = False, ax: Any = None
) -> Any:
    """The test metric over steps per activation: the mean over seeds and its range.
    ``ax``: draw into your own Axes instead; it is returned (not its figure)."""
    from .inline import InlineFigure as Figure

    given = ax
    if ax is None:
        fig = Figure(figsize=(6.0, 4.0), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for run in runs:
        groups.setdefault(run["activation"], []).append(run)
    for name, members in groups.items():
        rows = [m["history"] for m in members if m.get("history")]
        if not rows:
            continue
        length = min(len(r) for r in rows)
        steps = [h["step"] for h in rows[0][:length]]
        values = np.array(
            [
                [np.nan if h["test_metric"] is None else h["test_metric"] for h in r[:length]]
                for r in rows
            ],
            dtype=float,
        )
        colour = colour_for(name, dark)
        with np.errstate(all="ignore"):
            if np.isfinite(values).any(axis=0).all():
                ax.fill_between(
                    steps, np.nanmin(values, 0), np.nanmax(values, 0), color=colour, alpha=0.2
                )
                ax.plot(steps, np.nanmean(values, 0), color=colour, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel(f"test {metric} (mean, range over seeds)")
    ax.legend(frameon=False)
    return fig if given is None else given

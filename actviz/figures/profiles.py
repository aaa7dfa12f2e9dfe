"""The benchmark's performance profiles: for each activation, the fraction of runs
(tasks x seeds) whose score reaches tau, as a step curve over tau with its 95%
stratified-bootstrap band. matplotlib's object API, like the other bench figures, so
SVG and PDF look the same in every viewer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def profiles_figure(result: Mapping[str, Any], dark: bool = False, ax: Any = None) -> Any:
    """One step curve per activation with a shaded band; ``ax``: draw into your own
    matplotlib Axes (returned) instead of a new figure."""
    from .inline import InlineFigure as Figure
    from .palette import colour_for

    profiles = (result.get("aggregates") or {}).get("profiles") or {}
    taus = profiles.get("taus") or []
    rows = {n: r for n, r in (profiles.get("activations") or {}).items() if r.get("fraction")}
    fig = None
    if ax is None:
        fig = Figure(figsize=(5.0, 3.4), layout="constrained")
        ax = fig.add_subplot(1, 1, 1)
    for name, row in rows.items():
        colour = colour_for(name, dark)
        ax.fill_between(
            taus, row["ci_low"], row["ci_high"], step="post", color=colour, alpha=0.2, lw=0
        )
        ax.step(taus, row["fraction"], where="post", color=colour, lw=1.6, label=name)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("tau (score)")
    ax.set_ylabel("fraction of runs with score >= tau")
    n = len(result.get("tasks", []))
    title = f"Performance profiles over {n} tasks x {result.get('seeds', '?')} seeds [95% CI]"
    if not rows:
        title = "no performance profile: no finished runs"
    ax.set_title(title, fontsize=9)
    if rows:
        ax.legend(fontsize=7, frameon=False, loc="lower left")
    return fig if fig is not None else ax

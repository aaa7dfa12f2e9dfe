"""The benchmark's aggregates as one figure: the IQM of each activation with its 95%
stratified-bootstrap interval, and the Bayesian signed-rank probabilities against the
baseline as stacked bars (better / equivalent / worse). matplotlib's object API, like
the critical-difference diagram, so SVG and PDF look the same in every viewer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BAYES_COLOURS = {"p_better": "#2a9d8f", "p_rope": "#bbbbbb", "p_worse": "#e76f51"}
BAYES_LABELS = {"p_better": "better", "p_rope": "equivalent", "p_worse": "worse"}


def aggregates_figure(result: Mapping[str, Any], dark: bool = False) -> Any:
    """IQM [95% CI] per activation (left); with a baseline, P(better/equivalent/worse)
    from the Bayesian signed-rank test over tasks (right)."""
    from .inline import InlineFigure as Figure
    from .palette import colour_for

    agg = result.get("aggregates") or {}
    iqm = {n: r for n, r in (agg.get("iqm") or {}).items() if r.get("iqm") is not None}
    bayes = {n: b for n, b in (agg.get("bayes_signed_rank") or {}).items() if "p_better" in b}
    panels = 2 if bayes else 1
    fig = Figure(figsize=(4.0 * panels, 0.6 + 0.4 * max(1, len(iqm))), layout="constrained")
    ax = fig.add_subplot(1, panels, 1)
    names = sorted(iqm, key=lambda n: iqm[n]["iqm"])
    for y, name in enumerate(names):
        row = iqm[name]
        ax.plot([row["ci_low"], row["ci_high"]], [y, y], color=colour_for(name, dark), lw=2)
        ax.plot([row["iqm"]], [y], "o", color=colour_for(name, dark))
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("IQM over tasks and seeds [95% CI]")
    if bayes:
        bx = fig.add_subplot(1, 2, 2)
        order = [n for n in names if n in bayes]
        left = [0.0] * len(order)
        for key in ("p_better", "p_rope", "p_worse"):
            widths = [bayes[n][key] for n in order]
            bx.barh(order, widths, left=left, color=BAYES_COLOURS[key], label=BAYES_LABELS[key])
            left = [a + b for a, b in zip(left, widths, strict=True)]
        rope = next(iter(bayes.values()))["rope"]
        bx.set_xlim(0, 1)
        bx.set_xlabel(f"P vs {result.get('baseline')} (Bayesian signed-rank, ROPE ±{rope:g})")
        bx.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=7, frameon=False)
    return fig

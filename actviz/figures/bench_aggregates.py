"""The benchmark's aggregates as one figure: the IQM, mean and optimality gap of each
activation with their 95% stratified-bootstrap intervals (rliable's layout), the
probability of improvement over the baseline, and the Bayesian signed-rank
probabilities against the baseline as stacked bars (better / equivalent / worse).
matplotlib's object API, like the critical-difference diagram, so SVG and PDF look the
same in every viewer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BAYES_COLOURS = {"p_better": "#2a9d8f", "p_rope": "#bbbbbb", "p_worse": "#e76f51"}
BAYES_LABELS = {"p_better": "better", "p_rope": "equivalent", "p_worse": "worse"}


def aggregates_figure(result: Mapping[str, Any], dark: bool = False) -> Any:
    """IQM, mean and optimality gap [95% CI] per activation (left); with a baseline,
    P(better/equivalent/worse) from the Bayesian signed-rank test over tasks (right)."""
    from .inline import InlineFigure as Figure
    from .palette import colour_for

    agg = result.get("aggregates") or {}
    iqm = {n: r for n, r in (agg.get("iqm") or {}).items() if r.get("iqm") is not None}
    bayes = {n: b for n, b in (agg.get("bayes_signed_rank") or {}).items() if "p_better" in b}
    names = sorted(iqm, key=lambda n: iqm[n]["iqm"])
    panels = [("iqm", "IQM", {n: {**r, "value": r["iqm"]} for n, r in iqm.items()})]
    for key, label in (("mean", "Mean"), ("optimality_gap", "Optimality gap (lower better)")):
        rows = agg.get(key) or {}
        if all(rows.get(n, {}).get("value") is not None for n in names) and rows:
            panels.append((key, label, rows))
    improve = {
        n: r
        for n, r in (agg.get("probability_of_improvement") or {}).items()
        if r.get("value") is not None
    }
    if improve:
        panels.append(("poi", f"P(improvement over {result.get('baseline')})", improve))
    width = len(panels) + (1.4 if bayes else 0)
    fig = Figure(figsize=(2.6 * width, 0.8 + 0.4 * max(1, len(iqm))), layout="constrained")
    grid = fig.add_gridspec(1, len(panels) + (1 if bayes else 0))
    for i, (_key, label, rows) in enumerate(panels):
        ax = fig.add_subplot(grid[0, i])
        for y, name in enumerate(names):
            row = rows.get(name)
            if row is None:  # the baseline has no improvement over itself
                continue
            ax.plot([row["ci_low"], row["ci_high"]], [y, y], color=colour_for(name, dark), lw=2)
            ax.plot([row["value"]], [y], "o", color=colour_for(name, dark))
        ax.set_yticks(range(len(names)), names if i == 0 else [""] * len(names))
        ax.set_xlabel(f"{label} [95% CI]", fontsize=8)
    if bayes:
        bx = fig.add_subplot(grid[0, len(panels)])
        order = [n for n in names if n in bayes]
        left = [0.0] * len(order)
        for key in ("p_better", "p_rope", "p_worse"):
            widths = [bayes[n][key] for n in order]
            bx.barh(order, widths, left=left, color=BAYES_COLOURS[key], label=BAYES_LABELS[key])
            left = [a + b for a, b in zip(left, widths, strict=True)]
        rope = next(iter(bayes.values()))["rope"]
        bx.set_xlim(0, 1)
        bx.set_xlabel(
            f"P vs {result.get('baseline')}\n(Bayesian signed-rank, ROPE ±{rope:g})", fontsize=8
        )
        bx.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=7, frameon=False)
    return fig

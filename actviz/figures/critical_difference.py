"""The critical-difference diagram of a benchmark: activations at their mean rank over
tasks, bars joining those Nemenyi's test cannot tell apart.

Drawn with matplotlib's object API (``matplotlib.figure.Figure``, no pyplot state),
whose SVG and PDF every renderer draws the same.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import stats
from .files import ExportError, write_bytes
from .palette import colour_for

FIGURE_FORMATS = ("png", "svg", "pdf")


def cd_figure(result: Mapping[str, Any], dark: bool = False, ax: Any = None) -> Any:
    """The critical-difference diagram: activations at their mean rank (1 = best, on the
    left), bars joining those whose mean ranks differ by less than Nemenyi's CD.
    ``ax``: draw into your own Axes instead (the title goes on it); it is returned."""
    from .inline import InlineFigure as Figure

    rows = result["ranking"]
    k = len(rows)
    nemenyi = result.get("nemenyi")
    groups = nemenyi["groups"] if nemenyi is not None else []
    half = (k + 1) // 2
    top = -(0.35 + 0.18 * len(groups))  # label lines start below the clique bars
    bottom = top - 0.4 * (half - 1) - 0.35
    own = ax is None
    if own:
        fig = Figure(figsize=(7.0, 1.2 + 0.55 * (1.6 - bottom)), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    ax.set_xlim(1 - 0.3, k + 0.3)
    ax.set_ylim(bottom, 1.6)
    ax.axis("off")
    ax.hlines(0, 1, k, color="black", linewidth=1.2)
    for r in range(1, k + 1):
        ax.vlines(r, 0, 0.15, color="black", linewidth=1)
        ax.text(r, 0.3, str(r), ha="center", va="bottom", fontsize=9)
    for i, row in enumerate(rows):
        left = i < half
        y = top - 0.4 * (i if left else k - 1 - i)
        end = 1 - 0.25 if left else k + 0.25
        x = row["mean_rank"]
        colour = colour_for(row["activation"], dark)
        ax.plot([x, x, end], [0, y, y], color=colour, linewidth=1.4)
        ax.text(
            end,
            y,
            f"{row['activation']} ({x:.2f})",
            ha="right" if left else "left",
            va="center",
            fontsize=9,
        )
    if nemenyi is not None:
        cd = nemenyi["cd"]
        ax.hlines(1.2, 1, 1 + cd, color="black", linewidth=1.5)
        ax.vlines([1, 1 + cd], 1.12, 1.28, color="black", linewidth=1)
        ax.text(1 + cd / 2, 1.32, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize=9)
        by_name = {r["activation"]: r["mean_rank"] for r in rows}
        for g, group in enumerate(groups):
            xs = [by_name[n] for n in group]
            y = -0.25 - 0.18 * g
            ax.hlines(y, min(xs) - 0.03, max(xs) + 0.03, color="black", linewidth=3)
        friedman = result["friedman"]
        title = f"Friedman p = {stats.format_p(friedman['p_value'])}, Nemenyi alpha = "
        title += f"{nemenyi['alpha']:g}, {len(result['tasks'])} tasks"
    else:
        reason = result.get("cd_skipped") or result["friedman"].get("skipped", "")
        title = f"mean rank over {len(result['tasks'])} tasks; no CD: {reason}"
    if not own:
        ax.set_title(title, fontsize=9)
        return ax
    fig.suptitle(title, fontsize=9)
    return fig


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write a Figure as PNG, SVG or PDF (by suffix), atomically."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise ExportError(f"unknown figure type '.{fmt}': use .png, .svg or .pdf")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else None)
    write_bytes(path, buffer.getvalue())
    return path

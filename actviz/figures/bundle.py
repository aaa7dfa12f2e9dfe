"""The figures of a comparison bundle, drawn from the stored runs alone (no window):
test metric and test loss of every run overlaid, and per run the gradient norms and
dead units; the leaderboard as CSV and LaTeX. Each figure as PNG, SVG and PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .drawing import FIGURE_FORMATS, render
from .runs import dead_units, gradient_norms, overlay
from .spec import Figure
from .style import STYLES, Style
from .tables import write_table


def run_figures(runs: Sequence[Mapping[str, Any]]) -> dict[str, Figure]:
    """File stem -> figure for ``runs`` (``RunStore.load_run`` dicts)."""
    figures = {
        "metric": overlay(runs, "test_metric"),
        "loss": overlay(runs, "test_loss", log=True),
    }
    for run in runs:
        tag = f"run{run.get('id', '')}"
        try:
            figures[f"{tag}-gradient-norms"] = gradient_norms(run)
        except ValueError:
            pass  # a run stored without gradient norms
        figures[f"{tag}-dead-units"] = dead_units(run)
    return figures


def write_run_figures(
    runs: Sequence[Mapping[str, Any]],
    folder: str | Path,
    *,
    leaderboard: Mapping[str, Sequence[object]] | None = None,
    style: Style = STYLES["paper"],
) -> list[Path]:
    """Write every figure of :func:`run_figures` (and the leaderboard) into ``folder``."""
    folder = Path(folder)
    written = []
    for stem, fig in run_figures(runs).items():
        for fmt in FIGURE_FORMATS:
            written.append(render(fig, folder / f"{stem}.{fmt}", style))
    if leaderboard:
        written.append(write_table(leaderboard, folder / "leaderboard.csv"))
        written.append(write_table(leaderboard, folder / "leaderboard.tex", "Leaderboard"))
    return written

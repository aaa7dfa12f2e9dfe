"""What a benchmark writes: a critical-difference diagram, a LaTeX table and CSV.

Figures use matplotlib's object API (``matplotlib.figure.Figure``, no pyplot state),
whose SVG and PDF every renderer draws the same.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import stats
from .export_files import ExportError, export_table, write_bytes

FIGURE_FORMATS = ("png", "svg", "pdf")


def cd_figure(result: Mapping[str, Any], dark: bool = False) -> Any:
    """The critical-difference diagram: activations at their mean rank (1 = best, on the
    left), bars joining those whose mean ranks differ by less than Nemenyi's CD."""
    from matplotlib.figure import Figure

    from .palette import colour_for

    rows = result["ranking"]
    k = len(rows)
    nemenyi = result.get("nemenyi")
    groups = nemenyi["groups"] if nemenyi is not None else []
    half = (k + 1) // 2
    top = -(0.35 + 0.18 * len(groups))  # label lines start below the clique bars
    bottom = top - 0.4 * (half - 1) - 0.35
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


def table_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per task and activation: the summary, the task's rank, the mean rank."""
    mean_rank = {r["activation"]: r["mean_rank"] for r in result["ranking"]}
    rows = []
    for task, summary in result["per_task"].items():
        for row in stats.flat_rows(summary):
            name = row["activation"]
            rank = next(r["ranks"][task] for r in result["ranking"] if r["activation"] == name)
            rows.append(
                {
                    "task": task,
                    "metric": result["metrics"][task],
                    **row,
                    "rank": rank,
                    "mean_rank": mean_rank[name],
                }
            )
    return rows


def write_csv(result: Mapping[str, Any], path: str | Path) -> Path:
    rows = table_rows(result)
    return export_table({key: [r[key] for r in rows] for key in rows[0]}, path)


def latex_table(result: Mapping[str, Any], digits: int = 3) -> str:
    """A booktabs table: tasks as rows, activations as columns, mean [95% CI] per cell,
    the best mean per task in bold, the mean rank in the last row."""
    names = [r["activation"] for r in result["ranking"]]
    lines = [
        "% actviz bench: mean over seeds [95% bootstrap CI]; best per task in bold",
        "\\begin{tabular}{l" + "c" * len(names) + "}",
        "\\toprule",
        "Task & " + " & ".join(_tex(n) for n in names) + " \\\\",
        "\\midrule",
    ]
    for task, summary in result["per_task"].items():
        by_name = {e["activation"]: e for e in summary}
        means = [by_name[n]["mean"] for n in names]
        best = max((m for m in means if m is not None), default=None)
        cells = []
        for n in names:
            e = by_name[n]
            if e["mean"] is None:
                cells.append("--")
                continue
            text = f"{e['mean']:.{digits}f}"
            if e["mean"] == best:
                text = f"\\textbf{{{text}}}"
            if e["ci_low"] is not None:
                text += f" {{\\scriptsize [{e['ci_low']:.{digits}f}, {e['ci_high']:.{digits}f}]}}"
            cells.append(text)
        metric = result["metrics"][task]
        lines.append(f"{_tex(task)} ({_tex(metric)}) & " + " & ".join(cells) + " \\\\")
    lines += [
        "\\midrule",
        "Mean rank & " + " & ".join(f"{r['mean_rank']:.2f}" for r in result["ranking"]) + " \\\\",
        "\\bottomrule",
        "\\end{tabular}",
    ]
    return "\n".join(lines) + "\n"


def _tex(text: str) -> str:
    for char in "&%$#_{}":
        text = text.replace(char, "\\" + char)
    return text


def write_outputs(result: Mapping[str, Any], folder: str | Path) -> list[Path]:
    """``bench.csv``, ``bench.tex``, ``cd.png/.svg/.pdf`` and ``aggregates.png/.svg/.pdf``
    (IQM with intervals, Bayesian signed-rank) in ``folder`` (created)."""
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    paths = [write_csv(result, folder / "bench.csv")]
    tex = folder / "bench.tex"
    write_bytes(tex, latex_table(result).encode("utf-8"))
    paths.append(tex)
    fig = cd_figure(result)
    paths += [save_figure(fig, folder / f"cd.{fmt}") for fmt in FIGURE_FORMATS]
    if (result.get("aggregates") or {}).get("iqm"):
        from .figures.bench_aggregates import aggregates_figure

        fig = aggregates_figure(result)
        paths += [save_figure(fig, folder / f"aggregates.{fmt}") for fmt in FIGURE_FORMATS]
    return paths

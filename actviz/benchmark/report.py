"""What a benchmark writes: a LaTeX table, CSV, the critical-difference diagram
(drawn by :mod:`actviz.figures.critical_difference`) and the across-task aggregates,
performance profiles and pairwise tests as figures and CSV."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import stats
from ..figures.critical_difference import FIGURE_FORMATS, cd_figure, save_figure
from ..figures.files import ExportError, export_table, write_bytes
from ..figures.tables import escape, tabular

__all__ = [
    "FIGURE_FORMATS",
    "aggregate_rows",
    "cd_figure",
    "latex_results",
    "pairwise_rows",
    "profile_rows",
    "table_rows",
    "write_outputs",
]


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


def latex_results(result: Mapping[str, Any], digits: int = 3) -> str:
    """A booktabs table: tasks as rows, activations as columns, mean [95% CI] per cell,
    the best mean per task in bold, the mean rank in the last row."""
    names = [r["activation"] for r in result["ranking"]]
    rows = []
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
        rows.append([f"{escape(task)} ({escape(result['metrics'][task])})", *cells])
    footer = [["Mean rank", *(f"{r['mean_rank']:.2f}" for r in result["ranking"])]]
    lines = tabular(["Task", *(escape(n) for n in names)], rows, "l" + "c" * len(names), footer)
    comment = "% actviz bench: mean over seeds [95% bootstrap CI]; best per task in bold"
    return "\n".join([comment, *lines]) + "\n"


def write_outputs(result: Mapping[str, Any], folder: str | Path) -> list[Path]:
    """``bench.csv``, ``bench.tex``, ``cd.png/.svg/.pdf``, ``aggregates.png/.svg/.pdf/.csv``
    (IQM, mean, optimality gap with intervals; Bayesian signed-rank),
    ``profiles.png/.svg/.pdf/.csv`` (performance profiles with bands) and ``pairwise.csv``
    (Wilcoxon signed-rank with Holm) in ``folder`` (created)."""
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    paths = [write_csv(result, folder / "bench.csv")]
    tex = folder / "bench.tex"
    write_bytes(tex, latex_results(result).encode("utf-8"))
    paths.append(tex)
    fig = cd_figure(result)
    paths += [save_figure(fig, folder / f"cd.{fmt}") for fmt in FIGURE_FORMATS]
    agg = result.get("aggregates") or {}
    if agg.get("iqm"):
        from ..figures.bench_aggregates import aggregates_figure

        fig = aggregates_figure(result)
        paths += [save_figure(fig, folder / f"aggregates.{fmt}") for fmt in FIGURE_FORMATS]
        paths.append(export_table(_columns(aggregate_rows(result)), folder / "aggregates.csv"))
    if (agg.get("profiles") or {}).get("taus"):
        from ..figures.profiles import profiles_figure

        fig = profiles_figure(result)
        paths += [save_figure(fig, folder / f"profiles.{fmt}") for fmt in FIGURE_FORMATS]
        paths.append(export_table(_columns(profile_rows(result)), folder / "profiles.csv"))
    if (result.get("pairwise_wilcoxon") or {}).get("pairs"):
        paths.append(export_table(_columns(pairwise_rows(result)), folder / "pairwise.csv"))
    return paths


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {key: [r.get(key) for r in rows] for key in rows[0]} if rows else {}


def aggregate_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per activation: IQM, mean and optimality gap with their 95% intervals
    (and, with a baseline, the probability of improvement over it; empty for itself)."""
    agg = result.get("aggregates") or {}
    rows = []
    for name, iqm in (agg.get("iqm") or {}).items():
        row = {"activation": name, "n_runs": iqm.get("n")}
        row.update(iqm=iqm["iqm"], iqm_low=iqm["ci_low"], iqm_high=iqm["ci_high"])
        for key in ("mean", "optimality_gap"):
            part = (agg.get(key) or {}).get(name) or {}
            row[key] = part.get("value")
            row[f"{key}_low"] = part.get("ci_low")
            row[f"{key}_high"] = part.get("ci_high")
        if agg.get("probability_of_improvement") is not None:
            part = agg["probability_of_improvement"].get(name) or {}
            row["p_improvement"] = part.get("value")
            row["p_improvement_low"] = part.get("ci_low")
            row["p_improvement_high"] = part.get("ci_high")
        rows.append(row)
    return rows


def profile_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per activation and tau: fraction of runs >= tau and its 95% band."""
    profiles = (result.get("aggregates") or {}).get("profiles") or {}
    taus = profiles.get("taus") or []
    return [
        {
            "activation": name,
            "tau": tau,
            "fraction": row["fraction"][i],
            "ci_low": row["ci_low"][i],
            "ci_high": row["ci_high"][i],
        }
        for name, row in (profiles.get("activations") or {}).items()
        if row.get("fraction")
        for i, tau in enumerate(taus)
    ]


def pairwise_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per pair: the Wilcoxon signed-rank test and its Holm-adjusted p-value."""
    keys = ("a", "b", "n_tasks", "n_nonzero", "mean_diff", "median_diff", "statistic")
    keys += ("p_value", "p_holm", "decided", "better")
    pairs = (result.get("pairwise_wilcoxon") or {}).get("pairs") or []
    return [{k: pair.get(k) for k in keys} for pair in pairs]

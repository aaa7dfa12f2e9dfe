"""Ranking activations across tasks: mean ranks, the Friedman test, Nemenyi's critical
difference (Demšar 2006, "Statistical comparisons of classifiers over multiple data
sets"). Tasks are the blocks: each task ranks the activations by their mean metric
over seeds (1 = best, ties share the average rank).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def task_ranks(means: Mapping[str, float | None]) -> dict[str, float]:
    """Rank 1 = highest mean; an activation without a result ranks last."""
    from scipy.stats import rankdata

    names = list(means)
    scores = np.array([-(means[n]) if means[n] is not None else math.inf for n in names])
    return dict(zip(names, (float(r) for r in rankdata(scores, method="average")), strict=True))


def ranking(per_task_means: Mapping[str, Mapping[str, float | None]]) -> list[dict[str, Any]]:
    """``[{activation, mean_rank, ranks: {task: rank}}]``, best mean rank first."""
    ranks = {task: task_ranks(means) for task, means in per_task_means.items()}
    names = list(next(iter(per_task_means.values())))
    rows = [
        {
            "activation": name,
            "mean_rank": float(np.mean([ranks[t][name] for t in ranks])),
            "ranks": {t: ranks[t][name] for t in ranks},
        }
        for name in names
    ]
    return sorted(rows, key=lambda r: r["mean_rank"])


def friedman(per_task_means: Mapping[str, Mapping[str, float | None]]) -> dict[str, Any]:
    """scipy's Friedman chi-square over tasks (blocks) x activations; ``skipped`` with a
    reason when it cannot be computed (fewer than 3 activations or 2 tasks, a missing
    result)."""
    from scipy.stats import friedmanchisquare

    tasks = list(per_task_means)
    names = list(next(iter(per_task_means.values()))) if tasks else []
    if len(names) < 3:
        return {"skipped": "the Friedman test needs at least 3 activations"}
    if len(tasks) < 2:
        return {"skipped": "the Friedman test needs at least 2 tasks"}
    if any(per_task_means[t][n] is None for t in tasks for n in names):
        return {"skipped": "an activation has no result on some task (all its seeds diverged)"}
    columns = [[per_task_means[t][n] for t in tasks] for n in names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = friedmanchisquare(*columns)
    if not math.isfinite(result.statistic):
        return {"skipped": "every task ranks the activations the same way with ties only"}
    return {
        "statistic": float(result.statistic),
        "p_value": float(result.pvalue),
        "k": len(names),
        "n_tasks": len(tasks),
    }


def nemenyi_cd(k: int, n_tasks: int, alpha: float = 0.05) -> dict[str, float]:
    """Nemenyi's critical difference of mean ranks: ``q_alpha * sqrt(k(k+1) / (6N))``,
    with ``q_alpha`` the studentized range quantile over sqrt(2)."""
    from scipy.stats import studentized_range

    q_alpha = float(studentized_range.ppf(1 - alpha, k, np.inf)) / math.sqrt(2)
    return {
        "alpha": alpha,
        "q_alpha": q_alpha,
        "cd": q_alpha * math.sqrt(k * (k + 1) / (6 * n_tasks)),
    }


def cliques(rows: Sequence[Mapping[str, Any]], cd: float) -> list[list[str]]:
    """Maximal groups of activations (sorted by mean rank) whose mean ranks all lie
    within ``cd`` of each other: the bars of a critical-difference diagram."""
    ordered = sorted(rows, key=lambda r: r["mean_rank"])
    groups: list[list[str]] = []
    last_end = -1
    for i, row in enumerate(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1]["mean_rank"] - row["mean_rank"] < cd:
            j += 1
        if j > i and j > last_end:
            groups.append([r["activation"] for r in ordered[i : j + 1]])
            last_end = j
    return groups

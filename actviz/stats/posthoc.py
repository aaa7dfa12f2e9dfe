"""Pairwise post-hoc tests across tasks: Wilcoxon signed-rank between every pair of
activations over the tasks' means, Holm-corrected over the pairs.

Benavoli, Corani and Mangili (2016, "Should we really use post-hoc tests based on
mean-ranks?") show that Nemenyi's verdict on a pair depends on which other activations
are in the benchmark; the Wilcoxon test of a pair looks only at that pair's per-task
differences and uses their sizes, not just their order. Holm over the k(k-1)/2 pairs
keeps the family-wise error rate at alpha on its own, so it needs no omnibus gate and
is always reported next to Nemenyi. With n tasks the smallest two-sided p-value the
exact test can give is 2 / 2^n, so the smallest Holm p over m pairs is m * 2 / 2^n: 3
activations (3 pairs) need 7 tasks to decide anything at 0.05, 4 activations (6 pairs)
need 8; the result says so when the benchmark has too few.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np

#: How scipy.stats.wilcoxon is called (recorded in the JSON so anyone can recompute).
OPTIONS = {"zero_method": "wilcox", "alternative": "two-sided", "method": "auto"}


def smallest_p(n: int) -> float:
    """The smallest two-sided p-value of the exact signed-rank test with n differences."""
    return min(1.0, 2.0 / 2**n) if n > 0 else 1.0


def wilcoxon_pair(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """scipy's signed-rank test of ``x - y``; ties of zero are dropped (Wilcoxon's rule)."""
    from scipy.stats import rankdata, wilcoxon

    d = x - y
    nonzero = d[d != 0]
    row: dict[str, Any] = {
        "n_tasks": int(d.size),
        "n_nonzero": int(nonzero.size),
        "mean_diff": float(d.mean()),
        "median_diff": float(np.median(d)),
    }
    if nonzero.size == 0:
        return {**row, "statistic": None, "p_value": 1.0, "r_plus": 0.0, "r_minus": 0.0}
    ranks = rankdata(np.abs(nonzero))
    result = wilcoxon(x, y, **OPTIONS)
    return {
        **row,
        "statistic": float(result.statistic),
        "p_value": float(result.pvalue),
        "r_plus": float(ranks[nonzero > 0].sum()),
        "r_minus": float(ranks[nonzero < 0].sum()),
    }


def pairwise_wilcoxon(
    per_task_means: Mapping[str, Mapping[str, float | None]], alpha: float = 0.05
) -> dict[str, Any]:
    """Every pair ``a < b`` (in the given order) over the tasks where both have a result:
    ``pairs`` (statistic, p, Holm p, decided, ``better``: the pair's winner when decided)
    and notes; ``skipped`` with a reason when there is nothing to test."""
    from .paired import holm

    tasks = list(per_task_means)
    names = list(next(iter(per_task_means.values()))) if tasks else []
    if len(names) < 2:
        return {"skipped": "pairwise tests need at least 2 activations", "pairs": []}
    if len(tasks) < 2:
        return {"skipped": "pairwise tests need at least 2 tasks", "pairs": []}
    pairs = []
    for a, b in combinations(names, 2):
        both = [
            t
            for t in tasks
            if per_task_means[t][a] is not None and per_task_means[t][b] is not None
        ]
        x = np.array([per_task_means[t][a] for t in both], dtype=float)
        y = np.array([per_task_means[t][b] for t in both], dtype=float)
        row = {"a": a, "b": b, **wilcoxon_pair(x, y)} if len(both) >= 2 else None
        pairs.append(row or {"a": a, "b": b, "n_tasks": len(both), "p_value": None})
    adjusted = holm([p["p_value"] for p in pairs])
    for pair, p in zip(pairs, adjusted, strict=True):
        pair["p_holm"] = p
        pair["decided"] = bool(p is not None and p < alpha)
        winner = pair["a"] if pair.get("r_plus", 0) > pair.get("r_minus", 0) else pair["b"]
        pair["better"] = winner if pair["decided"] else None
    out: dict[str, Any] = {
        "pairs": pairs,
        "alpha": alpha,
        "correction": f"Holm over the {sum(p['p_value'] is not None for p in pairs)} pairs",
        "test": "scipy.stats.wilcoxon over the tasks' means, "
        + ", ".join(f"{k}={v}" for k, v in OPTIONS.items()),
    }
    m = max(1, sum(p["p_value"] is not None for p in pairs))
    floor = min(1.0, m * smallest_p(len(tasks)))
    if floor >= alpha:
        needed = next(n for n in range(1, 64) if m * smallest_p(n) < alpha)
        out["note"] = (
            f"with {len(tasks)} tasks and {m} pairs the smallest possible Holm p is "
            f"{floor:.3g} >= {alpha:g}: no pair can be decided ({needed} tasks or more can)"
        )
    return out

"""How often the across-task intervals hold the truth, by simulation.

Each simulated benchmark has ``tasks`` tasks with their own score distribution (task
means spread from 0.70 to 0.95) and ``seeds`` runs per task. The truth is what the
aggregate would be with infinitely many seeds on these tasks (the stratified bootstrap
keeps the tasks fixed, so this is what its intervals are about), computed from 200,000
draws per task. Scenarios: ``normal`` (sd 0.03, cut to [0, 1]) and ``failure`` (one run
in five loses 0.3: skewed and bimodal, as diverging runs make accuracies). The
intervals checked are actviz's own (:func:`.across.iqm_interval`,
:func:`.stratified.aggregate_intervals`, :func:`.stratified.performance_profile`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SCENARIOS = ("normal", "failure")
TRUTH_DRAWS = 200_000


def draw(scenario: str, means: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """``[tasks, size]`` scores."""
    noise = 0.03 * rng.standard_normal((means.size, size))
    scores = means[:, None] + noise
    if scenario == "failure":
        scores = scores - 0.3 * (rng.random((means.size, size)) < 0.2)
    elif scenario != "normal":
        raise ValueError(f"scenario must be one of {SCENARIOS}, not {scenario!r}")
    return np.clip(scores, 0.0, 1.0)


def truth(scenario: str, means: np.ndarray, gamma: float, tau: float) -> dict[str, float]:
    """The aggregates with (nearly) infinite seeds per task."""
    from scipy.stats import trim_mean

    big = draw(scenario, means, TRUTH_DRAWS, np.random.default_rng(12345))
    return {
        "iqm": float(trim_mean(big.ravel(), 0.25)),
        "mean": float(big.mean(axis=1).mean()),
        "optimality_gap": float(np.maximum(0.0, gamma - big).mean(axis=1).mean()),
        "profile": float((big >= tau).mean(axis=1).mean()),
    }


def coverage(
    scenario: str,
    tasks: int,
    seeds: int,
    experiments: int,
    gamma: float = 0.9,
    seed: int = 0,
    resamples: int = 4000,
    method: str = "expanded",
) -> dict[str, Any]:
    """Fraction of experiments whose 95% interval holds the truth, per aggregate; the
    profile is checked at tau = 0.8 (a point on its slope)."""
    from .across import iqm_interval
    from .stratified import aggregate_intervals, performance_profile

    means = np.linspace(0.70, 0.95, tasks)
    tau = 0.8
    true = truth(scenario, means, gamma, tau)
    rng = np.random.default_rng(seed)
    hits = {key: 0 for key in true}
    for _ in range(experiments):
        scores = draw(scenario, means, seeds, rng)
        by_task = {f"t{i}": list(row) for i, row in enumerate(scores)}
        iqm = iqm_interval(by_task, method=method, resamples=resamples)
        both = aggregate_intervals(by_task, gamma=gamma, resamples=resamples, method=method)
        prof = performance_profile(by_task, [tau], resamples=resamples, method=method)
        found = {
            "iqm": (iqm["ci_low"], iqm["ci_high"]),
            "mean": (both["mean"]["ci_low"], both["mean"]["ci_high"]),
            "optimality_gap": (
                both["optimality_gap"]["ci_low"],
                both["optimality_gap"]["ci_high"],
            ),
            "profile": (prof["ci_low"][0], prof["ci_high"][0]),
        }
        for key, (low, high) in found.items():
            hits[key] += low <= true[key] <= high
    return {
        "scenario": scenario,
        "method": method,
        "tasks": tasks,
        "seeds": seeds,
        "experiments": experiments,
        **{f"{key}_cover": hits[key] / experiments for key in true},
    }


def table(
    scenarios: Sequence[str], tasks: Sequence[int], seeds: Sequence[int], experiments: int
) -> list[dict[str, Any]]:
    """One :func:`coverage` row per scenario x task count x seed count."""
    return [coverage(s, t, n, experiments) for s in scenarios for t in tasks for n in seeds]


def pairwise_error(
    tasks: int, activations: int, experiments: int, shift: float = 0.0, seed: int = 0
) -> dict[str, Any]:
    """How often the post-hoc tests call some pair different. Each task has its own
    level (shared by every activation: the pairing) and each activation's task mean
    adds noise (sd 0.02); with ``shift = 0`` every activation is the same, so any
    decided pair is a false one (the family-wise error rate); with a shift the first
    activation is that much better on every task (the rate is then power for its pairs).
    Nemenyi is counted as the report uses it: only when Iman-Davenport rejects."""
    from .across import iman_davenport
    from .posthoc import pairwise_wilcoxon
    from .ranks import friedman, nemenyi_cd, ranking

    rng = np.random.default_rng(seed)
    names = [f"a{i}" for i in range(activations)]
    wilcoxon_any = nemenyi_any = 0
    for _ in range(experiments):
        level = rng.uniform(0.7, 0.95, tasks)
        noise = 0.02 * rng.standard_normal((tasks, activations))
        noise[:, 0] += shift
        means = {
            f"t{t}": {n: float(level[t] + noise[t, i]) for i, n in enumerate(names)}
            for t in range(tasks)
        }
        wilcoxon_any += any(p["decided"] for p in pairwise_wilcoxon(means)["pairs"])
        omnibus = iman_davenport(friedman(means))
        if omnibus.get("p_value", 1.0) < 0.05:
            rows = ranking(means)
            cd = nemenyi_cd(activations, tasks)["cd"]
            spread = rows[-1]["mean_rank"] - rows[0]["mean_rank"]
            nemenyi_any += spread > cd
    return {
        "tasks": tasks,
        "activations": activations,
        "shift": shift,
        "experiments": experiments,
        "wilcoxon_any_decided": wilcoxon_any / experiments,
        "nemenyi_any_decided": nemenyi_any / experiments,
    }

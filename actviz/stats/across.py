"""Across tasks, as the methodology papers do it (Demšar 2006; Benavoli et al. 2017;
Agarwal et al. 2021).

- Iman-Davenport's F next to Friedman's chi-square (less conservative, Demšar's choice);
  the critical-difference diagram is drawn only when it rejects "all alike".
- Holm over every paired test of the benchmark (all tasks together), not per task.
- An aggregate with an interval: the interquartile mean (IQM) of every run's metric over
  tasks and seeds, with a stratified bootstrap (seeds resampled within each task) for
  its 95% interval (expanded percentile: :mod:`.stratified` says why), computed here
  with numpy (``rliable`` gives the same with ``method="percentile"`` but needs arch,
  seaborn and absl; scipy's bootstrap does not stratify).
- The mean and the optimality gap with the same kind of interval, and performance
  profiles with bootstrap bands (:mod:`.stratified`); pairwise Wilcoxon signed-rank
  tests with Holm as the post-hoc alternative to Nemenyi (:mod:`.posthoc`).
- A Bayesian signed-rank test with a region of practical equivalence (``baycomp``):
  P(better), P(equivalent), P(worse) of each activation against the baseline over tasks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

ROPE = 0.01
IQM_RESAMPLES = 4000
RNG_SEED = 0


def iman_davenport(friedman: Mapping[str, Any]) -> dict[str, Any]:
    """Iman-Davenport's F from Friedman's chi-square: ``(N-1) chi2 / (N(k-1) - chi2)`` with
    ``(k-1, (k-1)(N-1))`` degrees of freedom."""
    from scipy.stats import f

    if "skipped" in friedman:
        return {"skipped": friedman["skipped"]}
    chi2, k, n = friedman["statistic"], friedman["k"], friedman["n_tasks"]
    denominator = n * (k - 1) - chi2
    df1, df2 = k - 1, (k - 1) * (n - 1)
    if denominator <= 0:  # every task ranks the activations identically
        return {"statistic": math.inf, "p_value": 0.0, "df1": df1, "df2": df2}
    stat = (n - 1) * chi2 / denominator
    return {"statistic": stat, "p_value": float(f.sf(stat, df1, df2)), "df1": df1, "df2": df2}


def holm_over_benchmark(per_task: Mapping[str, list[dict[str, Any]]], alpha: float) -> int:
    """Replace every ``vs_baseline.p_holm`` (and ``decided``) by Holm over all the
    benchmark's paired tests; returns how many tests that is."""
    from .paired import holm

    found = [e["vs_baseline"] for rows in per_task.values() for e in rows if "vs_baseline" in e]
    adjusted = holm([vs["p_value"] for vs in found])
    for vs, p in zip(found, adjusted, strict=True):
        vs["p_holm_task"] = vs["p_holm"]
        vs["p_holm"] = p
        vs["decided"] = bool(p is not None and p < alpha)
    return sum(vs["p_value"] is not None for vs in found)


def iqm(values: Sequence[float]) -> float:
    """Interquartile mean: the mean of the middle 50% (``scipy.stats.trim_mean(x, 0.25)``)."""
    from scipy.stats import trim_mean

    return float(trim_mean(np.asarray(values, dtype=float), 0.25))


def iqm_interval(
    by_task: Mapping[str, Sequence[float]],
    confidence: float = 0.95,
    method: str = "expanded",
    resamples: int = IQM_RESAMPLES,
) -> dict[str, Any]:
    """IQM over every run of every task and its stratified-bootstrap interval
    (:mod:`.stratified`: expanded percentile by default, ``"percentile"`` as rliable)."""
    from scipy.stats import trim_mean

    from .stratified import METHOD_TEXT, resample, tail

    groups = [np.asarray(v, dtype=float) for v in by_task.values() if len(v)]
    if not groups:
        return {"iqm": None, "ci_low": None, "ci_high": None, "n": 0}
    everything = np.concatenate(groups)
    resampled = np.concatenate(resample(groups, resamples, RNG_SEED), axis=1)
    stats = trim_mean(resampled, 0.25, axis=1)
    level = tail(groups, confidence, method)
    low, high = np.quantile(stats, [level, 1 - level])
    return {
        "iqm": float(trim_mean(everything, 0.25)),
        "ci_low": float(low),
        "ci_high": float(high),
        "n": int(everything.size),
        "method": METHOD_TEXT[method],
    }


def bayes_signed_rank(
    candidate: Sequence[float], baseline: Sequence[float], rope: float = ROPE
) -> dict[str, Any]:
    """Benavoli et al.'s Bayesian signed-rank test over tasks (``baycomp``):
    P(candidate better by more than ``rope``), P(within ``rope``), P(worse)."""
    try:
        from baycomp import SignedRankTest
    except ImportError:
        return {"skipped": "the Bayesian signed-rank test needs baycomp (pip install baycomp)"}
    x = np.asarray(candidate, dtype=float)
    y = np.asarray(baseline, dtype=float)
    if x.size < 2:
        return {"skipped": "the Bayesian signed-rank test needs at least 2 tasks"}
    better, equal, worse = SignedRankTest.probs(x, y, rope=rope, random_state=RNG_SEED)
    return {
        "p_better": float(better),
        "p_rope": float(equal),
        "p_worse": float(worse),
        "rope": rope,
    }


def aggregates(
    races: Mapping[str, Mapping[str, Any]],
    names: Sequence[str],
    baseline: str | None,
    rope: float = ROPE,
    gamma: float | None = None,
) -> dict[str, Any]:
    """IQM, mean and optimality gap with intervals and the performance profile per
    activation (:mod:`.stratified`); with a baseline, each other activation's
    probability of improvement over it (with interval) and the Bayesian signed-rank test
    against it over the tasks' means. ``gamma``: the score the
    optimality gap measures the shortfall from (default 1, a perfect score)."""
    from .paired import values_by_seed

    per_task = {
        task: values_by_seed(race.get("runs", []), race.get("metric", "accuracy"))
        for task, race in races.items()
    }
    from . import stratified

    gap_at = stratified.GAMMA if gamma is None else float(gamma)
    scores = {
        name: {task: list(v.get(name, {}).values()) for task, v in per_task.items()}
        for name in names
    }
    taus = stratified.tau_grid(
        [x for by_task in scores.values() for v in by_task.values() for x in v]
    )
    out: dict[str, Any] = {
        "normalisation": stratified.NORMALISATION,
        "gamma": gap_at,
        "iqm": {},
        "mean": {},
        "optimality_gap": {},
        "profiles": {"taus": taus, "activations": {}},
    }
    for name in names:
        out["iqm"][name] = iqm_interval(scores[name])
        both = stratified.aggregate_intervals(scores[name], gamma=gap_at)
        out["mean"][name] = both["mean"]
        out["optimality_gap"][name] = both["optimality_gap"]
        out["profiles"]["activations"][name] = stratified.performance_profile(scores[name], taus)
    if baseline is not None:
        out["probability_of_improvement"] = {
            name: stratified.improvement_interval(scores[name], scores[baseline])
            for name in names
            if name != baseline
        }
        bayes = {}
        tasks = [t for t, v in per_task.items() if v.get(baseline)]
        base = [float(np.mean(list(per_task[t][baseline].values()))) for t in tasks]
        for name in names:
            if name == baseline:
                continue
            both = [t for t in tasks if per_task[t].get(name)]
            own = [float(np.mean(list(per_task[t][name].values()))) for t in both]
            bayes[name] = bayes_signed_rank(own, [base[tasks.index(t)] for t in both], rope)
        out["bayes_signed_rank"] = bayes
    return out

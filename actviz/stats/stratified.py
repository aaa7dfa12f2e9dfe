"""Aggregates over tasks and seeds with stratified-bootstrap intervals, as rliable
defines them (Agarwal et al. 2021, "Deep RL at the edge of the statistical precipice").

Scores are normalised so that 1 is the best a run can do: accuracy and R² are used as
they are (accuracy is a fraction of the test set; R² is already the mean predictor's
error normalised away, 0 = predicting the mean, 1 = perfect), so every task's scores sit
on one scale without a per-task min-max that would change as activations are added.
With ``gamma = 1``:

- **mean**: the mean over tasks of each task's mean over seeds;
- **optimality gap**: the mean over tasks of each task's mean of ``max(0, gamma - score)``,
  how far the runs fall short of perfect (lower is better; a score above gamma earns
  nothing, so the gap is not just ``1 - mean``);
- **performance profile**: for each threshold tau, the mean over tasks of the fraction
  of that task's runs whose score is ``>= tau`` (rliable uses ``> tau``; ``>=`` lets
  tau = 1 count the perfect runs, which quantised accuracies often are).

Each task weighs the same (with equal seeds per task this is the same as pooling every
run). Intervals: seeds are resampled within each task, tasks are kept (the stratified
bootstrap, rliable's default), 4000 resamples with a fixed generator (the expanded
tails below read percentiles as far out as 0.1%). rliable reads the
95% interval off the 2.5% and 97.5% percentiles; at 3-10 seeds per task that covered
79-94% in simulation (``bench/bench_across_coverage.py``): the bootstrap spread of
a mean of n values is sqrt((n-1)/n) of the truth, and a z quantile stands in for a t.
actviz uses Hesterberg's *expanded percentile* interval instead (Hesterberg 2015, "What
teachers should know about the bootstrap"): the percentiles at the tail
``Phi(-sqrt(n/(n-1)) * t_{df})`` with n the mean seeds per task and df = sum(n_task - 1),
which covered 92-96% at 5-10 seeds (87-95% at 3); ``method="percentile"`` gives
rliable's numbers. Runs that
diverged (no finite score) are left out, as in the per-task tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

GAMMA = 1.0
RESAMPLES = 4000
RNG_SEED = 0
TAU_POINTS = 41
NORMALISATION = (
    "scores as they are: accuracy and R² already have 1 = perfect (R² 0 = the mean predictor)"
)
METHODS = ("expanded", "percentile")
METHOD_TEXT = {
    "expanded": f"stratified bootstrap (seeds within tasks), expanded percentile, {RESAMPLES}",
    "percentile": f"stratified bootstrap (seeds within tasks), percentile, {RESAMPLES}",
}


def _groups(by_task: Mapping[str, Sequence[float]]) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in by_task.values() if len(v)]


def resample(
    groups: Sequence[np.ndarray], resamples: int = RESAMPLES, seed: int = RNG_SEED
) -> list[np.ndarray]:
    """One ``[resamples, n_task]`` array per task: seeds drawn with replacement within
    the task, the tasks themselves kept (the stratified bootstrap)."""
    rng = np.random.default_rng(seed)
    return [g[rng.integers(0, g.size, size=(resamples, g.size))] for g in groups]


def mean_score(groups: Sequence[np.ndarray]) -> np.ndarray:
    """Mean over tasks of each task's mean (over the last axis)."""
    return np.mean([g.mean(axis=-1) for g in groups], axis=0)


def optimality_gap(groups: Sequence[np.ndarray], gamma: float = GAMMA) -> np.ndarray:
    """Mean over tasks of each task's mean of ``max(0, gamma - score)``."""
    return np.mean([np.maximum(0.0, gamma - g).mean(axis=-1) for g in groups], axis=0)


def profile(groups: Sequence[np.ndarray], taus: np.ndarray) -> np.ndarray:
    """Mean over tasks of the fraction of runs with score ``>= tau``, one per tau."""
    return np.mean([(g[..., None] >= taus).mean(axis=-2) for g in groups], axis=0)


def tail(groups: Sequence[np.ndarray], confidence: float, method: str = "expanded") -> float:
    """The lower percentile level the interval reads off the bootstrap distribution
    (the upper is ``1 - tail``): ``(1 - confidence) / 2`` for ``percentile``; smaller,
    by Hesterberg's expansion, for ``expanded``."""
    from scipy.stats import norm, t

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    plain = (1 - confidence) / 2
    sizes = np.array([g.shape[-1] for g in groups], dtype=float)
    df = float(np.sum(sizes - 1))
    n = float(sizes.mean()) if sizes.size else 0.0
    if method == "percentile" or df < 1 or n <= 1:
        return plain
    return float(norm.sf(np.sqrt(n / (n - 1)) * t.ppf(1 - plain, df)))


def _interval(point: float, boot: np.ndarray, level: float) -> dict[str, Any]:
    low, high = np.quantile(boot, [level, 1 - level])
    return {"value": float(point), "ci_low": float(low), "ci_high": float(high)}


def aggregate_intervals(
    by_task: Mapping[str, Sequence[float]],
    gamma: float = GAMMA,
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = RNG_SEED,
    method: str = "expanded",
) -> dict[str, dict[str, Any]]:
    """``{"mean": {...}, "optimality_gap": {...}}``, each ``value, ci_low, ci_high, n``."""
    groups = _groups(by_task)
    n = int(sum(g.size for g in groups))
    if not groups:
        empty = {"value": None, "ci_low": None, "ci_high": None, "n": 0}
        return {"mean": dict(empty), "optimality_gap": dict(empty)}
    boot = resample(groups, resamples, seed)
    level = tail(groups, confidence, method)
    return {
        "mean": {
            **_interval(mean_score(groups), mean_score(boot), level),
            "n": n,
            "method": METHOD_TEXT[method],
        },
        "optimality_gap": {
            **_interval(optimality_gap(groups, gamma), optimality_gap(boot, gamma), level),
            "n": n,
            "gamma": gamma,
            "method": METHOD_TEXT[method],
        },
    }


def tau_grid(scores: Sequence[float], points: int = TAU_POINTS) -> list[float]:
    """Thresholds from the lowest score (rounded down to 0.05) to ``max(1, highest)``."""
    values = np.asarray(scores, dtype=float)
    if values.size == 0:
        return []
    low = min(np.floor(values.min() * 20) / 20, GAMMA)
    high = max(GAMMA, float(values.max()))
    return [float(t) for t in np.linspace(low, high, points)]


def performance_profile(
    by_task: Mapping[str, Sequence[float]],
    taus: Sequence[float],
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = RNG_SEED,
    method: str = "expanded",
) -> dict[str, Any]:
    """``fraction``, ``ci_low``, ``ci_high`` (lists, one per tau): the fraction of runs
    reaching tau and its pointwise stratified-bootstrap band."""
    groups = _groups(by_task)
    grid = np.asarray(taus, dtype=float)
    if not groups or grid.size == 0:
        return {"fraction": [], "ci_low": [], "ci_high": [], "n": 0}
    boot = profile(resample(groups, resamples, seed), grid)
    level = tail(groups, confidence, method)
    low, high = np.quantile(boot, [level, 1 - level], axis=0)
    return {
        "fraction": [float(v) for v in profile(groups, grid)],
        "ci_low": [float(v) for v in low],
        "ci_high": [float(v) for v in high],
        "n": int(sum(g.size for g in groups)),
        "method": METHOD_TEXT[method],
    }


def improvement(xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> np.ndarray:
    """Mean over tasks of P(X > Y) + P(X = Y)/2 over every pair of runs of the task
    (Mann-Whitney's U over n*m; rliable's probability of improvement)."""
    per_task = []
    for x, y in zip(xs, ys, strict=True):
        a, b = x[..., :, None], y[..., None, :]
        per_task.append(((a > b) + 0.5 * (a == b)).mean(axis=(-2, -1)))
    return np.mean(per_task, axis=0)


def improvement_interval(
    candidate: Mapping[str, Sequence[float]],
    baseline: Mapping[str, Sequence[float]],
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = RNG_SEED,
    method: str = "expanded",
) -> dict[str, Any]:
    """P(candidate's run beats the baseline's on a task), averaged over the tasks both
    have runs on, with a stratified-bootstrap interval (each side's seeds resampled
    within each task, independently: rliable's independent stratified bootstrap)."""
    tasks = [t for t in candidate if len(candidate[t]) and len(baseline.get(t, []))]
    if not tasks:
        return {"value": None, "ci_low": None, "ci_high": None, "n_tasks": 0}
    xs = [np.asarray(candidate[t], dtype=float) for t in tasks]
    ys = [np.asarray(baseline[t], dtype=float) for t in tasks]
    boot_x = resample(xs, resamples, seed)
    boot_y = resample(ys, resamples, seed + 1)
    level = tail(xs + ys, confidence, method)
    return {
        **_interval(improvement(xs, ys), improvement(boot_x, boot_y), level),
        "n_tasks": len(tasks),
        "method": METHOD_TEXT[method],
    }

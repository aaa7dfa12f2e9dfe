"""actviz's across-task aggregates next to rliable's on one example.

rliable (Agarwal et al. 2021) is the reference implementation of the IQM, mean,
optimality gap and performance profiles with stratified-bootstrap intervals. actviz does
not depend on it (it pulls in arch, seaborn, absl, statsmodels and formulaic for ~60
lines of numpy); this script checks that the two agree. Run it with a Python that has
rliable (e.g. a venv with --system-site-packages and ``pip install rliable``):

    /tmp/rlvenv/bin/python bench/bench_across_rliable.py

Point estimates must agree to rounding; intervals differ only by bootstrap noise (the
two draw different resamples), which the script prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.stats import across, stratified  # noqa: E402


def main() -> int:
    try:
        from rliable import library as rly
        from rliable import metrics
    except ImportError:
        print("needs rliable: pip install rliable (in a separate environment)")
        return 2
    rng = np.random.default_rng(7)
    tasks, seeds = 5, 8
    means = np.linspace(0.7, 0.95, tasks)
    scores = np.clip(means + 0.04 * rng.standard_normal((seeds, tasks)), 0, 1)  # runs x tasks
    by_task = {f"t{j}": list(scores[:, j]) for j in range(tasks)}
    gamma = 0.9
    taus = np.linspace(0.6, 1.0, 9) + 0.0013  # off the data: >= and rliable's > agree
    reps = 20000

    same = {"resamples": reps, "method": "percentile"}  # rliable's interval
    ours_iqm = across.iqm_interval(by_task, **same)
    ours = stratified.aggregate_intervals(by_task, gamma=gamma, **same)
    ours_prof = stratified.performance_profile(by_task, taus, **same)

    def all_three(x: np.ndarray) -> np.ndarray:
        return np.array(
            [
                metrics.aggregate_iqm(x),
                metrics.aggregate_mean(x),
                metrics.aggregate_optimality_gap(x, gamma),
            ]
        )

    points, intervals = rly.get_interval_estimates(
        {"a": scores}, all_three, reps=reps, random_state=np.random.RandomState(0)
    )
    profiles, bands = rly.create_performance_profile({"a": scores}, taus, reps=reps)
    rows = [
        ("IQM", ours_iqm["iqm"], ours_iqm["ci_low"], ours_iqm["ci_high"], 0),
        ("mean", ours["mean"]["value"], ours["mean"]["ci_low"], ours["mean"]["ci_high"], 1),
        (
            f"optimality gap (gamma {gamma})",
            ours["optimality_gap"]["value"],
            ours["optimality_gap"]["ci_low"],
            ours["optimality_gap"]["ci_high"],
            2,
        ),
    ]
    print(f"{tasks} tasks x {seeds} seeds, {reps} resamples, percentile intervals")
    print("| aggregate | actviz | rliable | actviz 95% CI | rliable 95% CI |")
    print("|---|---|---|---|---|")
    worst_point = 0.0
    worst_ci = 0.0
    for label, value, low, high, i in rows:
        ref = float(points["a"][i])
        ref_low, ref_high = (float(v) for v in intervals["a"][:, i])
        worst_point = max(worst_point, abs(value - ref))
        worst_ci = max(worst_ci, abs(low - ref_low), abs(high - ref_high))
        print(
            f"| {label} | {value:.5f} | {ref:.5f} | [{low:.4f}, {high:.4f}] "
            f"| [{ref_low:.4f}, {ref_high:.4f}] |"
        )
    prof_point = float(np.max(np.abs(np.array(ours_prof["fraction"]) - profiles["a"])))
    prof_band = float(
        np.max(
            np.abs(np.array([ours_prof["ci_low"], ours_prof["ci_high"]]) - np.asarray(bands["a"]))
        )
    )
    other = np.clip(means - 0.02 + 0.04 * rng.standard_normal((seeds, tasks)), 0, 1)
    ours_poi = stratified.improvement_interval(
        by_task, {f"t{j}": list(other[:, j]) for j in range(tasks)}, **same
    )
    poi_points, poi_intervals = rly.get_interval_estimates(
        {"a": [scores, other]},
        lambda x, y: np.array([metrics.probability_of_improvement(x, y)]),
        reps=2000,
        random_state=np.random.RandomState(0),
    )
    ref = float(np.ravel(poi_points["a"])[0])
    ref_low, ref_high = (float(v) for v in np.ravel(poi_intervals["a"]))
    print(
        f"| P(improvement) | {ours_poi['value']:.5f} | {ref:.5f} "
        f"| [{ours_poi['ci_low']:.4f}, {ours_poi['ci_high']:.4f}] "
        f"| [{ref_low:.4f}, {ref_high:.4f}] |"
    )
    worst_point = max(worst_point, abs(ours_poi["value"] - ref))
    print(f"largest point difference (IQM, mean, gap, P(improvement)): {worst_point:.2e}")
    print(f"largest interval-end difference (IQM, mean, gap): {worst_ci:.4f}")
    print(
        f"profile at {len(taus)} taus: largest difference {prof_point:.2e}, "
        f"band ends {prof_band:.4f}"
    )
    return 0 if worst_point < 1e-9 and prof_point < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())

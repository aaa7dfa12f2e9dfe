"""Measured error rates of actviz's statistics on simulated seeds (:mod:`.simulate`).

For a scenario and a seed count ``n``, over many simulated experiments:

- ``mean_cov``: how often the 95% interval of the mean holds the true mean (the
  smoothed bootstrap-t actviz reports, :func:`.intervals.boot_t`); ``mean_cov_t``:
  Student's t; ``mean_cov_bca``: the BCa bootstrap actviz used before;
- ``diff_cov``: the same for the paired mean difference at a true difference of 0.02
  (actviz's interval: the hull of the bootstrap-t and t intervals);
- ``false``: how often a comparison with no true difference ends decided (one
  comparison) by actviz's rule (bootstrap-t and t both reject,
  :func:`.intervals.paired_difference`); ``false_better``: decided *and* called better;
  ``false_boot`` and ``false_t``: by the bootstrap-t alone and the paired t-test alone;
  ``false_old``: the rule actviz used before (BCa interval excludes 0 and the sign-flip
  p < 0.05);
- ``pimp_cov``: coverage of the Wilson interval of P(A > B) at a difference of 0.02;
- ``power``: how often a true difference of 0.02 is decided (``power_boot``: by the
  bootstrap-t alone, what the rule gives up).

The bootstrap-t runs with 999 resamples here (9999 in actviz: the coverage is the same
to Monte-Carlo error, the p-values finer); a fixed generator makes a table repeat.
The Monte-Carlo error of a rate r over R experiments is sqrt(r(1-r)/R): 0.3 points at
95% and 5000 experiments.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from itertools import product
from typing import Any

import numpy as np

from .intervals import boot_t, spread
from .simulate import SCENARIOS, draw, true_improvement

ALPHA = 0.05
SHIFT = 0.02
SCENARIO_IDS = {name: i for i, name in enumerate(SCENARIOS)}


def t_procedure(x: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, ...]:
    """Row-wise t interval and two-sided p of "mean = 0" (zero spread: the t limit, as
    :func:`actviz.stats.intervals.t_test`)."""
    from scipy import stats

    n = x.shape[1]
    mean = x.mean(axis=1)
    se = spread(x) / math.sqrt(n)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(mean) / se
    p = np.where(se > 0, 2 * stats.t.sf(t, n - 1), np.where(np.abs(mean) > 1e-9, 0.0, 1.0))
    return mean - half, mean + half, p


def wilson(diff: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise Wilson interval of P(A > B), ties half (as actviz reports it)."""
    from scipy import stats

    n = diff.shape[1]
    p = (np.sum(diff > 0, axis=1) + 0.5 * np.sum(diff == 0, axis=1)) / n
    z = stats.norm.ppf(0.5 + confidence / 2)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)


def sign_flip_p(diff: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row-wise two-sided sign-flip p of the mean (the test actviz used before): every
    flip up to 12 seeds, else 4999 random flips shared by the rows."""
    n = diff.shape[1]
    if n <= 12:
        signs = 1 - 2 * ((np.arange(2**n)[:, None] >> np.arange(n)) & 1)
    else:
        signs = np.vstack([np.ones(n), rng.choice([-1.0, 1.0], size=(4999, n))])
    observed = np.abs(diff.mean(axis=1))[:, None]
    flipped = np.abs(diff @ signs.T.astype(float) / n)
    return np.mean(flipped >= observed - 1e-12, axis=1)


def bca(x: np.ndarray, resamples: int = 1999, chunk: int = 100) -> tuple[np.ndarray, ...]:
    """Row-wise BCa bootstrap interval (the interval actviz used before); NaN where the
    rows have no spread."""
    from scipy import stats

    lows, highs = [], []
    for start in range(0, x.shape[0], chunk):
        part = x[start : start + chunk]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = stats.bootstrap(
                (part,),
                np.mean,
                axis=-1,
                vectorized=True,
                n_resamples=resamples,
                method="BCa",
                rng=np.random.default_rng(start),
            )
        lows.append(res.confidence_interval.low)
        highs.append(res.confidence_interval.high)
    return np.concatenate(lows), np.concatenate(highs)


def measure(
    scenario: str,
    n: int,
    experiments: int = 5000,
    old: int = 400,
    seed: int = 0,
    resamples: int = 999,
) -> dict[str, Any]:
    """Every rate of the module docstring for one scenario and seed count; ``old``
    experiments (a subset) for the previous bootstrap and sign-flip rule (0: skip)."""
    rng = np.random.default_rng([seed, n, SCENARIO_IDS[scenario]])
    null = draw(scenario, rng, experiments, n, 0.0)
    real = draw(scenario, rng, experiments, n, SHIFT)
    mean_values = null.a if scenario == "failure" else null.b  # the skewed seed results
    truth_mean = null.mean_b  # a = b + a mean-zero mixture in the failure scenario

    def boot(x: np.ndarray) -> tuple[np.ndarray, ...]:
        return boot_t(x, resamples, np.random.default_rng([seed, n, 7]))

    def covers(low: np.ndarray, high: np.ndarray, truth: float) -> float:
        return float(np.mean((low <= truth) & (truth <= high)))

    out: dict[str, Any] = {"scenario": scenario, "n": n, "experiments": experiments}
    out["mean_cov"] = covers(*boot(mean_values)[:2], truth_mean)
    out["mean_cov_t"] = covers(*t_procedure(mean_values)[:2], truth_mean)

    def paired(x: np.ndarray) -> tuple[np.ndarray, ...]:
        """actviz's paired rule, row-wise: hull of the intervals, the larger p."""
        low_b, high_b, p_b = boot(x)
        low_t, high_t, p_t = t_procedure(x)
        return np.minimum(low_b, low_t), np.maximum(high_b, high_t), np.maximum(p_b, p_t), p_b

    d0 = null.a - null.b
    _, _, p0, p0_boot = paired(d0)
    out["false"] = float(np.mean(p0 < ALPHA))
    out["false_better"] = float(np.mean((p0 < ALPHA) & (d0.mean(axis=1) > 0)))
    out["false_boot"] = float(np.mean(p0_boot < ALPHA))
    out["false_t"] = float(np.mean(t_procedure(d0)[2] < ALPHA))
    d1 = real.a - real.b
    low, high, p1, p1_boot = paired(d1)
    out["diff_cov"] = covers(low, high, SHIFT)
    out["power"] = float(np.mean(p1 < ALPHA))
    out["power_boot"] = float(np.mean(p1_boot < ALPHA))
    truth_p = true_improvement(scenario, SHIFT)
    low, high = wilson(d1)
    out["pimp_cov"] = float(np.mean((low <= truth_p) & (truth_p <= high)))
    out["p_improvement"] = truth_p
    if old:
        low, high = bca(mean_values[:old])
        out["mean_cov_bca"] = float(np.mean((low <= truth_mean) & (truth_mean <= high)))
        low, high = bca(d0[:old])
        flip = sign_flip_p(d0[:old], rng)
        out["false_old"] = float(np.mean(((low > 0) | (high < 0)) & (flip < ALPHA)))
    return out


def table(
    scenarios: Sequence[str],
    seed_counts: Sequence[int],
    experiments: int = 5000,
    old: int = 400,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """:func:`measure` for every scenario and seed count."""
    rows = []
    for scenario, n in product(scenarios, seed_counts):
        rows.append(measure(scenario, n, experiments, old))
        if progress is not None:
            progress(f"{scenario} n={n}")
    return rows


COLUMNS = [
    ("scenario", "scenario", "{}"),
    ("n", "n", "{}"),
    ("mean_cov", "mean CI cover", "{:.3f}"),
    ("mean_cov_t", "mean CI cover (t)", "{:.3f}"),
    ("mean_cov_bca", "mean CI cover (BCa, before)", "{:.3f}"),
    ("diff_cov", "diff CI cover", "{:.3f}"),
    ("false", "false decided", "{:.3f}"),
    ("false_better", "false 'better'", "{:.3f}"),
    ("false_boot", "false decided (bootstrap-t alone)", "{:.3f}"),
    ("false_t", "false decided (t alone)", "{:.3f}"),
    ("false_old", "false decided (before)", "{:.3f}"),
    ("pimp_cov", "P(A>B) CI cover", "{:.3f}"),
    ("power", "power at +0.02", "{:.3f}"),
    ("power_boot", "power (bootstrap-t alone)", "{:.3f}"),
]


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The table as Markdown (docs/comparisons.md shows it)."""
    lines = ["| " + " | ".join(h for _, h, _ in COLUMNS) + " |"]
    lines.append("|" + "---|" * len(COLUMNS))
    for row in rows:
        cells = [fmt.format(row[k]) if row.get(k) is not None else "-" for k, _, fmt in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

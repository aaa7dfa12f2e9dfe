"""How actviz compares activations: confidence intervals, paired tests, Holm correction.

Every activation in a race is trained from the same seeds, and a seed fixes the initial
weights and the minibatch order, so the result of activation A at seed s and of the
baseline at seed s form a *pair*. Comparisons use the paired differences, which remove
the seed-to-seed spread both share.

- Mean over seeds with a 95% CI: ``scipy.stats.bootstrap`` (BCa, 9999 resamples, fixed
  generator so the numbers repeat); where BCa is undefined (a jackknife with no spread)
  the percentile interval; with fewer than 2 values or no spread at all, ``None``.
- Paired test: ``scipy.stats.permutation_test`` on the mean difference, flipping the
  sign of each seed's difference. Accuracies on a finite test set are quantised, so
  ties and zero differences are common; they break the exact null of the Wilcoxon
  signed-rank test, while sign flips stay exact (all 2**n flips up to 13 seeds) and
  test the very quantity the CI estimates.
- Holm's step-down correction across the activations compared with one baseline.
- Effect size: Cohen's d_z, the mean paired difference over its standard deviation.
- ``decided``: the CI of the difference excludes 0 and the Holm-adjusted p < alpha.

Qt-free and torch-free: numpy and scipy only.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

CONFIDENCE = 0.95
ALPHA = 0.05
N_RESAMPLES = 9999
RNG_SEED = 0

CI_METHOD = "BCa bootstrap over seeds (scipy.stats.bootstrap, 9999 resamples)"
TEST = "paired sign-flip permutation test of the mean difference (scipy.stats.permutation_test)"
CORRECTION = "Holm"
EFFECT_SIZE = "Cohen's d_z (mean paired difference / its standard deviation)"


def method_notes(confidence: float = CONFIDENCE, alpha: float = ALPHA) -> dict[str, Any]:
    """What the numbers of a summary mean, kept next to them in JSON."""
    return {
        "confidence": confidence,
        "alpha": alpha,
        "ci_method": CI_METHOD,
        "test": TEST,
        "correction": CORRECTION,
        "effect_size": EFFECT_SIZE,
        "decided": "CI of the difference excludes 0 and Holm-adjusted p < alpha",
    }


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def mean_std(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (0 for one value; ``None`` for none)."""
    vals = [float(v) for v in values if _finite(v)]
    if not vals:
        return None, None
    mean = sum(vals) / len(vals)
    if len(vals) == 1:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1))


def bootstrap_ci(
    values: Sequence[float], confidence: float = CONFIDENCE
) -> tuple[float | None, float | None, str | None]:
    """``(low, high, method)`` of the mean's CI; ``(None, None, None)`` when the sample
    cannot give one (fewer than 2 values, or all equal)."""
    data = np.asarray([float(v) for v in values if _finite(v)], dtype=float)
    if data.size < 2 or np.ptp(data) == 0:
        return None, None, None
    from scipy import stats  # only now: importing scipy costs a second at start-up

    for method in ("BCa", "percentile"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = stats.bootstrap(
                (data,),
                np.mean,
                n_resamples=N_RESAMPLES,
                confidence_level=confidence,
                method=method,
                rng=np.random.default_rng(RNG_SEED),
            )
        low, high = result.confidence_interval
        if not caught and math.isfinite(low) and math.isfinite(high):
            return float(low), float(high), method
    return None, None, None


def mean_ci(values: Sequence[float], confidence: float = CONFIDENCE) -> dict[str, Any]:
    """``{mean, ci_low, ci_high, n}`` over the finite values (``None`` where undefined)."""
    data = [float(v) for v in values if _finite(v)]
    low, high, method = bootstrap_ci(data, confidence)
    return {
        "mean": float(np.mean(data)) if data else None,
        "ci_low": low,
        "ci_high": high,
        "n": len(data),
        "ci_method": method,
    }


def paired_p_value(diffs: Sequence[float]) -> float | None:
    """Two-sided p of "mean paired difference = 0" by sign flips; ``None`` below 2 pairs."""
    d = np.asarray(diffs, dtype=float)
    if d.size < 2:
        return None
    if not np.any(d):
        return 1.0
    from scipy import stats

    result = stats.permutation_test(
        (d, np.zeros_like(d)),
        lambda a, b, axis: np.mean(a - b, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=N_RESAMPLES,
        alternative="two-sided",
        rng=np.random.default_rng(RNG_SEED),
    )
    return float(min(1.0, result.pvalue))


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm-adjusted p-values in the input order; ``None`` stays ``None`` and does not
    count as a test. Step-down: the i-th smallest of m is multiplied by (m - i + 1), then
    a running maximum keeps the order, capped at 1."""
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, index) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted


def cohens_dz(diffs: Sequence[float]) -> float | None:
    """Mean paired difference over its sample standard deviation; ``None`` when the
    differences have no spread (or there are fewer than 2)."""
    d = np.asarray(diffs, dtype=float)
    if d.size < 2:
        return None
    sd = float(np.std(d, ddof=1))
    return float(np.mean(d)) / sd if sd > 0 else None


def values_by_seed(runs: Sequence[Mapping[str, Any]], metric: str) -> dict[str, dict[int, float]]:
    """``{activation: {seed: final test metric}}`` from a race's ``runs`` list; diverged
    or failed members (no finite metric) are left out."""
    out: dict[str, dict[int, float]] = {}
    for member in runs:
        values = out.setdefault(member["activation"], {})
        value = member.get(f"test_{metric}")
        if _finite(value):
            values[int(member["seed"])] = float(value)
    return out


def compare(
    values: Mapping[str, Mapping[int, float]],
    baseline: str | None = None,
    *,
    confidence: float = CONFIDENCE,
    alpha: float = ALPHA,
) -> list[dict[str, Any]]:
    """One summary entry per activation (see the module docstring); with a baseline,
    every other activation gains ``vs_baseline`` over the seeds both finished."""
    if baseline is not None and baseline not in values:
        raise ValueError(f"baseline {baseline!r} is not among the raced activations")
    entries = []
    for name, by_seed in values.items():
        entry = {"activation": name, **mean_ci(list(by_seed.values()), confidence)}
        entries.append(entry)
    if baseline is None:
        return entries
    base = values[baseline]
    others = [e for e in entries if e["activation"] != baseline]
    diffs_of = {}
    for entry in others:
        own = values[entry["activation"]]
        seeds = sorted(set(own) & set(base))
        diffs_of[entry["activation"]] = [own[s] - base[s] for s in seeds]
    p_values = [paired_p_value(diffs_of[e["activation"]]) for e in others]
    for entry, p, p_holm in zip(others, p_values, holm(p_values), strict=True):
        diffs = diffs_of[entry["activation"]]
        low, high, method = bootstrap_ci(diffs, confidence)
        excludes_zero = low is not None and (low > 0 or high < 0)
        entry["vs_baseline"] = {
            "baseline": baseline,
            "diff_mean": float(np.mean(diffs)) if diffs else None,
            "ci_low": low,
            "ci_high": high,
            "n": len(diffs),
            "p_value": p,
            "p_holm": p_holm,
            "effect_size": cohens_dz(diffs),
            "test": "permutation",
            "decided": bool(excludes_zero and p_holm is not None and p_holm < alpha),
        }
    return entries


def summarise(
    race: Mapping[str, Any],
    baseline: str | None = None,
    *,
    confidence: float = CONFIDENCE,
    alpha: float = ALPHA,
) -> list[dict[str, Any]]:
    """The ``summary`` list of a race (``RaceResult.to_dict()`` or a stored run)."""
    metric = race.get("metric", "accuracy")
    values = values_by_seed(race.get("runs", []), metric)
    return compare(values, baseline, confidence=confidence, alpha=alpha)


def verdict(entry: Mapping[str, Any]) -> str:
    """``baseline``, ``better``, ``worse`` or ``not decided`` (higher metrics are better:
    accuracy and R²)."""
    vs = entry.get("vs_baseline")
    if vs is None:
        return "baseline"
    if not vs["decided"]:
        return "not decided"
    return "better" if vs["diff_mean"] > 0 else "worse"


def format_ci(mean: float | None, low: float | None, high: float | None, digits: int = 4) -> str:
    """``0.9123 [0.9011, 0.9230]``; ``-`` without a mean, no bracket without a CI."""
    if mean is None:
        return "-"
    text = f"{mean:.{digits}f}"
    if low is None or high is None:
        return text
    return f"{text} [{low:.{digits}f}, {high:.{digits}f}]"


def format_p(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def flat_rows(summary: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per activation (for CSV, tables and pandas): the mean and its CI,
    then the comparison with the baseline (empty for the baseline itself and when
    there is no baseline)."""
    rows = []
    compared = any("vs_baseline" in e for e in summary)
    for entry in summary:
        vs = entry.get("vs_baseline") or {}
        rows.append(
            {
                "activation": entry["activation"],
                "mean": entry["mean"],
                "ci_low": entry["ci_low"],
                "ci_high": entry["ci_high"],
                "n": entry["n"],
                "diff_mean": vs.get("diff_mean"),
                "diff_ci_low": vs.get("ci_low"),
                "diff_ci_high": vs.get("ci_high"),
                "p_value": vs.get("p_value"),
                "p_holm": vs.get("p_holm"),
                "effect_size": vs.get("effect_size"),
                "decided": bool(vs.get("decided")),
                "verdict": verdict(entry) if compared else "",
                "seeds_to_decide": vs.get("seeds_to_decide"),
            }
        )
    return rows

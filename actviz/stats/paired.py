"""How actviz compares activations over one race: intervals, paired tests, Holm.

Every activation in a race gets the same replicates: for seed s, the same data draw (by
default each seed draws its own, see :mod:`actviz.training.replicates`) and the same
initial weights. So the result of activation A at seed s and of the baseline at seed s
form a *pair*, and comparisons use the paired differences.

- Mean over seeds with a 95% interval: a smoothed studentized bootstrap (:mod:`.intervals`),
  chosen from measured coverage (``bench/bench_stats_coverage.py``; the BCa bootstrap
  this replaced covered 64-90% at 3-8 seeds, Student's t 88-92% on skewed results).
- Paired comparison with a baseline: the mean difference is decided only where the
  bootstrap-t test and the paired t-test both reject, and its interval is the hull of
  theirs (:func:`.intervals.paired_difference`): the bootstrap-t alone mistakes one
  outlying seed for skew, the t-test alone is fooled by real skew (the measured error
  rates are in docs/comparisons.md).
- Holm's step-down correction across the activations compared with one baseline.
- ``decided``: the Holm-adjusted p < alpha (with one comparison: the interval excludes 0).
- Probability of improvement P(A > B) over paired seeds with Wilson's interval; Cohen's
  d_z as the effect size.
- Almost stochastic order (:mod:`.stochastic_order`): whether the activation's whole
  seed distribution lies above (or below) the baseline's, for results with failures or
  heavy tails where a mean says little; Bonferroni over the comparisons.

Qt-free and torch-free: numpy and scipy only.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import intervals, nested, stochastic_order

CONFIDENCE = 0.95
ALPHA = 0.05
N_RESAMPLES = 9999
RNG_SEED = 0

CI_METHOD = (
    "smoothed studentized bootstrap (bootstrap-t) over seeds, 9999 resamples; "
    "coverage measured in docs/comparisons.md (below 95% under 5 seeds)"
)
METHOD_SHORT = "bootstrap-t"
TEST = (
    "paired bootstrap-t test and paired t-test of the mean difference, both must reject "
    "(p is the larger; the difference's CI is the hull of the two intervals)"
)
TEST_SHORT = "paired bootstrap-t and t"
IMPROVEMENT = "P(A > B): share of paired seeds where A beat the baseline (ties half), Wilson CI"
CORRECTION = "Holm"
EFFECT_SIZE = "Cohen's d_z (mean paired difference / its standard deviation)"
ASO = (
    "almost stochastic order (del Barrio et al. 2018, Dror et al. 2019, as deepsig): eps_min "
    f"of the activation over the baseline; below {stochastic_order.THRESHOLD} its seed "
    "distribution lies almost everywhere above (order 'better'; 'worse' the other way), "
    "Bonferroni over the comparisons"
)


def method_notes(confidence: float = CONFIDENCE, alpha: float = ALPHA) -> dict[str, Any]:
    """What the numbers of a summary mean, kept next to them in JSON."""
    return {
        "confidence": confidence,
        "alpha": alpha,
        "ci_method": CI_METHOD,
        "test": TEST,
        "correction": CORRECTION,
        "effect_size": EFFECT_SIZE,
        "prob_improvement": IMPROVEMENT,
        "aso": ASO,
        "decided": "Holm-adjusted p < alpha (one comparison: the CI excludes 0)",
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


def bootstrap_ci(  # the interval actviz used before the t interval; kept for comparison
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
    """``{mean, ci_low, ci_high, n}`` over the finite values (``None`` where undefined):
    the t interval (zero width when every value is equal)."""
    data = [float(v) for v in values if _finite(v)]
    low, high, _ = intervals.studentized(data, confidence)
    method = METHOD_SHORT if low is not None else None
    return {
        "mean": float(np.mean(data)) if data else None,
        "ci_low": low,
        "ci_high": high,
        "n": len(data),
        "ci_method": method,
        **_few_seeds_note(len(data)),
    }


def _few_seeds_note(n: int) -> dict[str, str]:
    """A ``ci_note`` where the interval's coverage is not assured (measured)."""
    if 2 <= n < intervals.MIN_ASSURED_N:
        return {
            "ci_note": f"{n} seeds: below {intervals.MIN_ASSURED_N} the interval covers "
            "less than 95% on skewed seed results (measured); add seeds"
        }
    return {}


def paired_p_value(diffs: Sequence[float]) -> float | None:
    """Two-sided p of "mean paired difference = 0" by sign flips; ``None`` below 2 pairs.
    The test actviz used before the bootstrap-t (it assumes symmetric differences);
    kept so the coverage harness can show why it was replaced."""
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


def almost_stochastic_order(
    scores: Sequence[float], baseline: Sequence[float], comparisons: int = 1
) -> dict[str, Any]:
    """``{eps_min, eps_min_reverse, order}``: ASO's ``eps_min`` of the activation over the
    baseline and of the baseline over it; ``order`` is ``better``/``worse`` where one is
    below :data:`.stochastic_order.THRESHOLD`, else ``none`` (``None`` under 2 seeds)."""
    if len(scores) < 2 or len(baseline) < 2:
        return {"eps_min": None, "eps_min_reverse": None, "order": None}
    ahead = stochastic_order.aso(scores, baseline, comparisons=comparisons)
    behind = stochastic_order.aso(baseline, scores, comparisons=comparisons)
    order = "none"
    if ahead is not None and ahead < stochastic_order.THRESHOLD:
        order = "better"
    elif behind is not None and behind < stochastic_order.THRESHOLD:
        order = "worse"
    return {"eps_min": ahead, "eps_min_reverse": behind, "order": order}


def compare(
    values: Mapping[str, Mapping[int, float]],
    baseline: str | None = None,
    *,
    confidence: float = CONFIDENCE,
    alpha: float = ALPHA,
    bounds: tuple[float, float] | None = None,
) -> list[dict[str, Any]]:
    """One summary entry per activation (see the module docstring); with a baseline,
    every other activation gains ``vs_baseline`` over the seeds both finished.
    ``bounds`` is the metric's range (accuracy: 0 to 1): intervals are cut to it (and
    differences to +-its width), which only drops values the truth cannot take."""
    if baseline is not None and baseline not in values:
        raise ValueError(f"baseline {baseline!r} is not among the raced activations")
    entries = []
    for name, by_seed in values.items():
        entry = {"activation": name, **mean_ci(list(by_seed.values()), confidence)}
        _clip(entry, bounds)
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
    tested = {
        e["activation"]: intervals.paired_difference(diffs_of[e["activation"]], confidence)
        for e in others
    }
    p_values = [tested[e["activation"]][2] for e in others]
    for entry, p, p_holm in zip(others, p_values, holm(p_values), strict=True):
        diffs = diffs_of[entry["activation"]]
        low, high, _ = tested[entry["activation"]]
        entry["vs_baseline"] = {
            "baseline": baseline,
            "diff_mean": float(np.mean(diffs)) if diffs else None,
            "ci_low": low,
            "ci_high": high,
            "n": len(diffs),
            **_few_seeds_note(len(diffs)),
            "p_value": p,
            "p_holm": p_holm,
            "effect_size": cohens_dz(diffs),
            "test": TEST_SHORT,
            "prob_improvement": intervals.improvement_probability(diffs, confidence),
            "aso": almost_stochastic_order(
                list(values[entry["activation"]].values()), list(base.values()), len(others)
            ),
            "decided": bool(p_holm is not None and p_holm < alpha),
        }
        if bounds is not None:
            width = bounds[1] - bounds[0]
            _clip(entry["vs_baseline"], (-width, width))
    return entries


def summarise(
    race: Mapping[str, Any],
    baseline: str | None = None,
    *,
    confidence: float = CONFIDENCE,
    alpha: float = ALPHA,
) -> list[dict[str, Any]]:
    """The ``summary`` list of a race (``RaceResult.to_dict()`` or a stored run). A
    nested race (``inits_per_draw`` > 1) is compared on its per-draw means, and each
    entry gains ``variance``: the split of its spread into data and initialisation
    (:mod:`.nested`)."""
    metric = race.get("metric", "accuracy")
    values = values_by_seed(race.get("runs", []), metric)
    bounds = METRIC_BOUNDS.get(metric)
    groups = _draw_groups(race.get("config") or {})
    if groups is None:
        return compare(values, baseline, confidence=confidence, alpha=alpha, bounds=bounds)
    units = nested.per_draw_means(values, groups)
    entries = compare(units, baseline, confidence=confidence, alpha=alpha, bounds=bounds)
    for entry in entries:
        entry["variance"] = nested.variance_split(values.get(entry["activation"], {}), groups)
        entry["unit"] = "data draw"
    return entries


def _draw_groups(config: Mapping[str, Any]) -> list[list[int]] | None:
    """The data-draw groups of a nested race's seeds; ``None`` for any other race."""
    m = config.get("inits_per_draw") or 1
    if not isinstance(m, int) or m <= 1:
        return None
    seeds = config.get("seeds", [])
    seeds = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    return nested.groups_of(seeds, m)


#: The range a metric can take (R² has no lower bound).
METRIC_BOUNDS = {"accuracy": (0.0, 1.0)}


def _clip(part: dict[str, Any], bounds: tuple[float, float] | None) -> None:
    if bounds is None or part.get("ci_low") is None:
        return
    part["ci_low"] = max(bounds[0], part["ci_low"])
    part["ci_high"] = min(bounds[1], part["ci_high"])


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
                "p_improvement": (vs.get("prob_improvement") or {}).get("p"),
                "p_improvement_low": (vs.get("prob_improvement") or {}).get("ci_low"),
                "p_improvement_high": (vs.get("prob_improvement") or {}).get("ci_high"),
                "aso_eps_min": (vs.get("aso") or {}).get("eps_min"),
                "aso_order": (vs.get("aso") or {}).get("order"),
            }
        )
    return rows

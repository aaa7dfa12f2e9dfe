"""How many seeds a comparison needs: the power of the paired t-test (noncentral t).

From a pilot race (or stored runs) we take each comparison's standard deviation of the
paired differences; for a difference of interest ``delta`` the standardised effect is
``d_z = delta / sd``, and with ``n`` pairs the paired t statistic follows a noncentral t
with ``n - 1`` degrees of freedom and noncentrality ``d_z sqrt(n)``. With ``m``
comparisons Holm's first step tests at ``alpha / m``, so planning at ``alpha / m`` gives
the power of every comparison. actviz decides with a bootstrap-t; its power on normal
differences is that of the t-test to within a few points (bench/bench_stats_coverage.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

MAX_SEEDS = 10_000


def power_paired_t(n: int, d_z: float, alpha: float = 0.05) -> float:
    """Two-sided power of the paired t-test with ``n`` pairs at effect ``d_z``."""
    from scipy.stats import nct, t

    if n < 2:
        return 0.0
    df = n - 1
    crit = float(t.isf(alpha / 2, df))
    nc = d_z * math.sqrt(n)
    return float(nct.sf(crit, df, nc) + nct.cdf(-crit, df, nc))


def seeds_needed(d_z: float, alpha: float = 0.05, power: float = 0.8) -> int | None:
    """The fewest pairs reaching ``power``; ``None`` for no effect or beyond MAX_SEEDS."""
    if not math.isfinite(d_z) or d_z == 0:
        return None
    d_z = abs(d_z)
    low, high = 2, 2
    while power_paired_t(high, d_z, alpha) < power:
        low, high = high, high * 2
        if high > MAX_SEEDS:
            return None
    while low < high:  # power grows with n: bisect
        mid = (low + high) // 2
        if power_paired_t(mid, d_z, alpha) >= power:
            high = mid
        else:
            low = mid + 1
    return high


def plan(
    race: Mapping[str, Any],
    baseline: str,
    difference: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> list[dict[str, Any]]:
    """One row per activation compared with ``baseline`` in the pilot ``race`` (a race
    dict with ``runs``): the pilot's spread of paired differences, the seeds needed to
    detect ``difference`` with ``power`` at ``alpha`` over all comparisons, and the power
    the pilot's own seed count had."""
    import numpy as np

    from .paired import values_by_seed

    if difference <= 0 or not math.isfinite(difference):
        raise ValueError(f"the difference to detect must be a positive number, not {difference}")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must lie between 0 and 1")
    values = values_by_seed(race.get("runs", []), race.get("metric", "accuracy"))
    if baseline not in values:
        known = ", ".join(values) or "none"
        raise ValueError(f"baseline {baseline!r} is not in the pilot (activations: {known})")
    others = [name for name in values if name != baseline]
    level = alpha / max(1, len(others))
    rows = []
    for name in others:
        seeds = sorted(set(values[name]) & set(values[baseline]))
        d = np.array([values[name][s] - values[baseline][s] for s in seeds])
        row: dict[str, Any] = {"activation": name, "pilot_seeds": len(seeds)}
        if d.size < 2 or float(np.std(d, ddof=1)) == 0:
            row.update(sd_diff=None, seeds_needed=None, note="the pilot shows no spread")
            rows.append(row)
            continue
        sd = float(np.std(d, ddof=1))
        d_z = difference / sd
        row.update(
            sd_diff=sd,
            pilot_diff=float(d.mean()),
            d_z=d_z,
            alpha_per_comparison=level,
            seeds_needed=seeds_needed(d_z, level, power),
            pilot_power=power_paired_t(len(seeds), d_z, level),
        )
        rows.append(row)
    return rows


def format_plan(rows: Sequence[Mapping[str, Any]], difference: float, power: float) -> str:
    """A plain-text table of :func:`plan`'s rows."""
    lines = [
        f"{'activation':14} {'pilot seeds':>11} {'sd of diffs':>11} {'pilot power':>11} "
        f"{'seeds for ' + format(difference, 'g') + ' at ' + format(power, '.0%'):>22}"
    ]
    for r in rows:
        if r.get("sd_diff") is None:
            lines.append(f"{r['activation']:14} {r['pilot_seeds']:>11}  {r.get('note', '')}")
            continue
        need = r["seeds_needed"]
        lines.append(
            f"{r['activation']:14} {r['pilot_seeds']:>11} {r['sd_diff']:>11.4f} "
            f"{r['pilot_power']:>11.0%} {need if need is not None else '> 10000':>22}"
        )
    return "\n".join(lines)

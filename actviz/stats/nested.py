"""Where the spread comes from: K data draws x M initialisations.

A nested race (``inits_per_draw`` M > 1) trains M initial weights on each of K data
draws. The one-way random-effects analysis of variance splits each activation's spread
over replicates into the part that changes with the data draw and the part that changes
with the initial weights:

- ``MS_between`` (between draws, K - 1 degrees of freedom) estimates
  ``M * var_data + var_init``; ``MS_within`` (within draws, K (M - 1) degrees) estimates
  ``var_init``; so ``var_data = max(0, (MS_between - MS_within) / M)`` (the usual
  moment estimate, truncated at 0) and ``var_init = MS_within``.
- ``p_data``: the F test of "the data draw adds no spread" (``F = MS_between /
  MS_within``), the same F as :func:`scipy.stats.f_oneway` over the draws.

Seeds of one draw are not independent replicates of the task, so a nested race compares
activations on the per-draw means (K paired units, each the mean of its M
initialisations; :func:`per_draw_means`), not on the K x M seeds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def groups_of(seeds: Sequence[int], inits_per_draw: int) -> list[list[int]]:
    """The seeds in their data-draw groups: consecutive runs of ``inits_per_draw``."""
    seeds = list(seeds)
    return [seeds[i : i + inits_per_draw] for i in range(0, len(seeds), inits_per_draw)]


def variance_split(by_seed: Mapping[int, float], groups: Sequence[Sequence[int]]) -> dict[str, Any]:
    """``{var_data, var_init, data_share, f, p_data, draws, inits_per_draw}`` of one
    activation's results by seed; only complete groups (every seed finished) count.
    Values are ``None`` with fewer than two complete draws or no spread within them."""
    complete = [[by_seed[s] for s in g] for g in groups if g and all(s in by_seed for s in g)]
    m = len(groups[0]) if groups else 0
    out: dict[str, Any] = {
        "draws": len(complete),
        "inits_per_draw": m,
        "var_data": None,
        "var_init": None,
        "data_share": None,
        "f": None,
        "p_data": None,
    }
    k = len(complete)
    if k < 2 or m < 2:
        return out
    values = np.asarray(complete, dtype=float)  # [K, M]
    means = values.mean(axis=1)
    ms_between = m * float(np.sum((means - values.mean()) ** 2)) / (k - 1)
    ms_within = float(np.sum((values - means[:, None]) ** 2)) / (k * (m - 1))
    var_data = max(0.0, (ms_between - ms_within) / m)
    out.update(var_data=var_data, var_init=ms_within)
    total = var_data + ms_within
    out["data_share"] = var_data / total if total > 0 else None
    if ms_within > 0:
        from scipy.stats import f as f_law

        f = ms_between / ms_within
        out.update(f=f, p_data=float(f_law.sf(f, k - 1, k * (m - 1))))
    return out


def per_draw_means(
    values: Mapping[str, Mapping[int, float]], groups: Sequence[Sequence[int]]
) -> dict[str, dict[int, float]]:
    """Each activation's mean per data draw, keyed by the draw's first seed (the paired
    unit of a nested race); a draw where the activation lost a seed is left out."""
    out: dict[str, dict[int, float]] = {}
    for name, by_seed in values.items():
        out[name] = {
            g[0]: float(np.mean([by_seed[s] for s in g]))
            for g in groups
            if g and all(s in by_seed and math.isfinite(by_seed[s]) for s in g)
        }
    return out

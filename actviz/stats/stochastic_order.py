"""Almost stochastic order (ASO): is one activation's whole seed distribution above
another's, not only its mean?

A mean difference says nothing of how two seed distributions overlap; with failures or
heavy tails a better mean can come with a worse lower tail. ASO (del Barrio, Cuesta-
Albertos & Matrán 2018; Dror, Shlomov & Reichart 2019) measures how much of the
squared Wasserstein distance between the two quantile functions lies where A is *below*
B (the violation ratio), and ``eps_min`` is a one-sided upper confidence bound on it from a
bootstrap of both samples: ``eps_min`` near 0 means A is almost everywhere above B; 0.5
means no order; Dror et al. read ``eps_min < 0.2`` as "A almost stochastically dominates
B" (:data:`THRESHOLD`).

This is the procedure of the ``deepsig`` package (``deepsig.aso``), written with numpy
arrays instead of a Python loop per bootstrap sample so a race summary can carry it
(deepsig takes about 15 s per comparison here, this a few milliseconds). Its numbers
agree with deepsig's to the bootstrap's own noise (``tests/test_stochastic_order.py``
checks it against deepsig where that is installed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Dror et al.'s reading: below this, A almost stochastically dominates B.
THRESHOLD = 0.2
CONFIDENCE = 0.95
RESAMPLES = 1000
DT = 0.005
SEED = 0


def _quantiles(sorted_scores: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The empirical quantile function (deepsig's: the ``ceil(n p)``-th smallest) of each
    row of ``sorted_scores`` at ``p`` (1-D, or one row of probabilities per score row)."""
    n = sorted_scores.shape[-1]
    index = np.clip(np.ceil(n * p).astype(int) - 1, 0, n - 1)
    if sorted_scores.ndim == 1:
        return sorted_scores[index]
    rows = np.broadcast_to(index, (len(sorted_scores), index.shape[-1]))
    return np.take_along_axis(sorted_scores, rows, axis=1)


def violation_ratios(a: np.ndarray, b: np.ndarray, dt: float = DT) -> np.ndarray:
    """Row-wise violation ratio of A over B (``a``: ``[rows, n_a]``, ``b``:
    ``[rows, n_b]``): the share of the squared Wasserstein distance where A's quantile
    function lies below B's; 0.5 where the two are identical."""
    t = np.arange(dt, 1, dt)
    f = _quantiles(np.sort(a, axis=1), t)
    g = _quantiles(np.sort(b, axis=1), t)
    diff = g - f
    whole = np.sum(diff**2 * dt, axis=1)
    below = np.where(f >= g, 0.0, diff)
    violated = np.sum(below[:, 1:] ** 2 * dt, axis=1)  # t = dt left out, as deepsig does
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole == 0, 0.5, violated / np.where(whole == 0, 1.0, whole))


def aso(
    scores_a: Sequence[float],
    scores_b: Sequence[float],
    confidence: float = CONFIDENCE,
    comparisons: int = 1,
    resamples: int = RESAMPLES,
    dt: float = DT,
    seed: int = SEED,
) -> float | None:
    """``eps_min`` of "A almost stochastically dominates B" (0: A above B everywhere, 1:
    below; under :data:`THRESHOLD`: A is better in ASO's sense). ``comparisons`` widens
    the confidence as Bonferroni does (deepsig's ``num_comparisons``). ``None`` when
    either sample is empty."""
    a = np.asarray([float(v) for v in scores_a if math.isfinite(float(v))])
    b = np.asarray([float(v) for v in scores_b if math.isfinite(float(v))])
    if a.size == 0 or b.size == 0:
        return None
    if comparisons > 1:
        confidence += (1 - confidence) / comparisons
    ratio = float(violation_ratios(a[None, :], b[None, :], dt)[0])
    # resamples of both samples through their quantile functions, as deepsig draws them
    # (one generator for all of them: deepsig seeds one per resample, which costs more
    # than the rest together; the numbers agree to the bootstrap's own noise)
    rng = np.random.default_rng(seed)
    ua, ub = rng.uniform(0, 1, (resamples, a.size)), rng.uniform(0, 1, (resamples, b.size))
    sampled = violation_ratios(_quantiles(np.sort(a), ua), _quantiles(np.sort(b), ub), dt)
    const = math.sqrt(a.size * b.size / (a.size + b.size))
    sigma = float(np.std(const * (sampled - ratio)))
    from scipy.stats import norm

    return float(np.clip(ratio - sigma / const * norm.ppf(1 - confidence), 0.0, 1.0))

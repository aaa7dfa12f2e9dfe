"""actviz's interval and test written out one resample at a time, for tests to check
the vectorised code against (a second implementation, not a copy)."""

from __future__ import annotations

import numpy as np


def boot_t_by_hand(values, resamples=9999, jitter=0.5):
    """``(low, high, p)``: the smoothed studentized bootstrap of the mean of ``values``
    (95% interval; two-sided p of "mean = 0"); zero spread gives the t limit."""
    x = np.asarray(values, dtype=float)
    n, m = x.size, x.mean()
    if x.std() <= 1e-6 * max(1.0, np.abs(x).max()):
        return m, m, (0.0 if abs(m) > 1e-6 else 1.0)
    se = x.std(ddof=1) / np.sqrt(n)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, n, size=(resamples, n))
    noise = rng.standard_normal((resamples, n))
    star = np.empty(resamples)
    for b in range(resamples):
        sample = x[idx[b]] + noise[b] * jitter * se
        star[b] = (sample.mean() - m) / (sample.std(ddof=1) / np.sqrt(n))
    q_low, q_high = np.quantile(star, [0.025, 0.975])
    t_obs = m / se
    above = (np.sum(star >= t_obs) + 1) / (resamples + 1)
    below = (np.sum(star <= t_obs) + 1) / (resamples + 1)
    return m - q_high * se, m - q_low * se, min(1.0, 2 * min(above, below))


def paired_by_hand(diffs):
    """``(low, high, p)`` of a paired difference as actviz decides it: the bootstrap-t
    above and scipy's one-sample t-test must both reject (the larger p), the interval
    is the hull of the bootstrap-t and t intervals."""
    from scipy import stats

    d = np.asarray(diffs, dtype=float)
    low_b, high_b, p_b = boot_t_by_hand(d)
    if d.std() <= 1e-6 * max(1.0, np.abs(d).max()):
        return low_b, high_b, p_b
    t = stats.ttest_1samp(d, 0.0)
    ci = t.confidence_interval(0.95)
    return min(low_b, ci.low), max(high_b, ci.high), max(p_b, t.pvalue)

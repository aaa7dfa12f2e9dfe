"""Seed results where the truth is known, to measure what actviz's statistics claim.

Each scenario draws ``experiments x n`` paired results (a baseline ``b`` and a candidate
``a`` on the same replicates) whose true mean, true mean difference and true probability
of improvement are known. The shapes are those races produce:

- ``normal``: a seed effect shared by the pair plus normal noise.
- ``skewed``: exponential (skewness 2) seed results and differences.
- ``quantised``: accuracy on 60 test points (multiples of 1/60) around a seed's own
  true accuracy: ties and zero differences are common.
- ``outlier``: the shape of no-signal races (measured on the ``noise`` task): a third of
  the pairs tie exactly, the rest differ by a symmetric heavy-tailed number of test
  points (Student's t with 2 degrees of freedom, in sixtieths), so now and then one seed
  differs by 10-15 points. Symmetric: its sample skew is noise.
- ``failure``: the candidate is 0.02 better on 80% of seeds and 0.08 worse on the other
  20% (a failure-prone activation): the mean difference is exactly the shift, 0 under
  no difference, yet the candidate wins most pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCENARIOS = ("normal", "skewed", "quantised", "outlier", "failure")
TEST_POINTS = 60


@dataclass
class Draw:
    """``a`` and ``b``: ``[experiments, n]``; the truths they were drawn around."""

    a: np.ndarray
    b: np.ndarray
    mean_b: float
    mean_diff: float


def draw(scenario: str, rng: np.random.Generator, experiments: int, n: int, shift: float = 0.0):
    """Paired results with true mean difference ``shift`` (a - b)."""
    size = (experiments, n)
    if scenario == "normal":
        b = 0.90 + rng.normal(0, 0.03, size)
        a = b + shift + rng.normal(0, 0.02, size)
        return Draw(a, b, 0.90, shift)
    if scenario == "skewed":
        b = 0.95 - 0.03 * rng.exponential(1.0, size)
        a = b + shift + 0.03 * (rng.exponential(1.0, size) - 1.0)
        return Draw(a, b, 0.92, shift)
    if scenario == "quantised":
        q = np.clip(0.88 + rng.normal(0, 0.03, size), 0, 1)
        b = rng.binomial(TEST_POINTS, q) / TEST_POINTS
        a = rng.binomial(TEST_POINTS, np.clip(q + shift, 0, 1)) / TEST_POINTS
        return Draw(a, b, 0.88, shift)
    if scenario == "outlier":
        q = np.clip(0.5 + rng.normal(0, 0.05, size), 0, 1)
        b = rng.binomial(TEST_POINTS, q) / TEST_POINTS
        points = np.where(rng.random(size) < 1 / 3, 0.0, np.round(2 * rng.standard_t(2, size)))
        a = b + shift + points / TEST_POINTS
        return Draw(a, b, 0.5, shift)
    if scenario == "failure":
        b = 0.92 + rng.normal(0, 0.02, size)
        fails = rng.random(size) < 0.2
        a = b + shift + np.where(fails, -0.08, 0.02) + rng.normal(0, 0.01, size)
        return Draw(a, b, 0.92, shift)
    raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")


def true_improvement(scenario: str, shift: float, draws: int = 400_000) -> float:
    """P(a > b) + P(a = b) / 2 on one replicate, by a large simulation (fixed seed)."""
    d = draw(scenario, np.random.default_rng(12345), 1, draws, shift)
    diff = d.a - d.b
    return float(np.mean(diff > 0) + 0.5 * np.mean(diff == 0))

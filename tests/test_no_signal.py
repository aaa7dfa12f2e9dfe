"""The whole pipeline on a task with no signal: few false verdicts, intervals that cover.

Races go through the public :func:`actviz.race` with fresh seeds and data per experiment
(a tiny network and few steps keep the fast version near 60 s of CPU)."""

from __future__ import annotations

import math

import pytest

import actviz
from actviz.stats.no_signal import no_signal_rates


def _bound(rate: float, experiments: int) -> float:
    return rate + 2 * math.sqrt(rate * (1 - rate) / experiments)


@pytest.mark.timeout(900)  # ~20 s of CPU; more wall time on a loaded machine
def test_no_signal_races_rarely_decide_and_their_intervals_cover():
    got = no_signal_rates(100, actviz.race)
    assert got["decided"] <= _bound(0.05, 100)
    assert got["mean_coverage"] >= 0.93 - 2 * math.sqrt(0.93 * 0.07 / 300)
    assert got["diff_coverage"] >= 0.93 - 2 * math.sqrt(0.93 * 0.07 / 200)


@pytest.mark.slow
@pytest.mark.timeout(7200)
def test_no_signal_at_scale_fixed_seeds():
    fixed = no_signal_rates(600, actviz.race, first=10_000)
    assert fixed["decided"] <= _bound(0.05, 600)
    assert fixed["mean_coverage"] >= 0.93


@pytest.mark.slow
@pytest.mark.timeout(7200)
def test_no_signal_at_scale_until_decided():
    sequential = no_signal_rates(300, actviz.race, seeds=6, until_decided=True, first=20_000)
    assert sequential["decided"] <= _bound(0.05, 300)

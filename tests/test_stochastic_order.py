"""Almost stochastic order: the numbers of deepsig's procedure, in a race summary, with a
measured error rate on seed results with no true difference."""

from __future__ import annotations

import numpy as np
import pytest

from actviz import stats
from actviz.stats import stochastic_order
from actviz.stats.simulate import draw


def _samples(seed: int, n: int, m: int, shift: float, outlier: float):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0.9 + shift, 0.02, n), rng.normal(0.9, 0.02, m)
    a[0] += outlier
    return a, b


@pytest.mark.parametrize(
    ("seed", "n", "m", "shift", "outlier"),
    [(0, 8, 8, 0.01, -0.1), (1, 5, 7, 0.0, 0.0), (2, 12, 12, 0.02, 0.0), (3, 24, 20, 0.0, -0.05)],
)
def test_agrees_with_deepsig(seed, n, m, shift, outlier):
    deepsig = pytest.importorskip("deepsig")
    from deepsig.aso import compute_violation_ratio

    a, b = _samples(seed, n, m, shift, outlier)
    ours = stochastic_order.violation_ratios(a[None, :], b[None, :])[0]
    assert ours == pytest.approx(compute_violation_ratio(scores_a=a, scores_b=b, dt=0.005))
    theirs = deepsig.aso(a, b, seed=seed, show_progress=False, num_bootstrap_iterations=300)
    mine = stochastic_order.aso(a, b, seed=seed)
    assert mine == pytest.approx(theirs, abs=0.06)  # the bootstraps' own noise: ~0.04


def test_order_reads_both_ways():
    a, b = _samples(4, 10, 10, 0.05, 0.0)
    assert stochastic_order.aso(a, b) < stochastic_order.THRESHOLD
    assert stochastic_order.aso(b, a) > 1 - stochastic_order.THRESHOLD
    same = stochastic_order.aso(a, a)
    assert same == pytest.approx(1.0) or same > 0.4  # identical samples: no order
    assert stochastic_order.aso([], b) is None


def test_a_summary_carries_the_order_of_each_comparison():
    base = {s: 0.9 + 0.01 * np.sin(s) for s in range(8)}
    up = {s: v + 0.05 for s, v in base.items()}
    down = {s: v - 0.05 for s, v in base.items()}
    entries = {e["activation"]: e for e in stats.compare({"b": base, "up": up, "down": down}, "b")}
    assert entries["up"]["vs_baseline"]["aso"]["order"] == "better"
    assert entries["down"]["vs_baseline"]["aso"]["order"] == "worse"
    row = {r["activation"]: r for r in stats.flat_rows(list(entries.values()))}
    assert row["up"]["aso_order"] == "better" and row["b"]["aso_order"] is None
    one = stats.compare({"b": {0: 0.5}, "x": {0: 0.6}}, "b")[1]["vs_baseline"]["aso"]
    assert one == {"eps_min": None, "eps_min_reverse": None, "order": None}


@pytest.mark.parametrize("scenario", ["normal", "quantised", "outlier", "skewed"])
def test_rarely_orders_results_with_no_difference(scenario):
    rng = np.random.default_rng([8, len(scenario)])
    d = draw(scenario, rng, 200, 8, 0.0)
    ordered = [
        min(stochastic_order.aso(a, b), stochastic_order.aso(b, a)) < stochastic_order.THRESHOLD
        for a, b in zip(d.a, d.b, strict=True)
    ]
    assert np.mean(ordered) <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 200)

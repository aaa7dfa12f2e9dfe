"""actviz.stats against scipy recomputed here and against hand-checked numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats as sps
from stats_reference import boot_t_by_hand, paired_by_hand

from actviz import stats


def test_holm_matches_a_hand_checked_example():
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> running max 0.06
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_and_skips_missing_p_values():
    # m = 3: 0.2*3 = 0.6, 0.6*2 = 1.2 -> 1, 0.7*1 = 0.7 -> running max 1
    assert stats.holm([0.6, None, 0.7, 0.2]) == [1.0, None, 1.0, pytest.approx(0.6)]
    assert stats.holm([]) == []


def test_sign_flip_p_is_exact_for_small_samples():
    # only "all +" and "all -" of the 2**6 sign flips reach |mean| >= the observed one
    assert stats.paired_p_value([1, 2, 3, 4, 5, 6]) == pytest.approx(2 / 64)
    assert stats.paired_p_value([0.0, 0.0, 0.0]) == 1.0
    assert stats.paired_p_value([0.3]) is None


def test_mean_ci_is_the_smoothed_studentized_bootstrap():
    values = [0.81, 0.86, 0.84, 0.9, 0.88, 0.83]
    got = stats.mean_ci(values)
    low, high, _ = boot_t_by_hand(values)
    assert got["mean"] == pytest.approx(np.mean(values))
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high))
    assert got["ci_low"] < got["mean"] < got["ci_high"] and got["n"] == 6
    assert got["ci_method"] == "bootstrap-t" and "ci_note" not in got
    t_low, t_high = sps.ttest_1samp(values, 0).confidence_interval()  # near Student's t
    assert abs((high - low) / (t_high - t_low) - 1) < 0.25
    assert "ci_note" in stats.mean_ci(values[:4])  # below 5 seeds: said so


def test_no_spread_gives_a_zero_width_interval():
    got = stats.mean_ci([0.9, 0.9, 0.9])
    assert got["ci_low"] == got["ci_high"] == pytest.approx(0.9)


@pytest.mark.parametrize("values", [[], [0.9], [float("nan"), 0.5]])
def test_degenerate_samples_give_none_without_warnings(values):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = stats.mean_ci(values)
        compared = stats.compare({"a": dict(enumerate(values)), "b": {0: 0.5}}, baseline="b")
    assert got["ci_low"] is None and got["ci_high"] is None
    vs = compared[0]["vs_baseline"]
    assert vs["decided"] is False and vs["ci_low"] is None and vs["effect_size"] is None


def test_compare_pairs_by_seed_and_corrects_across_activations():
    rng = np.random.default_rng(3)
    seeds = list(range(8))
    base = {s: 0.8 + 0.02 * rng.standard_normal() for s in seeds}
    better = {s: base[s] + 0.05 + 0.005 * rng.standard_normal() for s in seeds}
    same = {s: base[s] + 0.01 * rng.standard_normal() for s in reversed(seeds)}
    entries = {
        e["activation"]: e
        for e in stats.compare({"base": base, "better": better, "same": same}, baseline="base")
    }
    assert "vs_baseline" not in entries["base"]
    p_raw = []
    for name, values in (("better", better), ("same", same)):
        d = np.array([values[s] - base[s] for s in seeds])
        vs = entries[name]["vs_baseline"]
        assert vs["diff_mean"] == pytest.approx(d.mean())
        assert vs["effect_size"] == pytest.approx(d.mean() / d.std(ddof=1))
        low, high, p = paired_by_hand(d)
        assert vs["p_value"] == pytest.approx(p)
        assert (vs["ci_low"], vs["ci_high"]) == pytest.approx((low, high))
        p_raw.append(p)
    assert entries["better"]["vs_baseline"]["p_holm"] == pytest.approx(min(1, 2 * min(p_raw)))
    assert stats.verdict(entries["better"]) == "better"
    assert stats.verdict(entries["same"]) == "not decided"
    assert stats.verdict(entries["base"]) == "baseline"


def test_unknown_baseline_is_a_clear_error():
    with pytest.raises(ValueError, match="baseline 'gelu' is not among"):
        stats.compare({"relu": {0: 0.5}}, baseline="gelu")


def test_mean_std():
    assert stats.mean_std([]) == (None, None) and stats.mean_std([2.0]) == (2.0, 0.0)
    assert stats.mean_std([1.0, 3.0]) == pytest.approx((2.0, np.std([1, 3], ddof=1)))

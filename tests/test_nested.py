"""Nested replicates: K data draws x M initialisations, the spread split into its data and
init parts (checked against scipy's one-way ANOVA and on simulations with known parts),
and comparisons made on the per-draw means."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

import actviz
from actviz.stats import nested
from actviz.training import RaceConfig
from actviz.training.replicates import race_data_seed


def _nested_values(rng, k, m, sd_data, sd_init):
    draws = rng.normal(0, sd_data, k)
    return {d * m + i: 0.8 + draws[d] + rng.normal(0, sd_init) for d in range(k) for i in range(m)}


def test_the_f_test_is_scipys_one_way_anova():
    rng = np.random.default_rng(1)
    values = _nested_values(rng, 6, 3, 0.02, 0.01)
    groups = nested.groups_of(sorted(values), 3)
    got = nested.variance_split(values, groups)
    ref = sps.f_oneway(*[[values[s] for s in g] for g in groups])
    assert got["f"] == pytest.approx(ref.statistic) and got["p_data"] == pytest.approx(ref.pvalue)
    assert (got["draws"], got["inits_per_draw"]) == (6, 3)


def test_the_parts_are_recovered_where_they_are_known():
    rng = np.random.default_rng(2)
    found = [
        nested.variance_split(v, nested.groups_of(sorted(v), 4))
        for v in (_nested_values(rng, 20, 4, 0.03, 0.02) for _ in range(400))
    ]
    assert np.mean([f["var_init"] for f in found]) == pytest.approx(0.02**2, rel=0.05)
    assert np.mean([f["var_data"] for f in found]) == pytest.approx(0.03**2, rel=0.1)
    assert np.mean([f["data_share"] for f in found]) == pytest.approx(9 / 13, abs=0.05)
    # no data part at all: the F test rejects at about its level
    null = [
        nested.variance_split(v, nested.groups_of(sorted(v), 4))["p_data"] < 0.05
        for v in (_nested_values(rng, 8, 4, 0.0, 0.02) for _ in range(1000))
    ]
    assert np.mean(null) <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 1000)


def test_a_lost_seed_drops_its_draw_only():
    values = _nested_values(np.random.default_rng(3), 4, 2, 0.02, 0.01)
    del values[3]
    groups = nested.groups_of(list(range(8)), 2)
    assert nested.variance_split(values, groups)["draws"] == 3
    assert sorted(nested.per_draw_means({"a": values}, groups)["a"]) == [0, 4, 6]


def test_a_nested_race_shares_draws_within_groups_and_compares_draw_means():
    outcome = actviz.race(
        task="moons",
        activations=["relu", "tanh"],
        seeds=[10, 11, 12, 20, 21, 22],
        steps=5,
        baseline="relu",
        inits_per_draw=3,
        device="cpu",
    )
    config = RaceConfig.from_dict(outcome.data["config"])
    draws = [race_data_seed(config, s) for s in config.seed_list()]
    assert draws[0] == draws[1] == draws[2] != draws[3] == draws[4] == draws[5]
    by_name = {e["activation"]: e for e in outcome.summary}
    assert by_name["tanh"]["vs_baseline"]["n"] == 2 and by_name["tanh"]["unit"] == "data draw"
    finals = {}
    for run in outcome.runs:
        finals.setdefault(run["activation"], {})[run["seed"]] = run["test_accuracy"]
    d = [
        np.mean([finals["tanh"][s] - finals["relu"][s] for s in group])
        for group in ([10, 11, 12], [20, 21, 22])
    ]
    assert by_name["tanh"]["vs_baseline"]["diff_mean"] == pytest.approx(np.mean(d))
    split = by_name["relu"]["variance"]
    assert (split["draws"], split["inits_per_draw"]) == (2, 3)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"seeds": 5, "inits_per_draw": 2}, "5 seeds do not split into data draws of 2"),
        ({"seeds": 2, "inits_per_draw": 2}, "at least two draws"),
        ({"seeds": 4, "inits_per_draw": 2, "vary": "init"}, "needs vary='all'"),
        ({"seeds": 4, "inits_per_draw": 0}, "must be a positive integer"),
    ],
)
def test_a_nest_that_does_not_fit_is_one_clear_message(options, message):
    problems = RaceConfig(**options).validate()
    assert any(message in p for p in problems), problems


def test_cli_prints_the_split(run_cli):
    code, out, err = run_cli(
        "train", "--activations", "relu,tanh", "--seeds", "4", "--inits-per-draw", "2",
        "--steps", "5", "--baseline", "relu", "--no-store",
    )  # fmt: skip
    assert code == 0, err
    assert "spread over 2 data draws x 2 initialisations" in out
    assert "F test of no data part" in out or " -" in out
    code, _, err = run_cli("train", "--seeds", "3", "--inits-per-draw", "2", "--no-store")
    assert code == 2 and "do not split into data draws of 2" in err

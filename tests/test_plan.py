"""Planning: seeds needed from a pilot's spread, by the noncentral t (checked by simulation
and against the classic table value)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats as sps

import actviz
from actviz.stats.power import plan, power_paired_t, seeds_needed


def test_power_matches_simulation_and_the_textbook_sample_size():
    rng = np.random.default_rng(0)
    d = rng.normal(0.5, 1.0, size=(20000, 8))
    simulated = np.mean(sps.ttest_1samp(d, 0, axis=1).pvalue < 0.05)
    assert power_paired_t(8, 0.5) == pytest.approx(simulated, abs=0.01)
    assert seeds_needed(0.5) == 34  # d_z = 0.5, alpha 0.05, power 0.8 (G*Power: 34)
    assert seeds_needed(0.5, 0.05 / 3) > 34 and seeds_needed(0.0) is None


def _pilot(rng, n=6):
    runs = []
    for s in range(n):
        base = 0.9 + 0.02 * rng.standard_normal()
        for name, shift in (("relu", 0.0), ("tanh", 0.01), ("gelu", 0.0)):
            value = base + shift + 0.01 * rng.standard_normal() * (name != "relu")
            runs.append({"activation": name, "seed": s, "test_accuracy": value})
    return {"metric": "accuracy", "runs": runs}


def test_plan_reads_the_pilot_spread_and_splits_alpha():
    pilot = _pilot(np.random.default_rng(2))
    rows = {r["activation"]: r for r in plan(pilot, "relu", 0.01)}
    assert set(rows) == {"tanh", "gelu"}
    d = [
        r["test_accuracy"] - b["test_accuracy"]
        for r in pilot["runs"]
        for b in pilot["runs"]
        if r["activation"] == "tanh" and b["activation"] == "relu" and r["seed"] == b["seed"]
    ]
    assert rows["tanh"]["sd_diff"] == pytest.approx(np.std(d, ddof=1))
    assert rows["tanh"]["alpha_per_comparison"] == pytest.approx(0.025)
    need = rows["tanh"]["seeds_needed"]
    assert power_paired_t(need, rows["tanh"]["d_z"], 0.025) >= 0.8
    assert power_paired_t(need - 1, rows["tanh"]["d_z"], 0.025) < 0.8
    assert actviz.plan(pilot, "relu", 0.01) == plan(pilot, "relu", 0.01)
    with pytest.raises(ValueError, match="baseline 'elu' is not in the pilot"):
        plan(pilot, "elu", 0.01)
    with pytest.raises(ValueError, match="positive number"):
        plan(pilot, "relu", -1)


def test_cli_plan_from_a_pilot_json(run_cli, tmp_path):
    path = tmp_path / "pilot.json"
    path.write_text(json.dumps(_pilot(np.random.default_rng(3))))
    code, out, err = run_cli(
        "plan", "--pilot", str(path), "--baseline", "relu", "--difference", "0.01"
    )
    assert code == 0, err
    assert "tanh" in out and "gelu" in out and "seeds for 0.01 at 80%" in out
    code, _, err = run_cli(
        "plan", "--pilot", str(tmp_path / "no.json"), "--baseline", "relu", "--difference", "0.01"
    )
    assert code == 2 and "cannot read" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(
        "plan", "--pilot", str(path), "--baseline", "elu", "--difference", "0.01"
    )
    assert code == 2 and "not in the pilot" in err

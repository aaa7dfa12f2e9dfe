"""``actviz train --baseline`` and ``--until-decided``: the summary recomputed with scipy
from the ``runs`` list of a real short race."""

from __future__ import annotations

import json

import numpy as np
import pytest
from stats_reference import boot_t_by_hand, paired_by_hand

COMMON = ["--no-user-plugins", "train", "--task", "moons", "--steps", "60", "--points", "120"]
COMMON += ["--hidden", "6", "--device", "cpu", "--grid", "0"]


def _finals(data, name):
    return {r["seed"]: r["test_accuracy"] for r in data["runs"] if r["activation"] == name}


def test_baseline_summary_matches_scipy_recomputed_from_runs(run_cli, tmp_path):
    out = tmp_path / "out.json"
    code, stdout, stderr = run_cli(
        *COMMON, "--activations", "relu,tanh,sigmoid", "--seeds", "5",
        "--baseline", "relu", "--no-store", "--json", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    data = json.loads(out.read_text())
    assert len(data["runs"]) == 15 and data["baseline"] == "relu"
    entries = {e["activation"]: e for e in data["summary"]}
    assert set(entries) == {"relu", "tanh", "sigmoid"} and "vs_baseline" not in entries["relu"]
    base = _finals(data, "relu")
    p_raw = {}
    for name, entry in entries.items():
        own = _finals(data, name)
        values = np.array(list(own.values()))
        assert entry["n"] == 5 and entry["mean"] == pytest.approx(values.mean())
        low, high, _ = boot_t_by_hand(values)  # accuracy: cut to [0, 1]
        assert (entry["ci_low"], entry["ci_high"]) == pytest.approx((max(0, low), min(1, high)))
        if name == "relu":
            continue
        d = np.array([own[s] - base[s] for s in sorted(base)])
        vs = entry["vs_baseline"]
        assert vs["diff_mean"] == pytest.approx(d.mean())
        low, high, p_raw[name] = paired_by_hand(d)
        assert vs["p_value"] == pytest.approx(p_raw[name])
        assert (vs["ci_low"], vs["ci_high"]) == pytest.approx((low, high))
    low, high = sorted(p_raw.values())
    by_p = sorted(p_raw, key=p_raw.get)
    assert entries[by_p[0]]["vs_baseline"]["p_holm"] == pytest.approx(min(1, 2 * low))
    assert entries[by_p[1]]["vs_baseline"]["p_holm"] == pytest.approx(max(min(1, 2 * low), high))
    assert "not decided" in stdout and "[" in stdout and "p (Holm)" in stdout


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--baseline", "gelu"], "--baseline 'gelu' is not among --activations (relu, tanh)"),
        (["--until-decided", "--max-seeds", "9"], "--until-decided needs --baseline"),
        (["--baseline", "relu", "--until-decided"], "--until-decided needs --max-seeds N"),
        (["--baseline", "relu", "--until-decided", "--max-seeds", "1"], "at least the first"),
    ],
)
def test_bad_comparison_options_get_one_line(run_cli, extra, message):
    code, _, stderr = run_cli(*COMMON, "--activations", "relu,tanh", "--seeds", "2", *extra)
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1


def test_until_decided_adds_paired_seed_batches(run_cli, tmp_path):
    out, db = tmp_path / "out.json", tmp_path / "runs.sqlite"
    code, stdout, stderr = run_cli(
        *COMMON, "--activations", "relu,linear", "--seeds", "3", "--baseline", "relu",
        "--until-decided", "--max-seeds", "9", "--db", str(db), "--json", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    data = json.loads(out.read_text())
    seeds = data["config"]["seeds"]
    assert seeds == list(range(len(seeds))) and len(seeds) in (6, 9)  # 3 seeds never decide
    assert len(data["run_ids"]) == len(seeds) // 3
    for name in ("relu", "linear"):
        assert sorted(_finals(data, name)) == seeds  # every seed trained for both
    vs = data["summary"][1]["vs_baseline"]
    assert vs["n"] == len(seeds)
    if vs["decided"]:
        assert vs["seeds_to_decide"] == len(seeds) and "decided" in stderr
    else:
        assert len(seeds) == 9 and vs["seeds_to_decide"] is None
    assert "stored as runs" in stdout

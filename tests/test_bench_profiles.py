"""Across tasks as rliable and Benavoli et al. do it: mean and optimality gap with
stratified-bootstrap intervals, performance profiles with bands, pairwise Wilcoxon with
Holm. Numbers are recomputed here with independent code (loops, scipy on the JSON);
files are opened by librsvg, poppler and pandas; coverage is checked by simulation."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as sps
from tools import inked, pdf_pages_and_text, svg_as_png

from actviz.benchmark import BenchSpec, analyse
from actviz.stats import across_check, posthoc, stratified

NAMES = ["relu", "tanh", "gelu"]


def _races(values: dict[str, dict[str, list[float]]], metric: str = "accuracy") -> dict:
    return {
        task: {
            "task": task,
            "metric": metric,
            "runs": [
                {"activation": a, "seed": s, f"test_{metric}": v}
                for a, vs in per.items()
                for s, v in enumerate(vs)
            ],
        }
        for task, per in values.items()
    }


@pytest.fixture(scope="module")
def seven_tasks():
    """7 tasks x 4 seeds, tanh 0.05 better; through JSON as a consumer reads it."""
    rng = np.random.default_rng(3)
    values = {
        t: {
            a: list(
                np.clip(0.8 + 0.04 * rng.standard_normal(4) + (0.05 if a == "tanh" else 0), 0, 1)
            )
            for a in NAMES
        }
        for t in "pqrstuv"
    }
    result = analyse(BenchSpec(NAMES, list(values), seeds=4), _races(values), "relu")
    return json.loads(json.dumps(result))


def test_mean_gap_and_profile_match_their_definitions_with_unequal_seeds():
    by_task = {"p": [0.9, 0.7, 1.0], "q": [0.5, 0.6], "r": [0.95]}
    got = stratified.aggregate_intervals(by_task, gamma=0.9)
    task_means = [(0.9 + 0.7 + 1.0) / 3, (0.5 + 0.6) / 2, 0.95]
    assert got["mean"]["value"] == pytest.approx(sum(task_means) / 3)
    gaps = [(0.0 + 0.2 + 0.0) / 3, (0.4 + 0.3) / 2, 0.0]  # max(0, 0.9 - x), 1.0 earns nothing
    assert got["optimality_gap"]["value"] == pytest.approx(sum(gaps) / 3)
    prof = stratified.performance_profile(by_task, [0.6, 0.9, 1.0])
    expected = [(3 / 3 + 1 / 2 + 1) / 3, (2 / 3 + 0 + 1) / 3, (1 / 3 + 0 + 0) / 3]
    assert prof["fraction"] == pytest.approx(expected)  # >= tau: tau 1.0 counts the 1.0
    for part in (got["mean"], got["optimality_gap"]):
        assert part["ci_low"] <= part["value"] <= part["ci_high"]
    low, mid, high = (np.array(prof[k]) for k in ("ci_low", "fraction", "ci_high"))
    assert np.all(low <= mid) and np.all(mid <= high)


def test_stratified_bootstrap_keeps_tasks_and_resamples_seeds_within_them():
    one_seed = stratified.aggregate_intervals({"p": [0.9], "q": [0.5], "r": [0.7]})
    assert one_seed["mean"]["ci_low"] == one_seed["mean"]["ci_high"] == pytest.approx(0.7)
    groups = [np.array([0.1, 0.2, 0.3]), np.array([0.8, 0.9])]
    for drawn, source in zip(stratified.resample(groups, 50), groups, strict=True):
        assert drawn.shape == (50, source.size) and set(drawn.ravel()) <= set(source)


def test_expanded_percentile_reads_further_tails_than_rliables_percentile():
    groups = [np.array([0.1, 0.2, 0.3])] * 3  # 3 tasks x 3 seeds: df 6, n 3
    z = np.sqrt(3 / 2) * sps.t.ppf(0.975, 6)
    assert stratified.tail(groups, 0.95) == pytest.approx(sps.norm.sf(z))
    assert stratified.tail(groups, 0.95, "percentile") == pytest.approx(0.025)
    wide = stratified.aggregate_intervals({"p": [0.1, 0.5, 0.9], "q": [0.2, 0.3, 0.7]})
    plain = stratified.aggregate_intervals(
        {"p": [0.1, 0.5, 0.9], "q": [0.2, 0.3, 0.7]}, method="percentile"
    )
    assert wide["mean"]["ci_low"] < plain["mean"]["ci_low"]
    assert wide["mean"]["ci_high"] > plain["mean"]["ci_high"]
    with pytest.raises(ValueError, match="method must be one of"):
        stratified.tail(groups, 0.95, "bca")


def test_at_gamma_one_the_gap_is_one_minus_the_mean_and_below_it_is_not():
    by_task = {"p": [0.95, 0.97, 0.99], "q": [0.85, 0.9, 0.99]}
    at_one = stratified.aggregate_intervals(by_task)
    assert at_one["optimality_gap"]["value"] == pytest.approx(1 - at_one["mean"]["value"])
    below = stratified.aggregate_intervals(by_task, gamma=0.9)
    assert below["optimality_gap"]["value"] == pytest.approx((0 + 0.05 / 3) / 2)


def test_negative_r2_counts_in_full_and_empty_input_is_none():
    got = stratified.aggregate_intervals({"sine": [-1.0, 0.5]})
    assert got["optimality_gap"]["value"] == pytest.approx((2.0 + 0.5) / 2)
    assert stratified.aggregate_intervals({})["mean"]["value"] is None
    assert stratified.performance_profile({}, [0.5])["fraction"] == []
    assert stratified.tau_grid([-0.33, 0.7])[0] == pytest.approx(-0.35)
    assert stratified.tau_grid([0.7, 0.9])[-1] == 1.0


def test_pairwise_wilcoxon_recomputed_with_scipy_from_the_json(seven_tasks):
    means = {
        t: {a: np.mean([r["test_accuracy"] for r in runs if r["activation"] == a]) for a in NAMES}
        for t, runs in seven_tasks["runs"].items()
    }
    found = seven_tasks["pairwise_wilcoxon"]["pairs"]
    assert [(p["a"], p["b"]) for p in found] == [
        ("relu", "tanh"),
        ("relu", "gelu"),
        ("tanh", "gelu"),
    ]
    raw = []
    for pair in found:
        x = [means[t][pair["a"]] for t in means]
        y = [means[t][pair["b"]] for t in means]
        ref = sps.wilcoxon(x, y)
        assert pair["p_value"] == pytest.approx(ref.pvalue)
        assert pair["statistic"] == pytest.approx(ref.statistic)
        raw.append(ref.pvalue)
    order = np.argsort(raw)
    holm = np.maximum.accumulate(np.minimum(1, (3 - np.arange(3)) * np.array(raw)[order]))
    assert [found[i]["p_holm"] for i in order] == pytest.approx(holm)
    relu_tanh = found[0]
    assert relu_tanh["decided"] and relu_tanh["better"] == "tanh"
    assert relu_tanh["p_holm"] == pytest.approx(3 * 2 / 2**7)  # exact: every task agrees
    assert "note" not in seven_tasks["pairwise_wilcoxon"]


def test_probability_of_improvement_is_mann_whitney_averaged_over_tasks(seven_tasks):
    runs = seven_tasks["runs"]
    for name in ("tanh", "gelu"):
        per_task = []
        for rs in runs.values():
            x = [r["test_accuracy"] for r in rs if r["activation"] == name]
            y = [r["test_accuracy"] for r in rs if r["activation"] == "relu"]
            u = sps.mannwhitneyu(x, y, alternative="greater").statistic
            per_task.append(u / (len(x) * len(y)))
        got = seven_tasks["aggregates"]["probability_of_improvement"][name]
        assert got["value"] == pytest.approx(np.mean(per_task))
        assert got["ci_low"] <= got["value"] <= got["ci_high"]
    assert "relu" not in seven_tasks["aggregates"]["probability_of_improvement"]
    tie = stratified.improvement_interval({"p": [0.5, 0.7]}, {"p": [0.5, 0.7]})
    assert tie["value"] == pytest.approx(0.5)  # ties count half
    assert stratified.improvement_interval({"p": [0.5]}, {})["value"] is None


def test_pairwise_wilcoxon_says_when_no_pair_can_be_decided():
    means = {t: {"a": 0.9 + i / 100, "b": 0.8, "c": 0.8} for i, t in enumerate("pqrst")}
    got = posthoc.pairwise_wilcoxon(means)
    assert "smallest possible Holm p is 0.188" in got["note"] and "(7 tasks" in got["note"]
    same = next(p for p in got["pairs"] if (p["a"], p["b"]) == ("b", "c"))
    assert same["p_value"] == 1.0 and same["n_nonzero"] == 0 and not same["decided"]
    assert "skipped" in posthoc.pairwise_wilcoxon({"p": {"a": 0.9, "b": 0.8}})
    assert "skipped" in posthoc.pairwise_wilcoxon({"p": {"a": 0.9}, "q": {"a": 0.8}})


def test_bench_json_carries_the_aggregates_for_every_activation(seven_tasks):
    agg = seven_tasks["aggregates"]
    assert agg["gamma"] == 1.0 and "R²" in agg["normalisation"]
    for name in NAMES:
        runs = {
            t: [r["test_accuracy"] for r in rs if r["activation"] == name]
            for t, rs in seven_tasks["runs"].items()
        }
        mean = np.mean([np.mean(v) for v in runs.values()])
        assert agg["mean"][name]["value"] == pytest.approx(mean)
        assert agg["optimality_gap"][name]["value"] == pytest.approx(1 - mean)
        prof = agg["profiles"]["activations"][name]
        assert len(prof["fraction"]) == len(agg["profiles"]["taus"]) == stratified.TAU_POINTS
        assert np.all(np.diff(prof["fraction"]) <= 0)  # a profile never rises with tau
    assert agg["mean"]["tanh"]["ci_low"] > agg["mean"]["relu"]["ci_high"]


def test_gamma_reaches_the_gap_and_a_bad_one_gets_one_message():
    from actviz.benchmark import run_benchmark
    from actviz.host import load_catalogue

    values = {t: {a: [0.8, 0.95] for a in NAMES} for t in "pq"}
    result = analyse(BenchSpec(NAMES, list(values), seeds=2), _races(values), gamma=0.9)
    assert result["aggregates"]["gamma"] == 0.9
    assert result["aggregates"]["optimality_gap"]["relu"]["value"] == pytest.approx(0.05)
    spec = BenchSpec(["relu"], ["moons"], seeds=1, steps=1)
    with pytest.raises(ValueError, match="--gamma must be a finite number"):
        run_benchmark(
            spec, load_catalogue(use_user_dir=False, use_entry_points=False), gamma=float("nan")
        )


def test_files_tables_and_figures_open_in_other_readers(seven_tasks, tmp_path):
    pd = pytest.importorskip("pandas")
    from actviz.benchmark.report import write_outputs

    written = {p.name for p in write_outputs(seven_tasks, tmp_path)}
    assert {"profiles.png", "profiles.svg", "profiles.pdf", "profiles.csv"} <= written
    assert {"aggregates.csv", "pairwise.csv"} <= written
    prof = pd.read_csv(tmp_path / "profiles.csv")
    assert len(prof) == 3 * stratified.TAU_POINTS
    assert (prof.ci_low <= prof.fraction).all() and (prof.fraction <= prof.ci_high).all()
    agg = pd.read_csv(tmp_path / "aggregates.csv").set_index("activation")
    assert agg.loc["tanh", "mean"] == pytest.approx(
        seven_tasks["aggregates"]["mean"]["tanh"]["value"]
    )
    pairs = pd.read_csv(tmp_path / "pairwise.csv")
    assert list(pairs.p_holm) == pytest.approx(
        [p["p_holm"] for p in seven_tasks["pairwise_wilcoxon"]["pairs"]]
    )
    assert inked(svg_as_png(tmp_path / "profiles.svg")) > 0.01
    pages, text = pdf_pages_and_text(tmp_path / "profiles.pdf")
    assert pages == 1 and "Performance profiles" in text and "tanh" in text
    _, text = pdf_pages_and_text(tmp_path / "aggregates.pdf")
    assert "Optimality gap" in text and "Mean" in text
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "profiles.pdf")], capture_output=True, text=True, check=True
    )
    assert "Pages:" in info.stdout


def test_notebook_outcome_shows_the_aggregates(seven_tasks):
    pytest.importorskip("pandas")
    from actviz.notebook import BenchOutcome

    board = BenchOutcome(seven_tasks)
    assert set(board.aggregates) >= {"iqm", "mean", "optimality_gap", "profiles"}
    assert len(board.pairwise["pairs"]) == 3
    assert list(board.to_pandas("aggregates").activation) == NAMES
    assert len(board.to_pandas("profiles")) == 3 * stratified.TAU_POINTS
    assert len(board.to_pandas("pairwise")) == 3
    assert board.figure(kind="profiles").axes
    assert len(board.figure(kind="aggregates").axes) == 5  # IQM, mean, gap, P(impr.), Bayes
    with pytest.raises(ValueError, match="kind must be"):
        board.figure(kind="violin")
    with pytest.raises(ValueError, match="'pairwise'"):
        board.to_pandas("pairs")


def test_the_cli_prints_writes_and_reports_every_addition(tmp_path):
    out, js = tmp_path / "out", tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "actviz.cli", "--no-user-plugins", "bench"]
    cmd += ["--activations", "relu,tanh,sigmoid", "--tasks", "moons,xor", "--seeds", "2"]
    cmd += ["--steps", "20", "--points", "80", "--hidden", "4", "--device", "cpu"]
    cmd += ["--baseline", "relu", "--no-store", "--gamma", "0.95"]
    cmd += ["--out", str(out), "--json", str(js)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "optimality gap (mean shortfall from 0.95" in text
    assert "performance profile: fraction of runs" in text
    assert "pairwise Wilcoxon signed-rank over the tasks' means, Holm over the 3 pairs" in text
    assert "probability of improvement over relu" in text
    assert "with 2 tasks and 3 pairs the smallest possible Holm p is 1" in text
    data = json.loads(js.read_text())
    assert data["aggregates"]["gamma"] == 0.95 and data["pairwise_wilcoxon"]["pairs"]
    assert {"profiles.svg", "pairwise.csv", "aggregates.csv"} <= {p.name for p in out.iterdir()}
    bad = subprocess.run([*cmd[:-4], "--gamma", "x"], capture_output=True, text=True)
    assert bad.returncode != 0 and "--gamma" in bad.stderr


def test_intervals_cover_the_truth_in_simulation():
    """Small version of bench/bench_across_coverage.py (docs/comparisons.md has the
    full table): 5 tasks x 10 seeds, 150 experiments, fixed generator."""
    row = across_check.coverage("normal", tasks=5, seeds=10, experiments=150, resamples=500)
    for key in ("iqm", "mean", "optimality_gap"):
        assert row[f"{key}_cover"] >= 0.88, row


def test_pairwise_wilcoxon_keeps_its_family_wise_error_and_finds_a_real_gap():
    """Small version of the pairwise table in bench/bench_across_coverage.py."""
    null = across_check.pairwise_error(tasks=10, activations=4, experiments=300)
    assert null["wilcoxon_any_decided"] <= 0.05 + 2 * (0.05 * 0.95 / 300) ** 0.5, null
    real = across_check.pairwise_error(tasks=10, activations=4, experiments=60, shift=0.05)
    assert real["wilcoxon_any_decided"] >= 0.8, real

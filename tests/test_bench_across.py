"""Across tasks: Iman-Davenport, Holm over the whole benchmark, the CD gate, IQM with a
stratified bootstrap and the Bayesian signed-rank test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from actviz.benchmark import BenchSpec, analyse
from actviz.stats import across


def test_iman_davenport_matches_demsars_worked_example():
    # Demšar (2006), section 3.2.2: k = 4 classifiers, N = 14 data sets, chi2_F = 9.28
    got = across.iman_davenport({"statistic": 9.28, "k": 4, "n_tasks": 14})
    assert got["statistic"] == pytest.approx(3.69, abs=0.01)
    assert (got["df1"], got["df2"]) == (3, 39)
    assert got["p_value"] == pytest.approx(sps.f.sf(got["statistic"], 3, 39))
    assert "skipped" in across.iman_davenport({"skipped": "too few"})


def _races(values: dict[str, dict[str, list[float]]]) -> dict:
    return {
        task: {
            "task": task,
            "metric": "accuracy",
            "runs": [
                {"activation": a, "seed": s, "test_accuracy": v}
                for a, vs in per.items()
                for s, v in enumerate(vs)
            ],
        }
        for task, per in values.items()
    }


def test_holm_runs_over_every_test_of_the_benchmark():
    rng = np.random.default_rng(0)
    values = {
        t: {a: list(0.8 + 0.02 * rng.standard_normal(6)) for a in ("relu", "tanh", "gelu")}
        for t in ("moons", "xor", "spiral")
    }
    spec = BenchSpec(["relu", "tanh", "gelu"], list(values), seeds=6)
    result = analyse(spec, _races(values), baseline="relu")
    found = [
        e["vs_baseline"] for rows in result["per_task"].values() for e in rows if "vs_baseline" in e
    ]
    assert len(found) == 6
    raw = np.array([vs["p_value"] for vs in found])
    order = np.argsort(raw)
    expected = np.maximum.accumulate(np.minimum(1, (6 - np.arange(6)) * raw[order]))
    assert [found[i]["p_holm"] for i in order] == pytest.approx(expected)
    assert "all 6 paired tests" in result["statistics"]["correction"]


def test_cd_diagram_only_when_the_omnibus_test_rejects():
    from actviz.figures.critical_difference import cd_figure

    same_order = {t: {"a": [0.9] * 3, "b": [0.8] * 3, "c": [0.7] * 3} for t in "pqrst"}
    spec = BenchSpec(["a", "b", "c"], list(same_order), seeds=3)
    result = analyse(spec, _races(same_order))
    assert result["iman_davenport"]["significant"] and "nemenyi" in result
    mixed = {
        "p": {"a": [0.9], "b": [0.8], "c": [0.7]},
        "q": {"a": [0.7], "b": [0.9], "c": [0.8]},
        "r": {"a": [0.8], "b": [0.7], "c": [0.9]},
    }
    result = analyse(BenchSpec(["a", "b", "c"], list(mixed), seeds=1), _races(mixed))
    assert "nemenyi" not in result and "Iman-Davenport p" in result["cd_skipped"]
    assert "no CD" in cd_figure(result)._suptitle.get_text()


def test_iqm_interval_is_stratified_by_task():
    got = across.iqm_interval({"p": [0.9], "q": [0.5], "r": [0.7], "s": [0.6]})
    assert got["iqm"] == pytest.approx(sps.trim_mean([0.9, 0.5, 0.7, 0.6], 0.25))
    assert got["ci_low"] == got["ci_high"] == pytest.approx(got["iqm"])  # one seed per task
    spread = across.iqm_interval({"p": [0.9, 0.8, 0.85, 0.7], "q": [0.5, 0.55, 0.6, 0.52]})
    assert spread["ci_low"] < spread["iqm"] < spread["ci_high"]


def test_bayesian_signed_rank_separates_better_from_equivalent():
    rng = np.random.default_rng(1)
    base = 0.8 + 0.05 * rng.standard_normal(10)
    better = across.bayes_signed_rank(base + 0.05, base)
    assert better["p_better"] > 0.95
    same = across.bayes_signed_rank(base + 0.001 * rng.standard_normal(10), base)
    assert same["p_rope"] > 0.95
    assert "skipped" in across.bayes_signed_rank([0.9], [0.8])


def test_bench_writes_the_aggregates_figure_that_other_renderers_open(tmp_path):
    import shutil
    import subprocess

    from actviz.benchmark.report import write_outputs

    values = {
        t: {"relu": [0.8, 0.82, 0.81], "tanh": [0.85, 0.86, 0.84], "gelu": [0.7, 0.72, 0.71]}
        for t in ("moons", "xor")
    }
    spec = BenchSpec(["relu", "tanh", "gelu"], list(values), seeds=3)
    written = {p.name for p in write_outputs(analyse(spec, _races(values), "relu"), tmp_path)}
    assert {"aggregates.png", "aggregates.svg", "aggregates.pdf"} <= written
    assert (tmp_path / "aggregates.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if shutil.which("rsvg-convert"):  # librsvg draws the SVG
        out = subprocess.run(
            ["rsvg-convert", str(tmp_path / "aggregates.svg"), "-o", str(tmp_path / "r.png")],
            capture_output=True,
        )
        assert out.returncode == 0 and (tmp_path / "r.png").stat().st_size > 1000
    if shutil.which("pdftotext"):  # poppler reads the PDF's text
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "aggregates.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "tanh" in text and "IQM" in text

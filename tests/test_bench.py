"""``actviz bench``: a real short benchmark, its numbers recomputed with scipy from the
``runs`` it reports, its files read by pandas, rsvg, poppler and sqlite3, and a re-run
that trains nothing."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as sps
from tools import inked, pdf_pages_and_text, svg_as_png

from actviz.stats import ranks as bench_stats

ARGS = ["--no-user-plugins", "bench", "--activations", "relu,tanh,sigmoid"]
ARGS += ["--tasks", "moons,xor", "--seeds", "3", "--steps", "40", "--points", "100"]
ARGS += ["--hidden", "6", "--device", "cpu", "--baseline", "relu"]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One benchmark, run in a subprocess so the module can share it."""
    folder = tmp_path_factory.mktemp("bench")
    db, out, js = folder / "runs.sqlite", folder / "out", folder / "bench.json"
    cmd = [
        sys.executable,
        "-m",
        "actviz.cli",
        *ARGS,
        "--db",
        str(db),
        "--out",
        str(out),
        "--json",
        str(js),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    return folder, json.loads(js.read_text()), proc


def test_ranking_and_friedman_match_scipy_recomputed_from_runs(first_run):
    _, data, _ = first_run
    names, tasks = ["relu", "tanh", "sigmoid"], ["moons", "xor"]
    means = {}
    for task in tasks:
        runs = data["runs"][task]
        assert sorted((r["activation"], r["seed"]) for r in runs) == sorted(
            (a, s) for a in names for s in range(3)
        )
        means[task] = [
            np.mean([r["test_accuracy"] for r in runs if r["activation"] == a]) for a in names
        ]
        summary = {e["activation"]: e for e in data["per_task"][task]}
        for a, m in zip(names, means[task], strict=True):
            assert summary[a]["mean"] == pytest.approx(m) and summary[a]["n"] == 3
    ranks = {t: sps.rankdata([-m for m in means[t]]) for t in tasks}
    expected = {a: np.mean([ranks[t][i] for t in tasks]) for i, a in enumerate(names)}
    got = {r["activation"]: r["mean_rank"] for r in data["ranking"]}
    assert got == pytest.approx(expected)
    assert [r["mean_rank"] for r in data["ranking"]] == sorted(got.values())
    columns = [[means[t][i] for t in tasks] for i in range(3)]
    ref = sps.friedmanchisquare(*columns)
    if not math.isfinite(ref.statistic):  # every task tied throughout
        assert "skipped" in data["friedman"]
        return
    assert data["friedman"]["statistic"] == pytest.approx(ref.statistic)
    assert data["friedman"]["p_value"] == pytest.approx(ref.pvalue)
    chi2, k, n = ref.statistic, 3, 2
    iman = (n - 1) * chi2 / (n * (k - 1) - chi2) if n * (k - 1) > chi2 else math.inf
    assert data["iman_davenport"]["statistic"] == pytest.approx(iman)
    if data["iman_davenport"]["p_value"] >= 0.05:  # the diagram waits for the omnibus test
        assert "nemenyi" not in data and "Iman-Davenport" in data["cd_skipped"]
        return
    q_alpha = sps.studentized_range.ppf(0.95, 3, np.inf) / math.sqrt(2)
    assert data["nemenyi"]["cd"] == pytest.approx(q_alpha * math.sqrt(3 * 4 / (6 * 2)))


def test_nemenyi_q_alpha_matches_demsar_table():
    # Demšar (2006), Table 5(a): q_0.05 for k = 2..5 and 10
    for k, q in ((2, 1.960), (3, 2.343), (4, 2.569), (5, 2.728), (10, 3.164)):
        assert bench_stats.nemenyi_cd(k, 10)["q_alpha"] == pytest.approx(q, abs=1e-3)


def test_cliques_join_ranks_closer_than_cd():
    rows = [{"activation": a, "mean_rank": r} for a, r in (("a", 1.0), ("b", 1.5), ("c", 3.0))]
    assert bench_stats.cliques(rows, 1.0) == [["a", "b"]]
    assert bench_stats.cliques(rows, 2.5) == [["a", "b", "c"]]
    assert bench_stats.cliques(rows, 0.2) == []


def test_files_open_in_other_readers(first_run):
    pandas = pytest.importorskip("pandas")
    folder, data, _ = first_run
    out = folder / "out"
    table = pandas.read_csv(out / "bench.csv")
    assert len(table) == 6 and set(table["task"]) == {"moons", "xor"}
    relu = table[(table.task == "moons") & (table.activation == "relu")].iloc[0]
    assert relu["mean"] == pytest.approx(data["per_task"]["moons"][0]["mean"])
    assert table["p_holm"].notna().sum() == 4  # two comparisons per task
    tex = (out / "bench.tex").read_text()
    assert tex.count("\\\\") == 4 and "\\begin{tabular}{lccc}" in tex and "Mean rank" in tex
    # The diagram as other programs see it: poppler reads one page naming every
    # activation and the critical difference; librsvg draws the SVG with about as much
    # ink as matplotlib's own PNG of it.
    pages, text = pdf_pages_and_text(out / "cd.pdf")
    # the diagram draws the critical difference only when the omnibus test rejects, and
    # says why not otherwise
    said = "no CD:" if data.get("cd_skipped") else "CD ="
    assert pages == 1 and said in text, text
    assert all(name in text for name in ("relu", "tanh", "sigmoid"))
    drawn, own = inked(svg_as_png(out / "cd.svg", 700)), inked((out / "cd.png").read_bytes())
    assert 0.005 < own and abs(drawn - own) < 0.5 * own


def test_a_rerun_trains_nothing(first_run, run_cli, monkeypatch):
    folder, data, proc = first_run
    assert proc.stderr.count("training 3 activations x 3 seeds") == 2
    rows = subprocess.run(
        ["sqlite3", str(folder / "runs.sqlite"), "SELECT task, seeds FROM bench_shards"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(rows) == ["moons|0,1,2", "xor|0,1,2"]

    from actviz.training import engine

    def no_training(*args, **kwargs):
        raise AssertionError("a stored shard was trained again")

    monkeypatch.setattr(engine, "run_race", no_training)
    again = folder / "again.json"
    code, _, stderr = run_cli(*ARGS, "--db", str(folder / "runs.sqlite"), "--json", str(again))
    assert code == 0, stderr
    assert stderr.count("done before, skipped") == 2
    second = json.loads(again.read_text())
    assert second["ranking"] == data["ranking"] and second["per_task"] == data["per_task"]


def test_a_changed_configuration_is_a_new_shard(first_run, run_cli):
    folder, _, _ = first_run
    args = [a if a != "40" else "41" for a in ARGS]
    code, _, stderr = run_cli(*args, "--tasks", "moons", "--db", str(folder / "other.sqlite"))
    assert code == 0 and "skipped" not in stderr


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--tasks", "moons,nosuch"], "unknown task 'nosuch'"),
        (["--baseline", "gelu"], "--baseline 'gelu' is not among --activations"),
        (["--seeds", "0"], "--seeds must be a positive count"),
        (["--hidden", "a"], "--hidden: give widths like 8,8"),
    ],
)
def test_bad_input_gets_one_line(run_cli, tmp_path, extra, message):
    code, _, stderr = run_cli(*ARGS, *extra, "--db", str(tmp_path / "r.sqlite"))
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1

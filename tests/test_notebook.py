"""``actviz.race`` and ``actviz.bench`` as a notebook uses them: real short races, numbers
recomputed with scipy from ``.runs``, pandas frames, matplotlib figures read by rsvg."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from stats_reference import paired_by_hand
from tools import inked, need

import actviz

SMALL = {"points": 120, "hidden": (6,), "device": "cpu"}


@pytest.fixture(scope="module")
def outcome():
    return actviz.race(
        task="moons", activations=["relu", "tanh", "sigmoid"], seeds=6, steps=60,
        baseline="relu", **SMALL,
    )  # fmt: skip


def test_import_actviz_stays_light():
    code = (
        "import sys, actviz; from actviz import hookimpl, Activation, Param; "
        "print(sorted(m for m in ('torch', 'scipy', 'matplotlib', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_race_summary_matches_scipy_from_runs(outcome):
    assert len(outcome.runs) == 18
    finals = {}
    for run in outcome.runs:
        finals.setdefault(run["activation"], {})[run["seed"]] = run["test_accuracy"]
    by_name = {e["activation"]: e for e in outcome.summary}
    for name in ("tanh", "sigmoid"):
        d = np.array([finals[name][s] - finals["relu"][s] for s in range(6)])
        vs = by_name[name]["vs_baseline"]
        assert vs["diff_mean"] == pytest.approx(d.mean()) and vs["n"] == 6
        low, high, p = paired_by_hand(d)
        assert vs["p_value"] == pytest.approx(p)
        assert (vs["ci_low"], vs["ci_high"]) == pytest.approx((low, high))
    assert "not decided" in repr(outcome) or "better" in repr(outcome) or "worse" in repr(outcome)


def test_to_pandas_tables(outcome):
    pytest.importorskip("pandas")
    summary = outcome.to_pandas()
    assert list(summary["activation"]) == ["relu", "tanh", "sigmoid"]
    assert summary.loc[0, "mean"] == pytest.approx(outcome.summary[0]["mean"])
    assert summary["p_holm"].isna().tolist() == [True, False, False]
    runs = outcome.to_pandas("runs")
    assert len(runs) == 18 and "history" not in runs.columns
    history = outcome.to_pandas("history")
    assert set(history["activation"]) == {"relu", "tanh", "sigmoid"} and history["step"].max() == 60
    with pytest.raises(ValueError, match="table must be"):
        outcome.to_pandas("nope")


def test_to_pandas_without_pandas_says_how_to_get_it(outcome, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'actviz\[notebook\]'"):
        outcome.to_pandas()


@pytest.mark.parametrize("kind", ["summary", "curves"])
def test_figures_are_matplotlib_figures_other_renderers_draw(outcome, kind, tmp_path):
    from matplotlib.figure import Figure

    fig = outcome.figure(kind)
    assert isinstance(fig, Figure) and fig.axes
    svg = tmp_path / f"{kind}.svg"
    fig.savefig(svg)
    png = tmp_path / f"{kind}.png"
    need("rsvg-convert")
    done = subprocess.run(["rsvg-convert", str(svg), "-o", str(png)], capture_output=True)
    assert done.returncode == 0 and inked(png.read_bytes()) > 0.01


def test_bad_arguments_raise_value_error():
    with pytest.raises(ValueError, match="baseline 'gelu' is not among"):
        actviz.race(activations=["relu", "tanh"], baseline="gelu", seeds=2, steps=5, **SMALL)
    with pytest.raises(ValueError, match="unknown task"):
        actviz.race(task="nosuch", seeds=2, steps=5)
    with pytest.raises(ValueError, match="until_decided needs"):
        actviz.race(activations=["relu", "tanh"], seeds=2, steps=5, until_decided=True)


def test_bench_api_ranks_and_resumes(tmp_path):
    pytest.importorskip("pandas")
    lines: list[str] = []
    kwargs = dict(
        activations=["relu", "tanh", "sigmoid"], tasks=["moons", "circles"], seeds=2, steps=30,
        db=str(tmp_path / "runs.sqlite"), progress=lines.append, **SMALL,
    )  # fmt: skip
    first = actviz.bench(**kwargs)
    assert [r["activation"] for r in first.ranking] == list(first.to_pandas("ranking").activation)
    assert len(first.to_pandas()) == 6 and len(first.to_pandas("runs")) == 12
    assert first.figure().axes
    second = actviz.bench(**kwargs)
    assert sum("skipped" in line for line in lines) == 2
    assert second.ranking == first.ranking
    written = second.save(str(tmp_path / "out"))
    assert sorted(p.name for p in written) == [
        "aggregates.csv", "aggregates.pdf", "aggregates.png", "aggregates.svg",
        "bench.csv", "bench.tex", "cd.pdf", "cd.png", "cd.svg", "pairwise.csv",
        "profiles.csv", "profiles.pdf", "profiles.png", "profiles.svg",
    ]  # fmt: skip

"""Statistics in the Playground and Compare tables: mean [95% CI], the paired difference
from the baseline chosen in a combo box, Holm p and the verdict; exported CSV (read by
pandas) and JSON carry the numbers, which match scipy recomputed from the stored runs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from stats_reference import paired_by_hand
from test_gui_compare import compare  # noqa: F401 - fixture
from test_gui_playground import make_window, race  # noqa: F401 - fixture

from actviz.storage import RunStore, store_race
from actviz.training import RaceConfig

pd = pytest.importorskip("pandas")


def _holm_of_two(p1: float, p2: float) -> tuple[float, float]:
    low, high = sorted((p1, p2))
    adjusted = {low: min(1, 2 * low), high: max(min(1, 2 * low), high)}
    return adjusted[p1], adjusted[p2]


def _paired_p(d: np.ndarray) -> float:  # bootstrap-t and t-test: the larger p
    return paired_by_hand(d)[2]


def test_playground_table_compares_with_the_chosen_baseline(make_window, qtbot, tmp_path):  # noqa: F811
    w, panel = make_window(["relu", "tanh", "sigmoid"])
    panel.form.seeds.setText("6")
    run_id = race(qtbot, panel)
    rows = {r["activation"]: r for r in panel.results.rows}
    assert rows["relu"]["stats"]["verdict"] == ""  # no baseline yet: CIs only
    assert "[" in panel.results.text(0, "stats_mean") or rows["relu"]["stats"]["ci_low"] is None

    panel.baseline_box.setCurrentText("relu")
    with RunStore() as store:
        run = store.load_run(run_id)
    finals = {}
    for m in run["runs"]:
        finals.setdefault(m["activation"], {})[m["seed"]] = m["test_accuracy"]
    diffs = {n: np.array([finals[n][s] - finals["relu"][s] for s in range(6)]) for n in finals}
    p_holm = dict(
        zip(
            ("tanh", "sigmoid"),
            _holm_of_two(*(_paired_p(diffs[n]) for n in ("tanh", "sigmoid"))),
            strict=True,
        )
    )
    rows = {r["activation"]: r for r in panel.results.rows}
    assert rows["relu"]["stats"]["verdict"] == "baseline"
    for name in ("tanh", "sigmoid"):
        s = rows[name]["stats"]
        assert s["diff_mean"] == pytest.approx(diffs[name].mean())
        assert s["p_holm"] == pytest.approx(p_holm[name])
        excludes_zero = s["diff_ci_low"] > 0 or s["diff_ci_high"] < 0
        decided = p_holm[name] < 0.05 and excludes_zero
        expected = ("better" if diffs[name].mean() > 0 else "worse") if decided else "not decided"
        assert s["verdict"] == expected

    path = tmp_path / "results.csv"
    from actviz.gui.export_plots import export_table

    export_table(panel.tables()["playground-results"](), path)
    table = pd.read_csv(path)
    assert {"mean [95% CI]", "vs baseline [95% CI]", "p (Holm)", "verdict", "p_holm"} <= set(
        table.columns
    )
    by_name = table.set_index("activation")
    assert by_name.loc["tanh", "p_holm"] == pytest.approx(p_holm["tanh"])
    assert by_name.loc["relu", "verdict"] == "baseline"

    panel.baseline_box.setCurrentText("no baseline")
    assert all(r["stats"]["p_holm"] is None for r in panel.results.rows)


def test_compare_leaderboard_and_bundle_carry_the_statistics(
    compare,  # noqa: F811
    builtin_catalogue,
    tmp_path,
):
    config = RaceConfig(
        task="moons", activations=["relu", "tanh"], seeds=6, steps=30, hidden=(6,), points=80
    )
    with RunStore() as store:
        run_id, result = store_race(
            config, builtin_catalogue.activations, builtin_catalogue.tasks["moons"], store
        )
    compare.refresh()
    compare.select([run_id])
    compare.baseline_box.setCurrentText("relu")
    rows = {r["activation"]: r for r in compare.leaders.rows}
    d = np.array(
        [
            b.final_metric - a.final_metric
            for a, b in zip(result.runs[:6], result.runs[6:], strict=True)
        ]
    )
    assert rows["tanh"]["stats"]["diff_mean"] == pytest.approx(d.mean())
    assert rows["tanh"]["stats"]["p_holm"] == pytest.approx(_paired_p(d))  # one comparison
    written = compare.export_comparison(tmp_path / "bundle")
    names = {p.name for p in written}
    assert {"statistics.json", "leaderboard.csv"} <= names
    data = json.loads((tmp_path / "bundle/figures/statistics.json").read_text())
    assert data["baseline"] == "relu" and data["runs"][0]["id"] == run_id
    tanh = data["runs"][0]["summary"][1]
    assert tanh["activation"] == "tanh"
    assert tanh["vs_baseline"]["diff_mean"] == pytest.approx(d.mean())
    board = pd.read_csv(tmp_path / "bundle/figures/leaderboard.csv")
    assert board.set_index("activation").loc["tanh", "diff_mean"] == pytest.approx(d.mean())

"""The statistics columns shared by the Playground and Compare tables: mean [95% CI],
the paired difference from a chosen baseline [95% CI], Holm-corrected p and the verdict
(``actviz.stats``), plus the combo box that picks the baseline."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from ... import stats
from .playground_table import Column, RowsModel

NO_BASELINE = "no baseline"
#: The numbers behind the shown text, added to CSV exports (full precision).
NUMERIC_KEYS = (
    "mean",
    "ci_low",
    "ci_high",
    "n",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "p_value",
    "p_holm",
    "effect_size",
    "decided",
    "verdict",
)


def stats_columns() -> list[Column]:
    """Columns reading the ``stats`` dict a row gets from :func:`with_stats`."""

    def get(key: str) -> Callable[[dict[str, Any]], Any]:
        return lambda r: (r.get("stats") or {}).get(key)

    def mean_text(r: dict[str, Any]) -> str:
        s = r.get("stats") or {}
        return stats.format_ci(s.get("mean"), s.get("ci_low"), s.get("ci_high"))

    def diff_text(r: dict[str, Any]) -> str:
        s = r.get("stats") or {}
        if s.get("diff_mean") is None:
            return "–"
        return stats.format_ci(s["diff_mean"], s["diff_ci_low"], s["diff_ci_high"])

    return [
        Column(
            "stats_mean",
            "mean [95% CI]",
            mean_text,
            sort=get("mean"),
            tip="final test metric, mean over seeds with a 95% studentized bootstrap interval",
        ),
        Column(
            "stats_diff",
            "vs baseline [95% CI]",
            diff_text,
            sort=get("diff_mean"),
            tip="paired difference from the baseline (same seed = same initial weights)",
        ),
        Column(
            "stats_p",
            "p (Holm)",
            lambda r: stats.format_p(get("p_holm")(r)),
            sort=get("p_holm"),
            tip="paired bootstrap-t and t-test of the mean difference (both must reject), "
            "Holm-corrected across activations",
        ),
        Column(
            "stats_verdict",
            "verdict",
            lambda r: get("verdict")(r) or "",
            tip="'not decided' unless the CI excludes 0 and the Holm p is below 0.05",
        ),
    ]


def with_stats(
    rows: Sequence[dict[str, Any]], run: Mapping[str, Any], baseline: str | None
) -> list[dict[str, Any]]:
    """``rows`` (one per activation of ``run``) with a ``stats`` dict each; a baseline
    the run did not race is ignored (no comparisons)."""
    names = {m["activation"] for m in run.get("runs", [])}
    chosen = baseline if baseline in names else None
    flat = {r["activation"]: r for r in stats.flat_rows(stats.summarise(run, chosen))}
    out = []
    for row in rows:
        s = dict(flat.get(row["activation"], {}))
        if chosen is not None and row["activation"] == chosen:
            s["verdict"] = "baseline"
        out.append({**row, "stats": s})
    return out


def table_with_numbers(model: RowsModel) -> dict[str, list]:
    """The shown table plus the statistics as numbers, for CSV."""
    table = model.table()
    for key in NUMERIC_KEYS:
        table[key] = [(r.get("stats") or {}).get(key) for r in model.rows]
    return table


class BaselineBox(QComboBox):
    """Choose the activation every other one is compared with."""

    baselineChanged = Signal(object)  # the name, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("baseline: compare every activation with this one (paired seeds)")
        # narrow whatever the names: panels must fit 700 px beside the docks
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)
        self.addItem(NO_BASELINE)
        self.currentTextChanged.connect(lambda _t: self.baselineChanged.emit(self.baseline()))

    def baseline(self) -> str | None:
        text = self.currentText()
        return None if text in ("", NO_BASELINE) else text

    def set_names(self, names: Sequence[str]) -> None:
        """Offer ``names``, keeping the current choice when it is still there."""
        current = self.baseline()
        if [self.itemText(i) for i in range(1, self.count())] == list(names):
            return
        self.blockSignals(True)
        self.clear()
        self.addItem(NO_BASELINE)
        self.addItems(list(names))
        if current in names:
            self.setCurrentText(current)
        self.blockSignals(False)
        if self.baseline() != current:
            self.baselineChanged.emit(self.baseline())

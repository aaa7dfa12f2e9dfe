"""The Playground's results table: one row per activation of the race shown, with its
title, threshold, baseline and CSV export. It reads the race's history and knows
nothing of how the race runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...analysis.race_history import RaceHistory
from ...analysis.train_cost import training_cost_measures
from ...figures.comparison import summarise
from ..flow_layout import FlowLayout, pair
from .playground_table import Column, RowsModel, fmt, mean_pm, sorted_view
from .playground_views import METRIC_NAMES
from .stats_view import BaselineBox, stats_columns, table_with_numbers, with_stats


def cost_tip(row: dict[str, Any]) -> str | None:
    """The spread behind a cost: how far a typical timed round fell from the median."""
    if row.get("cost") is None or "cost_rounds" not in row:
        return None
    if not row["cost_rounds"]:
        return "ReLU is the reference: 1.00 by definition"
    return (
        f"{row['cost']:.2f} × ReLU, median of {row['cost_rounds']} rounds; "
        f"spread ±{row['cost_spread']:.2f} (half the interquartile range)"
    )


def result_columns() -> list[Column]:
    """The results table: one row per activation (see ``bundle.summarise``)."""
    return [
        Column("activation", "activation", lambda r: r["activation"]),
        Column(
            "final_mean",
            "final",
            mean_pm("final_mean", "final_std"),
            tip="last evaluation, mean ± standard deviation over seeds",
        ),
        *stats_columns(),
        Column(
            "best_mean",
            "best",
            mean_pm("best_mean", "best_std"),
            tip="best evaluation of each seed, mean ± standard deviation",
        ),
        Column(
            "steps_to_threshold",
            "steps to thr.",
            lambda r: (
                f"{r['steps_to_threshold']:.0f} ({r['reached']}/{r['seeds']})"
                if r["steps_to_threshold"] is not None
                else f"– (0/{r['seeds']})"
            ),
            tip="steps until the test metric reached the threshold, interpolated between "
            "evaluations on a fixed step grid (mean over the seeds that did): the same "
            "for a short and a long run of the same race",
        ),
        Column(
            "cost",
            "cost (x ReLU)",
            lambda r: fmt(r.get("cost"), 2),
            tip="this activation's own forward+backward time per element relative to ReLU "
            "(ReLU = 1.00 by definition): the median of 31 interleaved rounds on a fixed "
            "tensor, measured once per activation and parameters and kept (the race's wall "
            "time is shared by every activation)",
            cell_tip=cost_tip,
        ),
        Column(
            "diverged",
            "status",
            lambda r: r.get("status", ""),
            sort=lambda r: (r["diverged"] + r["failed"], r.get("status", "")),
            tip="diverged 1/3: one of three seeds produced NaN or inf and was frozen",
        ),
    ]


class ResultsBox(QWidget):
    """See the module docstring. ``error_colour`` gives the colour of a failing row."""

    #: The user asked to export the table (the panel routes it to the export dialog).
    exportRequested = Signal()  # noqa: N815 - Qt signal naming
    #: The threshold or the baseline changed: the table must be recomputed.
    optionsChanged = Signal()  # noqa: N815

    def __init__(self, error_colour: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._error_colour = error_colour
        self.results = RowsModel(result_columns(), colour=self._row_colour)
        self.table = sorted_view(self.results)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # best final metric first
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(-10.0, 1.0)
        self.threshold.setDecimals(3)
        self.threshold.setSingleStep(0.01)
        self.threshold.setValue(0.9)
        self.threshold.setToolTip("the test metric a run must reach for 'steps to threshold'")
        self.threshold.valueChanged.connect(lambda _v: self.optionsChanged.emit())
        export_table = QPushButton("Export CSV…")
        export_table.setToolTip("save the results table as a CSV file")
        export_table.clicked.connect(self.exportRequested.emit)
        bar = FlowLayout()  # wraps in a narrow window rather than widen the panel
        self.title = QLabel("<b>Results</b>")
        self.title.setWordWrap(True)  # a long metric name must not widen the panel
        bar.addWidget(self.title)
        self.baseline_box = BaselineBox()
        self.baseline_box.baselineChanged.connect(lambda _b: self.optionsChanged.emit())
        bar.addWidget(self.baseline_box)
        bar.addWidget(pair(QLabel("threshold"), self.threshold))
        bar.addWidget(export_table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def clear(self) -> None:
        self.results.set_rows([])

    def show_title(self, history: RaceHistory, scrub: int | None) -> None:
        """The metric, and the table's step when the timeline shows another one."""
        metric = METRIC_NAMES.get(history.metric, history.metric)
        latest = history.timeline.latest()
        note = (
            f" at step {latest.step:,} (the views show step {scrub:,})"
            if scrub is not None and latest is not None
            else ""
        )
        self.title.setText(f"<b>Results</b>: test {metric}{note}")

    def update_rows(
        self,
        history: RaceHistory,
        scrub: int | None,
        activations: Mapping[str, Any],
        *,
        final: bool,
    ) -> None:
        """Recompute the rows from ``history``; ``final`` (the race is over) adds the
        confidence intervals and paired tests, too slow for every redraw."""
        if not history.members:
            return
        self.show_title(history, scrub)
        self.title.setToolTip(
            "over seeds: 'final' is mean ± std, 'mean [95% CI]' a bootstrap interval; "
            "choose a baseline for paired comparisons; click a header to sort"
        )
        run = history.as_run()
        names = list(dict.fromkeys(m["activation"] for m in run.get("runs", [])))
        measured = training_cost_measures(names, activations)
        rows = summarise(run, self.threshold.value(), {n: c.ratio for n, c in measured.items()})
        for row in rows:
            row["status"] = history.status_of(row["activation"])
            if row["activation"] in measured:
                row["cost_spread"] = measured[row["activation"]].spread
                row["cost_rounds"] = measured[row["activation"]].rounds
        if final:
            self.baseline_box.set_names([r["activation"] for r in rows])
            rows = with_stats(rows, run, self.baseline_box.baseline())
        self.results.set_rows(rows)

    def csv(self) -> dict[str, list]:
        return table_with_numbers(self.results)

    def _row_colour(self, row: dict[str, Any]) -> str | None:
        if row.get("diverged") or row.get("failed"):
            return self._error_colour()
        return None

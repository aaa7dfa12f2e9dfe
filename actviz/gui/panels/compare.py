"""The Compare panel: the stored runs, overlaid, ranked, swept and exported.

Select runs in the table (filtered by task, activation and date) to overlay their
curves by step (mean over seeds, min-max band) and rank every run x activation in the
leaderboard. Name and note cells are edited in place; Delete removes runs. The Sweep
tab races one activation parameter over a range. "Export comparison" writes a bundle
(``actviz.figures.comparison``): figures, metrics CSV, configuration JSON and a
standalone ``reproduce.py``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...analysis.race_history import RaceHistory
from ...analysis.train_cost import training_costs
from ...api import Activation
from ...figures.bundle import write_run_figures
from ...figures.comparison import summarise, write_bundle
from ...figures.files import ExportError, write_bytes
from ...training.config import RaceConfig
from ...training.events import Evaluation, Progress
from ...training.runinfo import config_diff, group_runs
from ...training.sweep import parse_sweep, sweep_race
from ..export_plots import export_plot
from ..fitted_scroll import FittedScroll
from ..flow_layout import FlowLayout, pair
from ..frozen_column import FrozenColumn
from ..measurements import Measurements
from ..plots import PlotExport, add_legend, make_plot, restyle
from ..race_worker import RaceRunner, RaceWorker
from ..settings import read_json, write_json
from ..state import AppState
from .base import Panel
from .compare_runs import RunFilters, RunsModel
from .compare_sweep import SweepView
from .playground_plots import BandPlot
from .playground_table import Column, RowsModel, fmt, mean_pm, sorted_view
from .playground_views import LAYER_STYLES, METRIC_NAMES
from .stats_view import BaselineBox, stats_columns, table_with_numbers, with_stats

SERIES = {
    "test_metric": "test metric",
    "train_metric": "train metric",
    "test_loss": "test loss",
    "train_loss": "train loss",
}


def leaderboard_columns() -> list[Column]:
    return [
        Column(
            "group",
            "group",
            lambda r: f"group {r['group'] + 1}",
            sort=lambda r: (r["group"], r["rank"]),
            tip="runs are ranked only against runs of the same task and configuration; "
            "hover a row for its group's configuration",
        ),
        Column(
            "rank",
            "rank",
            lambda r: f"{r['rank']}",
            sort=lambda r: (r["group"], r["rank"]),
            tip="the place of this run and activation within its group (1 = best)",
        ),
        Column("run", "run", lambda r: f"#{r['run_id']}", sort=lambda r: r["run_id"]),
        Column("activation", "activation", lambda r: r["activation"]),
        Column("final_mean", "final", mean_pm("final_mean", "final_std")),
        Column("best_mean", "best", mean_pm("best_mean", "best_std")),
        *stats_columns(),
        Column(
            "steps_to_threshold",
            "steps to thr.",
            lambda r: fmt(r["steps_to_threshold"], 0) + f" ({r['reached']}/{r['seeds']})",
        ),
        Column(
            "cost",
            "cost (x ReLU)",
            lambda r: fmt(r.get("cost"), 2),
            tip="the activation's own forward+backward time per element relative to ReLU",
        ),
        Column(
            "diverged",
            "diverged",
            lambda r: f"{r['diverged']}/{r['seeds']}",
            sort=lambda r: r["diverged"] + r["failed"],
        ),
        Column("task", "task", lambda r: r["task"]),
    ]


class ComparePanel(Panel):
    """See the module docstring."""

    key = "compare"
    title = "Compare"
    #: A sweep ended and its plot is drawn: the stored run id (or ``None``).
    sweepFinished = Signal(object)
    #: "Same start again…" was chosen for this stored run (the Playground re-runs it).
    sameStartRequested = Signal(int)

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, measurements, parent)
        self._store = None
        self._loaded: dict[int, tuple[tuple, dict[str, Any]]] = {}
        self.histories: dict[int, RaceHistory] = {}
        self.sweep_runner = RaceRunner(self)
        self._sweep: Any = None
        self._sweep_steps = 0
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)

        self.filters = RunFilters()
        self.model = RunsModel(self._edit_run)
        self.table = sorted_view(self.model)
        self.table.setSelectionMode(self.table.SelectionMode.ExtendedSelection)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "sweep … lr 0.3"
        self.table.setWordWrap(False)
        self.frozen = FrozenColumn(self.table)  # the run number and status never scroll away
        self.table.setEditTriggers(
            self.table.EditTrigger.DoubleClicked | self.table.EditTrigger.EditKeyPressed
        )
        self.refresh_button = QPushButton("Refresh")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip(
            "delete the selected runs from the run database (asks first; also the Delete key)"
        )
        self.export_button = QPushButton("Export comparison…")
        self.export_button.setToolTip(
            "a folder with the figures, metrics CSV, configuration JSON and a standalone "
            "PyTorch script reproducing the best run"
        )
        self.diff_button = QPushButton("Diff")
        self.diff_button.setToolTip("how the configurations of the two selected runs differ")
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)  # it names the database file, a long path
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.delete_button, self.diff_button):
            button.setMinimumWidth(48)  # below the text's width: the row may shrink
        buttons.addWidget(self.refresh_button, 1)
        buttons.addWidget(self.delete_button, 1)
        buttons.addWidget(self.diff_button, 1)
        export_row = QHBoxLayout()  # a row of its own: four buttons do not fit 180 px
        export_row.addWidget(self.export_button, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filters)
        left_layout.addWidget(self.table, 1)
        hint = QLabel(
            "Select runs to overlay (Ctrl/Shift-click); double-click a name or note to edit."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray;")
        left_layout.addWidget(hint)
        left_layout.addWidget(self.count_label)
        left_layout.addLayout(buttons)
        left_layout.addLayout(export_row)

        theme = state.theme
        self.series = QComboBox()
        for key, text in SERIES.items():
            self.series.addItem(text, key)
        self.series.setToolTip("which recorded curve to overlay: test or train, metric or loss")
        self.log_scale = QCheckBox("log y")
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setMaximumWidth(140)
        self.smoothing_label = QLabel("smoothing 0.00")
        self.smoothing.setToolTip("exponential moving average of the plotted curves (0 = raw)")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(-10.0, 1.0)
        self.threshold.setDecimals(3)
        self.threshold.setSingleStep(0.01)
        self.threshold.setValue(0.9)
        self.threshold.setToolTip("the test metric a run must reach for 'steps to threshold'")
        bar = FlowLayout()  # wraps in a narrow window and in presentation mode
        bar.addWidget(pair(QLabel("Show"), self.series))
        bar.addWidget(self.log_scale)
        bar.addWidget(pair(self.smoothing_label, self.smoothing))
        bar.addWidget(pair(QLabel("threshold"), self.threshold))
        self.overlay = make_plot(theme, left="test metric", bottom="step")
        self.overlay.getPlotItem().hideButtons()
        self.legend = add_legend(self.overlay, theme, offset=(-8, -8))
        self.bands = BandPlot(self.overlay.getPlotItem(), self.legend)
        self.leaders = RowsModel(leaderboard_columns())
        self.leader_table = sorted_view(self.leaders)
        self.leader_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.leader_note = QLabel()
        self.leader_note.setWordWrap(True)
        leader_box = QWidget()
        leader_layout = QVBoxLayout(leader_box)
        leader_layout.setContentsMargins(0, 0, 0, 0)
        leader_bar = FlowLayout()
        leader_title = QLabel("<b>Leaderboard</b> (test metric)")
        leader_title.setToolTip("the selected runs, one row per run and activation")
        leader_bar.addWidget(leader_title)
        self.baseline_box = BaselineBox()
        self.baseline_box.baselineChanged.connect(lambda _b: self._update_leaderboard())
        leader_bar.addWidget(self.baseline_box)
        leader_export = QPushButton("Export CSV…")
        leader_export.clicked.connect(lambda: self.tableExportRequested.emit("compare-leaderboard"))
        leader_bar.addWidget(leader_export)
        leader_layout.addLayout(leader_bar)
        leader_layout.addWidget(self.leader_note)
        leader_layout.addWidget(self.leader_table, 1)
        overlay_tab = QWidget()
        overlay_layout = QVBoxLayout(overlay_tab)
        overlay_layout.setContentsMargins(0, 0, 0, 0)
        overlay_layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.overlay)
        split.addWidget(leader_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        overlay_layout.addWidget(split, 1)
        self.sweep_view = SweepView(theme)
        self.views = QTabWidget()
        self.views.addTab(overlay_tab, "Overlay and leaderboard")
        self.views.addTab(self.sweep_view, "Parameter sweep")
        # The runs side scrolls when the window is narrow (1280 px less the docks).
        left_scroll = FittedScroll(left, floor=180)
        left_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(left_scroll)
        main.addWidget(self.views)
        main.setStretchFactor(0, 2)
        main.setStretchFactor(1, 3)
        main.setSizes([520, 680])
        self.splitter = main
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(main)

        self.register_plot(
            PlotExport(
                "compare-overlay", "Compare: overlaid runs", self.overlay, self.bands.columns
            )
        )
        self.register_plot(self.sweep_view.export())

        self.filters.changed.connect(self._refresh_timer.start)
        self.refresh_button.clicked.connect(self.refresh)
        self.delete_button.clicked.connect(self._ask_delete)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        delete_key.activated.connect(self._ask_delete)
        self.export_button.clicked.connect(self._ask_export)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._run_menu)
        self.run_menu: QMenu | None = None
        self.diff_button.clicked.connect(self.show_diff)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.series.currentIndexChanged.connect(lambda _i: self.redraw())
        self.log_scale.toggled.connect(self._log_toggled)
        self.smoothing.valueChanged.connect(self._smoothing_moved)
        self.threshold.valueChanged.connect(lambda _v: self._update_leaderboard())
        self.sweep_view.startRequested.connect(self.start_sweep)
        self.sweep_view.stopRequested.connect(self.sweep_runner.stop)
        self.sweep_runner.event.connect(self._sweep_event)
        self.sweep_runner.finished.connect(self._sweep_done)
        self.sweep_runner.failed.connect(lambda text: self.state.notify(f"sweep failed: {text}"))
        state.catalogueChanged.connect(self._catalogue_changed)
        state.themeChanged.connect(self.apply_theme)
        self._catalogue_changed()
        self._update_buttons()

    # -- the store --------------------------------------------------------------------

    @property
    def store(self):
        """The run database (opened on first use; ``ACTVIZ_DATA_DIR`` chooses its folder)."""
        if self._store is None:
            from ...storage import RunStore

            self._store = RunStore()
        return self._store

    def refresh(self) -> None:
        """Re-read the runs (keeping the selection where the runs still exist)."""
        chosen = set(self.selected_ids())
        try:
            runs = self.store.list_runs(**self.filters.query())
            tasks = sorted({r["task"] for r in self.store.list_runs()})
        except Exception as exc:  # noqa: BLE001 - a broken database must not break the window
            self.count_label.setText(f"cannot read the run database: {exc}")
            return
        self.filters.set_tasks(tasks)
        self.table.selectionModel().blockSignals(True)
        self.model.set_runs(runs)
        self.table.selectionModel().blockSignals(False)
        self.select(sorted(chosen & {r["id"] for r in runs}))
        self.count_label.setText(f"{len(runs)} stored runs shown · {self.store.path}")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh()

    def selected_ids(self) -> list[int]:
        proxy = self.table.model()
        rows = {proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return sorted(self.model.run_id(r) for r in rows if 0 <= r < len(self.model.runs))

    def _run_menu(self, pos: Any) -> None:
        """The run list's context menu: 'Same start again…' for the run under the mouse."""
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        run_id = self.model.run_id(self.table.model().mapToSource(index).row())
        menu = QMenu(self.table)
        action = menu.addAction(f"Same start again… (run #{run_id})")
        action.setToolTip("re-run it in the Playground from its exact initial weights and data")
        action.triggered.connect(lambda _c=False: self.sameStartRequested.emit(run_id))
        self.run_menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def same_start_action(self) -> None:
        """Ctrl+Shift+A: 'Same start again…' for the selected run (the newest selected)."""
        ids = self.selected_ids()
        if ids:
            self.sameStartRequested.emit(ids[-1])
        else:
            self.state.notify("select a stored run first, then 'Same start again…'")

    def select(self, run_ids: list[int]) -> None:
        """Select these runs in the table (and overlay them)."""
        proxy = self.table.model()
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row, run in enumerate(self.model.runs):
            if run["id"] in run_ids:
                selection.select(proxy.mapFromSource(self.model.index(row, 0)), flags)
        selection.blockSignals(False)
        self._selection_changed()

    def load(self, run_id: int) -> dict[str, Any]:
        """A stored run (cached until its status or step count changes)."""
        summary = next((r for r in self.model.runs if r["id"] == run_id), {})
        stamp = (summary.get("status"), summary.get("steps_done"), summary.get("name"))
        cached = self._loaded.get(run_id)
        if cached is None or cached[0] != stamp or stamp == (None, None, None):
            cached = (stamp, self.store.load_run(run_id))
            self._loaded[run_id] = cached
        return cached[1]

    # -- editing ----------------------------------------------------------------------

    def _edit_run(self, run_id: int, field: str, text: str) -> bool:
        try:
            if field == "name":
                self.store.rename_run(run_id, text)
            else:
                self.store.annotate_run(run_id, text)
        except (KeyError, OSError) as exc:
            self.state.notify(f"could not save the {field}: {exc}")
            return False
        self._loaded.pop(run_id, None)
        return True

    def rename(self, run_id: int, name: str) -> bool:
        return self._set_cell(run_id, "name", name)

    def annotate(self, run_id: int, note: str) -> bool:
        return self._set_cell(run_id, "note", note)

    def _set_cell(self, run_id: int, field: str, text: str) -> bool:
        from .compare_runs import COLUMNS

        column = [k for k, _ in COLUMNS].index(field)
        for row, run in enumerate(self.model.runs):
            if run["id"] == run_id:
                return self.model.setData(self.model.index(row, column), text)
        return False

    def _ask_delete(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        answer = QMessageBox.question(
            self,
            "Delete runs",
            f"Delete {len(ids)} stored run{'s' * (len(ids) != 1)} "
            f"({', '.join(f'#{i}' for i in ids)})? This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_runs(ids)

    def delete_runs(self, run_ids: list[int]) -> int:
        """Delete runs from the store; returns how many were deleted."""
        deleted = sum(1 for i in run_ids if self.store.delete_run(i))
        for i in run_ids:
            self._loaded.pop(i, None)
        self.refresh()
        self.state.notify(f"deleted {deleted} run{'s' * (deleted != 1)}")
        return deleted

    # -- overlay and leaderboard ------------------------------------------------------

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        self.histories = {}
        for run_id in ids:
            try:
                self.histories[run_id] = RaceHistory.from_stored(self.load(run_id))
            except KeyError:
                continue
        self.redraw()
        self._update_leaderboard()
        self._update_buttons()
        if len(ids) == 1:
            run = self.load(ids[0])
            sweep = parse_sweep(run.get("config", {}))
            if sweep is not None and not self.sweep_runner.running:
                self.sweep_view.show_result(run, sweep)

    def _smoothing_moved(self, value: int) -> None:
        self.smoothing_label.setText(f"smoothing {value / 100:.2f}")
        self.redraw()

    def _log_toggled(self, on: bool) -> None:
        self.overlay.getPlotItem().setLogMode(y=on)
        self.redraw()

    def redraw(self) -> None:
        """Overlay every activation of every selected run: one colour per activation,
        one line style per run."""
        key = self.series.currentData()
        weight = self.smoothing.value() / 100.0
        shown = set()
        names: list[str] = []
        metrics = set()
        state_colour = self.state.colour  # one colour per activation, fixed by name
        for r, (run_id, history) in enumerate(self.histories.items()):
            metrics.add(history.metric)
            style = LAYER_STYLES[r % len(LAYER_STYLES)]
            for name in history.activations():
                if name not in names:
                    names.append(name)
                colour = state_colour(name)
                series = f"#{run_id} {name}"
                label = series
                status = history.status_of(name)
                if status.startswith(("diverged", "failed")):
                    label += f" ({status})"
                self.bands.update(series, history.band(name, key, weight), colour, name=label)
                line = self.bands.items.get(series, {}).get("line")
                if line is not None:
                    line.setPen(colour, width=2, style=style)
                shown.add(series)
        self.bands.retain(shown)
        text = SERIES.get(key, key)
        if "metric" in key and len(metrics) == 1:
            text = text.replace("metric", METRIC_NAMES.get(next(iter(metrics)), "metric"))
        self.overlay.getPlotItem().setLabel("left", text)

    def _update_leaderboard(self) -> None:
        runs = [{**self.load(run_id), "id": run_id} for run_id in self.histories]
        groups, reason = group_runs(runs)
        rows = []
        names = {m["activation"]: None for run in runs for m in run.get("runs", [])}
        self.baseline_box.set_names(list(names))
        baseline = self.baseline_box.baseline()
        for index, group in enumerate(groups):
            shown = list(dict.fromkeys(m["activation"] for r in group for m in r["runs"]))
            costs = training_costs(shown, self.state.catalogue.activations)
            ranked = [
                {"run_id": run["id"], "task": run.get("task", ""), "group": index, **row}
                for run in group
                for row in with_stats(summarise(run, self.threshold.value(), costs), run, baseline)
            ]
            ranked.sort(key=lambda r: -(r["final_mean"] if r["final_mean"] is not None else -1e9))
            for rank, row in enumerate(ranked, start=1):
                row["rank"] = rank
            rows.extend(ranked)
        self.leader_note.setText(reason or "")
        self.leader_note.setVisible(bool(reason))
        self.leaders.set_rows(rows)

    def _update_buttons(self) -> None:
        chosen = bool(self.selected_ids())
        self.delete_button.setEnabled(chosen)
        self.export_button.setEnabled(chosen)
        self.diff_button.setEnabled(len(self.selected_ids()) == 2)

    def diff_text(self) -> str:
        """The configuration differences of the two selected runs, one line each."""
        ids = sorted(self.selected_ids())
        if len(ids) != 2:
            return "select two runs to compare their configurations"
        a, b = (self.load(i) for i in ids)
        changes = config_diff(a, b)
        lines = [f"run {i}: {run.get('name', '')}" for i, run in zip(ids, (a, b), strict=True)]
        lines += [f"{k}: {x!r} -> {y!r}" for k, x, y in changes] or ["same configuration"]
        return "\n".join(lines)

    def show_diff(self) -> None:
        QMessageBox.information(self, "Configuration diff", self.diff_text())

    # -- sweep ------------------------------------------------------------------------

    def _catalogue_changed(self) -> None:
        cat = self.state.catalogue
        self.sweep_view.set_catalogue(cat.activations, list(cat.tasks))
        self.filters.set_activations(list(cat.activations))

    def sweep_base(self, task: str) -> tuple[RaceConfig, str]:
        """The configuration a sweep starts from: the first selected run of ``task``
        (its network, optimiser and data), else the defaults."""
        for run_id in self.selected_ids():
            run = self.load(run_id)
            if run.get("task") == task:
                return RaceConfig.from_dict(run["config"]), f"run #{run_id}"
        return RaceConfig(task=task), "the defaults"

    def primary_action(self) -> None:
        """Ctrl+Return runs the sweep and shows its tab."""
        self.views.setCurrentWidget(self.sweep_view)
        self.start_sweep()

    def stop_action(self) -> None:
        self.sweep_runner.stop()

    def start_sweep(self) -> bool:
        """Race the sweep the Sweep tab describes; ``False`` if it cannot start."""
        view = self.sweep_view
        if self.sweep_runner.running or view.problems():
            return False
        task_name = view.task.currentData() or "moons"
        tasks = self.state.catalogue.tasks
        if task_name not in tasks:
            self.state.notify(f"unknown task {task_name!r}")
            return False
        base, origin = self.sweep_base(task_name)
        base = dataclasses.replace(
            base,
            steps=view.steps.value(),
            seeds=view.seeds.value(),
            eval_every=None,
            boundary_grid=0,
        )
        act = self.state.usable()[view.activation.currentData()]
        param = view.param.currentData()
        try:
            config, acts, sweep = sweep_race(base, act, param, view.values())
        except ValueError as exc:
            view.problem.setText(str(exc))
            return False
        problems = config.validate(acts, tasks)
        if problems:
            view.problem.setText("<br>".join(problems))
            return False
        view.base_label.setText(
            f"network, optimiser and data from {origin}: hidden {list(base.hidden)}, "
            f"{base.optimizer} lr {base.lr:g}, init {base.init}"
        )
        from ...storage import run_versions

        worker = RaceWorker(
            config,
            acts,
            tasks[task_name],
            name=f"sweep {sweep.label()}",
            versions=run_versions([act.name], self.state.catalogue),
        )
        self._sweep = sweep
        self._sweep_steps = config.steps
        view.clear_result()
        view.set_running(True)
        view.progress_to(0, config.steps)
        self.sweep_runner.start(worker)
        return True

    def _sweep_event(self, event: object) -> None:
        if isinstance(event, (Progress, Evaluation)):
            self.sweep_view.progress_to(event.step, self._sweep_steps)

    def _sweep_done(self, result: object, run_id: object) -> None:
        view = self.sweep_view
        view.set_running(False)
        if result is not None and self._sweep is not None:
            view.show_result(result.to_dict(), self._sweep)
            view.progress.setFormat(f"{result.status}: step {result.steps_done}")
        self.refresh()
        if isinstance(run_id, int):
            self.state.notify(f"sweep stored as run #{run_id}")
        self.sweepFinished.emit(run_id if isinstance(run_id, int) else None)

    # -- export -----------------------------------------------------------------------

    def _ask_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export the comparison into")
        if folder:
            self.export_comparison(Path(folder) / "actviz-comparison")

    def activations_for(self, runs: list[dict[str, Any]]) -> dict[str, Activation]:
        """The loaded activations plus the parametrised copies a sweep run raced."""
        acts = dict(self.state.usable())
        for run in runs:
            sweep = parse_sweep(run.get("config", {}))
            base = acts.get(sweep.activation) if sweep is not None else None
            if base is not None:
                for name in sweep.names:
                    acts[name] = dataclasses.replace(base, name=name)
        return acts

    def export_comparison(self, folder: str | Path) -> list[Path]:
        """Write the bundle of the selected runs into ``folder``; [] (and a message) if
        it could not be written."""
        ids = self.selected_ids()
        if not ids:
            self.state.notify("select the runs to export first")
            return []
        runs = [self.load(i) for i in ids]
        background = self.state.theme.background

        def figures(target: Path) -> list[Path]:
            written = []
            plots = [p for p in self._exports if p.name == "compare-overlay"]
            plots += [p for p in self._exports if p.name == "compare-sweep" and p.columns()]
            for plot in plots:
                for suffix in ("png", "svg", "pdf", "csv"):
                    if suffix == "csv" and not plot.columns():
                        continue
                    path = target / f"{plot.name}.{suffix}"
                    written.append(
                        export_plot(plot, path, width=1600, dpi=150.0, background=background)
                    )
            leaders = table_with_numbers(self.leaders) if self.leaders.rows else None
            written += write_run_figures(runs, target, leaderboard=leaders)
            if self.leaders.rows:
                written.append(self._write_statistics(runs, target / "statistics.json"))
            return written

        try:
            written = write_bundle(
                folder,
                runs,
                activations=self.activations_for(runs),
                tasks=self.state.catalogue.tasks,
                figures=figures,
                threshold=self.threshold.value(),
            )
        except (ExportError, OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return []
        self.state.notify(f"comparison written to {folder} ({len(written)} files)")
        return written

    # -- panel duties -----------------------------------------------------------------

    def tables(self):
        return {"compare-leaderboard": lambda: table_with_numbers(self.leaders)}

    def _write_statistics(self, runs: list[dict[str, Any]], path: Path) -> Path:
        """Each exported run's summary (CIs, paired comparisons with the chosen baseline)."""
        from ... import stats

        baseline = self.baseline_box.baseline()
        data = {"statistics": stats.method_notes(), "baseline": baseline, "runs": []}
        for run in runs:
            names = {m["activation"] for m in run.get("runs", [])}
            chosen = baseline if baseline in names else None
            data["runs"].append(
                {"id": run.get("id"), "baseline": chosen, "summary": stats.summarise(run, chosen)}
            )
        write_bytes(path, json.dumps(data, indent=1).encode("utf-8"))
        return path

    def shutdown(self) -> None:
        self.sweep_runner.shutdown()
        if self._store is not None:
            self._store.close()
            self._store = None

    def apply_theme(self) -> None:
        restyle(self.overlay, self.state.theme)
        self.sweep_view.apply_theme(self.state.theme)

    def save_state(self, settings: QSettings) -> None:
        write_json(
            settings,
            "compare/options",
            {"series": self.series.currentData(), "smoothing": self.smoothing.value()},
        )

    def restore_state(self, settings: QSettings) -> None:
        saved = read_json(settings, "compare/options", {})
        if isinstance(saved, dict):
            index = self.series.findData(saved.get("series"))
            if index >= 0:
                self.series.setCurrentIndex(index)
            if isinstance(saved.get("smoothing"), int):
                self.smoothing.setValue(saved["smoothing"])

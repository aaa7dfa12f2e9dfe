"""The Discover panel: search the space of formulas for activations and watch it work.

The search runs in a worker thread through :func:`actviz.discovery.driver.run_search`,
the same code as ``actviz search``: races are stored as they finish, so Stop keeps
everything done and Start with the same settings goes on where it stopped. While it runs
the leaderboard (best score so far, cost relative to ReLU, where each candidate came
from and its parents), the quality-against-cost plot and the curves of the best three
fill in; at the end the top candidates' fresh-seed verdicts against the baselines are
shown. Any candidate can be verified the same way (Verify) and saved as a plugin (the
same file ``actviz new-plugin --formula`` writes).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QSettings, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...discovery.settings import STRATEGIES, SearchSettings
from ...figures.palette import distinct_colours
from ..measurements import Measurements
from ..pens import mkpen
from ..plots import PlotExport, add_legend, make_plot, restyle
from ..settings import read_json, write_json
from ..state import AppState
from .base import Panel

#: Leaderboard columns: header, key of a leader row, tooltip.
COLUMNS = (
    ("#", None, "rank: best score so far first"),
    ("formula", "formula", "the candidate, in the syntax actviz new-plugin --formula reads"),
    ("score", "score", "mean final test metric over the search's tasks and seeds"),
    ("cost (x ReLU)", "cost", "forward and backward time per element relative to ReLU"),
    (
        "from",
        "origin",
        "how the search made it: random, mutation or crossover (select a row for its parents)",
    ),
)
#: Where the best candidates' curves are drawn.
CURVE_X = np.linspace(-4.0, 4.0, 161)
TOP_CURVES = 3
#: Longest formula a legend entry shows (the table's tooltip has all of it).
LEGEND_CHARS = 28


class SearchWorker(QObject):
    """Runs one search when :meth:`run` is called in its thread."""

    progress = Signal(object)  # the search's progress dict (with ``leaders``)
    finished = Signal(object)  # the report dict
    failed = Signal(str)  # one message for the user
    stopped = Signal()

    def __init__(
        self, settings: SearchSettings, plugin_dirs: list[str], verify: str | None = None
    ) -> None:
        super().__init__()
        self.settings, self.plugin_dirs = settings, plugin_dirs
        #: a formula to race again on fresh seeds instead of searching
        self.verify = verify
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @Slot()
    def run(self) -> None:
        if self.verify is not None:
            self._run_verify(self.verify)
            return
        from ...discovery.driver import run_search

        try:
            report = run_search(
                self.settings,
                progress=self.progress.emit,
                plugin_dirs=self.plugin_dirs,
                stop_after=lambda _search: self._stop.is_set(),
            )
        except KeyboardInterrupt:
            self.stopped.emit()
        except ValueError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a failed search must not end the window
            self.failed.emit(f"the search failed: {type(exc).__name__}: {exc}")
        else:
            self.finished.emit(report)

    def _run_verify(self, formula: str) -> None:
        from ...discovery.verify import verify_formulas
        from ...formula import FormulaError
        from ...formula.build import formula_parts

        try:
            parts = formula_parts(formula)
            verified, _ = verify_formulas(
                self.settings, {"candidate": (formula, parts)}, self.plugin_dirs
            )
        except (FormulaError, ValueError) as exc:
            self.failed.emit(f"cannot verify {formula}: {exc}")
        except Exception as exc:  # noqa: BLE001 - a failed check must not end the window
            self.failed.emit(f"verifying {formula} failed: {type(exc).__name__}: {exc}")
        else:
            self.finished.emit({"verified": verified, "verify_only": True})


class DiscoverPanel(Panel):
    """See the module docstring."""

    key = "discover"
    title = "Discover"

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, measurements, parent)
        self._thread: QThread | None = None
        self._worker: SearchWorker | None = None
        self.leaders: list[dict[str, Any]] = []
        self.report: dict[str, Any] | None = None
        #: settings of SearchSettings the form has no control for (tests shrink a search)
        self.extra: dict[str, Any] = {}

        self.tasks = QLineEdit("teacher:x*sigmoid(x)")
        self.tasks.setToolTip(
            "tasks, comma-separated: any task name, or teacher:FORMULA for data from a "
            "random network with that activation (the answer is known)"
        )
        self.strategy = QComboBox()
        self.strategy.addItems(list(STRATEGIES))
        self.strategy.setCurrentText("evolution")
        self.strategy.setToolTip(
            "random: the baseline; halving: short races prune, survivors race longer; "
            "evolution: mutate and cross the best, age out the old"
        )
        self.budget = QDoubleSpinBox()
        self.budget.setRange(0.1, 600.0)
        self.budget.setDecimals(1)
        self.budget.setValue(8.0)
        self.budget.setSuffix(" min")
        self.budget.setToolTip("wall-clock budget of the whole search, verification included")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("the search's seed: the same seed and settings give the same search")
        self.steps = QSpinBox()
        self.steps.setRange(10, 100_000)
        self.steps.setValue(400)
        self.steps.setToolTip("training steps of a full-fidelity race")
        self.seeds = QSpinBox()
        self.seeds.setRange(1, 64)
        self.seeds.setValue(2)
        self.seeds.setToolTip("seeds of a full-fidelity race")

        form = QFormLayout()
        form.addRow("Tasks", self.tasks)
        form.addRow("Strategy", self.strategy)
        form.addRow("Budget", self.budget)
        form.addRow("Seed", self.seed)
        form.addRow("Steps", self.steps)
        form.addRow("Seeds", self.seeds)

        self.start_button = QPushButton("Start")
        self.start_button.setToolTip(
            "start the search (Ctrl+Return); the same settings resume a stopped one"
        )
        self.start_button.clicked.connect(self.primary_action)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("stop after the race in progress (Ctrl+.); nothing is lost")
        self.stop_button.clicked.connect(self.stop_action)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setToolTip(
            "race the selected candidate again on fresh seeds and fresh data against the "
            "baselines (relu, gelu, silu), with the paired statistics"
        )
        self.verify_button.clicked.connect(self.verify_selected)
        self.save_button = QPushButton("Save as plugin…")
        self.save_button.setToolTip("write the selected candidate as an activation plugin")
        self.save_button.clicked.connect(self.save_selected)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.stop_button, self.verify_button, self.save_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("Set up a search and press Start.")
        self.status.setWordWrap(True)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([c[0] for c in COLUMNS])
        for i, (_, _, tip) in enumerate(COLUMNS):
            self.table.horizontalHeaderItem(i).setToolTip(tip)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)  # one line per candidate; the full formula in a tooltip
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemSelectionChanged.connect(self._show_lineage)
        self.lineage = QLabel("")
        self.lineage.setWordWrap(True)
        self.lineage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdicts = QLabel("")
        self.verdicts.setWordWrap(True)
        self.verdicts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.front = make_plot(state.theme, left="score", bottom="cost (x ReLU)")
        self.curves = make_plot(state.theme, left="f(x)", bottom="x")
        self.curve_legend = add_legend(self.curves, state.theme, offset=(6, 6))
        for plot in (self.front, self.curves):
            plot.getPlotItem().showGrid(x=True, y=True, alpha=state.theme.grid_alpha)
            plot.setMinimumSize(160, 120)
        self.register_plot(
            PlotExport(
                "discover-front", "Discover: score against cost", self.front, self.front_columns
            )
        )
        self.register_plot(
            PlotExport(
                "discover-curves", "Discover: the best candidates", self.curves, self.curve_columns
            )
        )

        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(form)
        left_box.addLayout(buttons)
        left_box.addWidget(self.progress)
        left_box.addWidget(self.status)
        left_box.addWidget(self.table, 1)
        left_box.addWidget(self.lineage)
        left_box.addWidget(self.verdicts)
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.front)
        plots.addWidget(self.curves)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(plots)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        state.themeChanged.connect(self.apply_theme)
        self._update_buttons()

    # -- running ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def settings(self) -> SearchSettings:
        """The search the form describes."""
        tasks = [t.strip() for t in self.tasks.text().split(",") if t.strip()]
        return SearchSettings(
            tasks=tasks,
            strategy=self.strategy.currentText(),
            budget_s=60.0 * self.budget.value(),
            seed=self.seed.value(),
            steps=self.steps.value(),
            seeds=self.seeds.value(),
            **self.extra,
        )

    def primary_action(self) -> None:
        """Start the search (or resume a stopped one with the same settings)."""
        if self.running:
            return
        try:
            settings = self.settings()
        except (TypeError, ValueError) as exc:
            self._say(f"Cannot start: {exc}", error=True)
            return
        problems = settings.problems()
        if problems:
            self._say("Cannot start: " + "; ".join(problems), error=True)
            return
        self.leaders, self.report = [], None
        self._show_leaders()
        self.verdicts.setText("")
        self._start(SearchWorker(settings, self._folders()))
        self._say("starting: checking the tasks and compiling the first candidates…")

    def verify_selected(self) -> None:
        """Race the selected candidate on fresh seeds and data against the baselines."""
        formula = self.selected_formula()
        if formula is None or self.running:
            return
        try:
            settings = self.settings()
        except (TypeError, ValueError) as exc:
            self._say(f"Cannot verify: {exc}", error=True)
            return
        self._start(SearchWorker(settings, self._folders(), verify=formula))
        self._say(f"verifying {formula} on fresh seeds and data…")

    def _folders(self) -> list[str]:
        return [str(f) for f in self.state.host.folders() if f.is_dir()]

    def _start(self, worker: SearchWorker) -> None:
        thread = QThread()
        thread.setObjectName("actviz-search")
        worker.moveToThread(thread)
        worker.progress.connect(self._progress)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        worker.stopped.connect(self._stopped)
        thread.started.connect(worker.run)
        self._thread, self._worker = thread, worker
        self.progress.setValue(0)
        thread.start()
        self._update_buttons()

    def stop_action(self) -> None:
        if self._worker is not None and self.running:
            self._worker.stop()
            self._say("stopping after the race in progress…")

    def shutdown(self) -> None:
        """Stop a running search and wait for its thread (the window is closing)."""
        if self._worker is not None:
            self._worker.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(10_000)

    def _end_thread(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)
        self._thread = self._worker = None
        self._update_buttons()

    def _progress(self, info: dict[str, Any]) -> None:
        elapsed, left = float(info.get("elapsed_s", 0.0)), float(info.get("left_s", 0.0))
        total = elapsed + left
        self.progress.setValue(int(1000 * elapsed / total) if total > 0 else 0)
        best = info.get("best")
        score = info.get("best_score")
        shown = f"{score:.4f}" if isinstance(score, float) and math.isfinite(score) else "-"
        self._say(
            f"{info.get('races', 0)} races, {info.get('candidates', 0)} candidates, "
            f"{_minutes(left)} left; best so far {best or '-'} ({shown})"
        )
        self.leaders = list(info.get("leaders") or [])
        self._show_leaders()

    def _finished(self, report: dict[str, Any]) -> None:
        if report.get("verify_only"):
            self.progress.setValue(1000)
            self.verdicts.setText(_verdict_text(report["verified"]))
            self._say("verified on fresh seeds and data (below)")
            self._end_thread()
            return
        self.report = report
        self.progress.setValue(1000)
        rows = report.get("candidates", [])
        self.leaders = [dict(r) for r in rows[:10]]
        self._show_leaders()
        self.verdicts.setText(_verdict_text(report.get("verified", [])))
        self._say(
            f"done in {_minutes(report.get('elapsed_s', 0.0))}: {len(rows)} candidates raced; "
            "the top ones were raced again on fresh seeds (below)"
        )
        self._end_thread()

    def _failed(self, message: str) -> None:
        self._say(message, error=True)
        self._end_thread()

    def _stopped(self) -> None:
        self._say(
            "stopped: every finished race is stored; Start with the same settings goes on "
            "where it stopped"
        )
        self._end_thread()

    # -- showing ------------------------------------------------------------------------

    def _say(self, text: str, error: bool = False) -> None:
        colour = self.state.theme.error if error else self.state.theme.foreground
        self.status.setStyleSheet(f"color: {colour}")
        self.status.setText(text)

    def _update_buttons(self) -> None:
        running = self.running
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        chosen = bool(self.table.selectedItems())
        self.save_button.setEnabled(chosen)
        self.verify_button.setEnabled(chosen and not running)

    def _show_leaders(self) -> None:
        self.table.setRowCount(len(self.leaders))
        for row, leader in enumerate(self.leaders):
            for col, (_, key, _) in enumerate(COLUMNS):
                item = QTableWidgetItem(_cell(leader, key, row))
                if key == "formula":
                    item.setToolTip(item.text())
                self.table.setItem(row, col, item)
        self._draw_front()
        self._draw_curves()
        self._update_buttons()

    def _show_lineage(self) -> None:
        """The selected candidate in full, and what it was made from."""
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1 or min(rows) >= len(self.leaders):
            self.lineage.setText("")
            return
        leader = self.leaders[min(rows)]
        parents = leader.get("parents") or []
        made = {"mutation": "a mutation of", "crossover": "a cross of"}.get(
            str(leader.get("origin")), "drawn at random"
        )
        text = f"<b>{_esc(leader['formula'])}</b>: {made}"
        if parents:
            text += " " + " and ".join(f"<i>{_esc(p)}</i>" for p in parents)
        self.lineage.setText(text)

    def _draw_front(self) -> None:
        plot = self.front.getPlotItem()
        plot.clear()
        points = [
            (p["cost"], p["score"]) for p in self.leaders if _finite(p.get("cost"), p.get("score"))
        ]
        if not points:
            return
        xs, ys = zip(*points, strict=True)
        plot.addItem(
            pg.ScatterPlotItem(xs, ys, size=9, brush=pg.mkBrush(self.state.theme.foreground))
        )
        front = _front(points)
        if len(front) > 1:
            fx, fy = zip(*front, strict=True)
            plot.addItem(pg.PlotDataItem(fx, fy, pen=mkpen(self.state.theme.highlight, width=2)))

    def _draw_curves(self) -> None:
        plot = self.curves.getPlotItem()
        plot.clear()
        self.curve_legend.clear()
        shown = self.shown_curves()
        ranks = [f"#{i + 1}" for i in range(len(shown))]
        colours = distinct_colours(ranks, self.state.theme.dark)
        for rank, (formula, y) in zip(ranks, shown.items(), strict=True):
            pen = mkpen(colours[rank], width=2)
            label = f"{rank} {_elide(formula, LEGEND_CHARS)}"
            plot.addItem(pg.PlotDataItem(CURVE_X, y, pen=pen, name=label))

    def shown_curves(self) -> dict[str, np.ndarray]:
        """The best candidates' curves on :data:`CURVE_X` (formulas that fail to compile
        here are left out)."""
        import torch

        from ...formula import FormulaError, compile_formula

        out: dict[str, np.ndarray] = {}
        for leader in self.leaders[:TOP_CURVES]:
            try:
                fn = compile_formula(leader["formula"]).fn
                with torch.no_grad():
                    y = fn(torch.as_tensor(CURVE_X, dtype=torch.float64))
            except (FormulaError, RuntimeError, TypeError, ValueError):
                continue
            out[leader["formula"]] = np.asarray(y, dtype=float)
        return out

    def front_columns(self) -> dict[str, np.ndarray]:
        rows = [p for p in self.leaders if _finite(p.get("cost"), p.get("score"))]
        return {
            "cost": np.array([p["cost"] for p in rows], dtype=float),
            "score": np.array([p["score"] for p in rows], dtype=float),
        }

    def curve_columns(self) -> dict[str, np.ndarray]:
        return {"x": CURVE_X, **self.shown_curves()}

    def apply_theme(self) -> None:
        for plot in (self.front, self.curves):
            restyle(plot, self.state.theme)
            plot.getPlotItem().showGrid(x=True, y=True, alpha=self.state.theme.grid_alpha)
        self._show_leaders()

    # -- saving -------------------------------------------------------------------------

    def selected_formula(self) -> str | None:
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.leaders[row]["formula"] if row < len(self.leaders) else None

    def save_selected(self, name: str | None = None) -> str | None:
        """Write the selected candidate as a plugin in the user's plugin folder; the
        file's path, or ``None`` (nothing selected, cancelled, or refused: said why)."""
        from ...formula import FormulaError, check_name, write_formula_plugin
        from ...paths import user_plugin_dir

        formula = self.selected_formula()
        if formula is None:
            return None
        if not isinstance(name, str):
            name, ok = QInputDialog.getText(self, "Save as plugin", "Activation name:")
            if not ok:
                return None
        try:
            path = write_formula_plugin(
                user_plugin_dir(),
                check_name(name.strip()),
                formula,
                [],
                description=f"found by an actviz search: {formula}",
            )
        except (FormulaError, ValueError, FileExistsError, OSError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            QMessageBox.warning(self, "Save as plugin", f"Not saved: {message}")
            return None
        self._say(f"saved {formula} as {path}; reload plugins (Ctrl+R) to use it")
        return str(path)

    # -- settings -----------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        write_json(
            settings,
            f"{self.key}/form",
            {
                "tasks": self.tasks.text(),
                "strategy": self.strategy.currentText(),
                "budget": self.budget.value(),
                "seed": self.seed.value(),
                "steps": self.steps.value(),
                "seeds": self.seeds.value(),
            },
        )

    def restore_state(self, settings: QSettings) -> None:
        saved = read_json(settings, f"{self.key}/form", None)
        if not isinstance(saved, dict):
            return
        if isinstance(saved.get("tasks"), str):
            self.tasks.setText(saved["tasks"])
        if saved.get("strategy") in STRATEGIES:
            self.strategy.setCurrentText(saved["strategy"])
        for box, key in (
            (self.budget, "budget"),
            (self.seed, "seed"),
            (self.steps, "steps"),
            (self.seeds, "seeds"),
        ):
            value = saved.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                box.setValue(type(box.value())(value))


def _cell(leader: dict[str, Any], key: str | None, row: int) -> str:
    if key is None:
        return str(row + 1)
    value = leader.get(key)
    if key in ("score", "cost"):
        return f"{value:.4g}" if isinstance(value, float) and math.isfinite(value) else "-"
    return str(value) if value is not None else "-"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _elide(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _finite(*values: Any) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def _front(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other beats on both cost (lower) and score (higher), by cost."""
    front = [p for p in points if not any(q != p and q[0] <= p[0] and q[1] >= p[1] for q in points)]
    return sorted(front)


def _minutes(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def _verdict_text(verified: list[dict[str, Any]]) -> str:
    """The fresh-seed verdicts of the top candidates against each baseline, in words."""
    if not verified:
        return ""
    lines = ["<b>On fresh seeds and data</b> (verdicts of the paired statistics):"]
    for entry in verified:
        parts = []
        for base, vs in (entry.get("vs") or {}).items():
            parts.append(f"{base}: {vs.get('verdict', '?')}")
        lines.append(f"{entry.get('formula', '?')} — " + ", ".join(parts))
    return "<br>".join(lines)

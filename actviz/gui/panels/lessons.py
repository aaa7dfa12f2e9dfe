"""The Lessons panel: pick a classic claim, read it, run its experiment, see the verdict.

The lesson runs in a worker thread (:func:`actviz.lessons.run_lesson`, the same code as
``actviz lesson``) with progress and Stop. The verdict "holds / does not hold here"
comes with the numbers that decided it and a plot of the key measurement. Results are
kept per lesson and budget while the window is open. ``ACTVIZ_LESSON=name`` opens the
panel on a lesson and ``ACTVIZ_LESSON_RUN=quick|full`` also runs it at start.
"""

from __future__ import annotations

import math
import os
import threading
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...figures.palette import styles_for
from ...lessons import BUDGETS, Lesson, LessonResult, ReseedResult, reseed_lesson, run_lesson
from ..measurements import Measurements
from ..pens import QT_LINES, mkpen
from ..plots import PlotExport, add_legend, make_plot, restyle
from ..settings import read_json, write_json
from ..state import AppState
from .base import Panel

HOLDS_COLOUR = "#2e7d32"
VIEW_TITLES = {"playground": "Playground", "properties": "Properties", "curves": "Curves"}
#: Preset keys shown in the "Experiment" line, in this order.
PRESET_KEYS = (
    "task",
    "activations",
    "hidden",
    "init",
    "optimizer",
    "lr",
    "steps",
    "seeds",
    "depth",
    "width",
)


class LessonWorker(QObject):
    """Runs one lesson when :meth:`run` is called in its thread."""

    progress = Signal(float, str)
    finished = Signal(object)  # LessonResult, or ReseedResult when re-seeding

    def __init__(
        self, lesson: Lesson, activations: dict, tasks: dict, budget: str, reseed: int = 0
    ) -> None:
        super().__init__()
        self.lesson, self.activations, self.tasks, self.budget = lesson, activations, tasks, budget
        self.reseed = reseed
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @Slot()
    def run(self) -> None:
        if self.reseed > 0:
            outcome = reseed_lesson(
                self.lesson,
                self.activations,
                self.tasks,
                self.reseed,
                budget=self.budget,
                on_progress=lambda f, t: self.progress.emit(f, t),
                should_stop=self._stop.is_set,
            )
            self.finished.emit(outcome)
            return
        result = run_lesson(
            self.lesson,
            self.activations,
            self.tasks,
            budget=self.budget,
            on_progress=lambda f, t: self.progress.emit(f, t),
            should_stop=self._stop.is_set,
        )
        self.finished.emit(result)


def describe_preset(settings: dict[str, Any]) -> str:
    """One line of the settings a reader cares about: ``task xor · activations linear, tanh``."""
    parts = []
    for key in PRESET_KEYS:
        if key not in settings:
            continue
        value = settings[key]
        if isinstance(value, (list, tuple)):
            value = (
                ", ".join(str(v) for v in value) if key != "hidden" else "x".join(map(str, value))
            )
        parts.append(f"{key} {value}")
    return " · ".join(parts)


class LessonsPanel(Panel):
    """See the module docstring."""

    key = "lessons"
    title = "Lessons"
    #: Emitted with the result when a lesson run ends (done, stopped or error).
    lessonFinished = Signal(object)

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, measurements, parent)
        self.results: dict[tuple[str, str], LessonResult] = {}
        #: Re-seeded runs, keyed like ``results`` (whose entry is then the first pair's run).
        self.reseeds: dict[tuple[str, str], ReseedResult] = {}
        self._thread: QThread | None = None
        self._worker: LessonWorker | None = None
        self._running: str | None = None

        self.list = QListWidget()
        self.list.setMinimumWidth(200)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(lambda *_: self._show_lesson())

        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.claim = QLabel()
        self.claim.setWordWrap(True)
        self.claim.setTextFormat(Qt.TextFormat.RichText)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.experiment = QLabel()
        self.experiment.setWordWrap(True)
        self.experiment.setTextFormat(Qt.TextFormat.RichText)

        self.budget = QComboBox()
        self.budget.addItems(list(BUDGETS))
        self.budget.setCurrentText("full")
        self.budget.setToolTip("quick: a reduced run in about a second; full: the real experiment")
        self.budget.currentTextChanged.connect(lambda *_: self._show_lesson())
        self.reseed = QSpinBox()
        self.reseed.setRange(0, 50)
        self.reseed.setPrefix("Re-seed x")
        self.reseed.setSpecialValueText("Preset seeds")
        self.reseed.setToolTip(
            "run on this many seed pairs the lesson was not tuned on and count how often "
            "the claim holds (k of N); 'Preset seeds' runs the lesson's own seeds once"
        )
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(self.run_lesson)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop_lesson)
        self.view_button = QPushButton()
        self.view_button.clicked.connect(self._open_view)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.status = QLabel()
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Budget"))
        controls.addWidget(self.budget)
        controls.addWidget(self.run_button)
        controls.addWidget(self.stop_button)
        controls.addWidget(self.progress, 1)
        # The Playground button shares the status line, so the controls fit 700 px.
        self.status.setWordWrap(True)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.reseed)
        status_row.addWidget(self.view_button)

        self.verdict = QLabel()
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.numbers = QTableWidget(0, 2)
        self.numbers.setHorizontalHeaderLabels(["measured", "value"])
        self.numbers.verticalHeader().setVisible(False)
        self.numbers.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.numbers.horizontalHeader()
        # the values keep their whole width (they are short numbers); the names take
        # what is left and elide in the middle, whole in their tooltip. (Names sized to
        # their contents left a narrow window only a leading "0" of each value.)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.numbers.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.numbers.setWordWrap(False)
        self.numbers.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.plot = make_plot(state.theme)
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=state.theme.grid_alpha)
        self.legend = add_legend(self.plot, state.theme, offset=(6, 6))
        self._plot_export = self.register_plot(
            PlotExport("lesson", "Lesson", self.plot, self.plot_columns)
        )

        # The plot's title is a label above it: a long pyqtgraph title would widen the
        # scene past a narrow view and clip the plot.
        self.plot_title = QLabel()
        self.plot_title.setWordWrap(True)
        self.plot_title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        plot_box = QWidget()
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.setSpacing(2)
        plot_layout.addWidget(self.plot_title)
        plot_layout.addWidget(self.plot, 1)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.numbers)
        lower.addWidget(plot_box)
        lower.setStretchFactor(0, 2)
        lower.setStretchFactor(1, 3)
        self.lower_split = lower
        self._sized = False

        # The controls sit above the description, so Run stays put whatever its length.
        right = QWidget()
        layout = QVBoxLayout(right)
        layout.addWidget(self.heading)
        layout.addLayout(controls)
        layout.addLayout(status_row)
        layout.addWidget(self.claim)
        layout.addWidget(self.explanation)
        layout.addWidget(self.experiment)
        layout.addWidget(self.verdict)
        layout.addWidget(self.summary)
        layout.addWidget(lower, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([210, 900])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(splitter)

        state.catalogueChanged.connect(self._fill_list)
        state.themeChanged.connect(self.apply_theme)
        self._fill_list()
        self._startup_from_env()

    # -- the list ---------------------------------------------------------------------

    def lessons(self) -> dict[str, Lesson]:
        return dict(getattr(self.state.catalogue, "lessons", {}) or {})

    def _fill_list(self) -> None:
        current = self.current_name()
        self.list.blockSignals(True)
        self.list.clear()
        for name, lesson in self.lessons().items():
            item = QListWidgetItem(lesson.title)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{name}\n{lesson.claim}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.select(current or "")
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._show_lesson()

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def current_lesson(self) -> Lesson | None:
        name = self.current_name()
        return self.lessons().get(name) if name else None

    def select(self, name: str) -> bool:
        """Show the lesson ``name``; ``False`` when there is none."""
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)
                return True
        return False

    # -- showing a lesson -------------------------------------------------------------

    def _show_lesson(self) -> None:
        lesson = self.current_lesson()
        if lesson is None:
            self.heading.setText("<h3>No lessons loaded</h3>")
            for label in (self.claim, self.explanation, self.experiment, self.verdict):
                label.clear()
            self.summary.clear()
            self._show_result(None)
            self._update_buttons()
            return
        budget = self.budget.currentText()
        if not self.running:
            self.status.clear()  # "done" belonged to the lesson shown before
        self.heading.setText(f"<h3>{_esc(lesson.title)}</h3>")
        self.claim.setText(f"<b>Claim.</b> {_esc(lesson.claim)}")
        self.explanation.setText(lesson.explanation)
        muted = self.state.theme.muted
        self.experiment.setText(
            f"<span style='color:{muted}'>Experiment ({budget}): "
            f"{_esc(describe_preset(lesson.settings(budget)))}</span>"
        )
        view = VIEW_TITLES.get(lesson.view)
        self.view_button.setVisible(view is not None and self._window_panel(lesson.view))
        self.view_button.setText(f"Explore in {view}" if view else "")
        self._show_result(self.results.get((lesson.name, budget)))
        self._update_buttons()

    def _show_result(self, result: LessonResult | None) -> None:
        self.numbers.setRowCount(0)
        self.plot_title.clear()
        self._reset_plot()
        if result is None:
            running = self._running is not None and self._running == self.current_name()
            self.verdict.setText("" if running else "<i>Not run yet: press Run.</i>")
            self.summary.clear()
            self.progress.setValue(0)
            return
        if result.status == "error":
            self.verdict.setText(f"<b style='color:{self.state.theme.error}'>The lesson failed</b>")
            self.summary.setText(result.error or "")
            self.summary.setToolTip(result.traceback or "")
            return
        if result.status == "stopped" or result.verdict is None:
            self.verdict.setText("<i>Stopped before a verdict.</i>")
            self.summary.clear()
            return
        holds = result.verdict.holds
        word = "Holds here" if holds else "Does not hold here"
        seconds, detail = result.seconds, ""
        outcome = self.reseeds.get((result.lesson, result.budget))
        if outcome is not None:
            holds = outcome.holds_in >= 0.8 * outcome.count
            word = f"Holds in {outcome.holds_in} of {outcome.count} seed pairs"
            seconds = outcome.seconds
            detail = f", shown: data seed {result.data_seed}, model seed {result.model_seed}"
        colour = HOLDS_COLOUR if holds else self.state.theme.error
        mark = "\u2714" if holds else "\u2718"
        self.verdict.setText(
            f"<span style='font-size:15pt; font-weight:600; color:{colour}'>{mark} {word}</span>"
            f"&nbsp;&nbsp;<span style='color:{self.state.theme.muted}'>"
            f"{result.budget} budget, {seconds:.1f} s{detail}</span>"
        )
        self.summary.setText(result.verdict.summary)
        self.summary.setToolTip("")
        self._fill_numbers(result)
        self._draw(result)

    def _reset_plot(self) -> None:
        """An empty plot with none of the previous lesson's axes, ticks or scale."""
        item = self.plot.getPlotItem()
        item.clear()
        item.setLogMode(x=False, y=False)
        for side in ("left", "bottom"):
            item.setLabel(side, "")
            item.showLabel(side, False)
        item.getAxis("bottom").setTicks(None)
        item.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        item.enableAutoRange()
        self.legend.clear()
        self.legend.setVisible(False)

    def _fill_numbers(self, result: LessonResult) -> None:
        rows = list(result.verdict.numbers.items()) if result.verdict else []
        notes = result.measurements.notes if result.measurements else []
        self.numbers.clearSpans()
        self.numbers.setRowCount(len(rows) + len(notes))
        for r, (key, value) in enumerate(rows):
            name = QTableWidgetItem(key.replace("_", " "))
            name.setToolTip(name.text())
            self.numbers.setItem(r, 0, name)
            item = QTableWidgetItem(_fmt(value))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.numbers.setItem(r, 1, item)
        for i, note in enumerate(notes):  # across both columns: a note is no value
            cell = QTableWidgetItem(f"note: {note}")
            cell.setToolTip(note)
            self.numbers.setItem(len(rows) + i, 0, cell)
            self.numbers.setSpan(len(rows) + i, 0, 1, 2)

    def _draw(self, result: LessonResult) -> None:
        plot = result.measurements.plot if result.measurements else None
        item = self.plot.getPlotItem()
        if plot is None:
            return
        self.plot_title.setText(f"<b>{_esc(plot.title)}</b>")
        item.setLabel("left", plot.y_label)
        item.setLabel("bottom", plot.x_label)
        item.setLogMode(y=plot.log_y)
        axis = item.getAxis("bottom")
        if plot.x_ticks:
            axis.setTicks([list(enumerate(plot.x_ticks))])
        else:
            axis.setTicks(None)
        scatter = bool(plot.x_ticks)
        styles = styles_for([c.label for c in plot.curves], self.state.theme.dark)
        for curve in plot.curves:
            x = np.asarray(curve.x, float)
            y = np.array([np.nan if v is None else v for v in curve.y], float)
            if plot.log_y:
                y[y <= 0] = np.nan
            truth = curve.label in ("true force", "true value", "signal")
            own = styles[curve.label]
            colour = self.state.theme.foreground if truth else own.colour
            style = Qt.PenStyle.DashLine if truth else QT_LINES[own.line]
            pen = mkpen(colour, width=2, style=style)
            symbol = "o" if scatter or len(x) <= 12 else None
            item.plot(
                x,
                y,
                pen=pen,
                name=curve.label,
                connect="finite",
                symbol=symbol,
                symbolSize=7,
                symbolBrush=colour,
                symbolPen=colour,
            )
        self.legend.place()
        self._plot_export.name = f"lesson-{result.lesson}"
        self._plot_export.title = plot.title

    def plot_columns(self) -> dict[str, np.ndarray]:
        """The drawn curves as CSV columns (``label x``, ``label y``; padded with NaN)."""
        result = self.shown_result()
        plot = result.measurements.plot if result and result.measurements else None
        if plot is None:
            return {}
        length = max((len(c.x) for c in plot.curves), default=0)
        columns: dict[str, np.ndarray] = {}
        for c in plot.curves:
            for axis, values in (("x", c.x), ("y", c.y)):
                col = np.full(length, np.nan)
                col[: len(values)] = [np.nan if v is None else v for v in values]
                columns[f"{c.label} {axis}"] = col
        return columns

    def tables(self):
        def numbers() -> dict[str, list]:
            result = self.shown_result()
            if result is None or result.verdict is None:
                return {}
            return {k: [_as_float(v)] for k, v in result.verdict.numbers.items()}

        return {"lesson-numbers": numbers}

    def shown_result(self) -> LessonResult | None:
        name = self.current_name()
        return self.results.get((name, self.budget.currentText())) if name else None

    # -- running ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None

    def run_lesson(self) -> bool:
        """Run the shown lesson at the chosen budget in a worker thread."""
        lesson = self.current_lesson()
        if lesson is None or self.running:
            return False
        budget = self.budget.currentText()
        self.results.pop((lesson.name, budget), None)
        self.reseeds.pop((lesson.name, budget), None)
        worker = LessonWorker(
            lesson,
            dict(self.state.catalogue.activations),
            dict(self.state.catalogue.tasks),
            budget,
            self.reseed.value(),
        )
        thread = QThread()
        thread.setObjectName("actviz-lesson")
        worker.moveToThread(thread)
        worker.progress.connect(self._progress)
        worker.finished.connect(self._finished)
        thread.started.connect(worker.run)
        self._thread, self._worker, self._running = thread, worker, lesson.name
        self.progress.setValue(0)
        self.status.setText(f"running {lesson.name} ({budget})…")
        self._show_result(None)
        self._update_buttons()
        thread.start()
        return True

    def stop_lesson(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self.status.setText("stopping…")

    def primary_action(self) -> None:
        self.run_lesson()

    def stop_action(self) -> None:
        self.stop_lesson()

    def _progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(round(1000 * min(max(fraction, 0.0), 1.0))))
        if text and self._running:
            self.status.setText(f"running {self._running}: {text}")

    def _finished(self, result: LessonResult | ReseedResult) -> None:
        self._release()
        if isinstance(result, ReseedResult):
            outcome = result
            if outcome.status == "done":
                self.reseeds[(outcome.lesson, outcome.budget)] = outcome
            unfinished = [r for r in outcome.results if r.status != "done"]
            result = unfinished[0] if unfinished else outcome.results[0]
        self.results[(result.lesson, result.budget)] = result
        self.progress.setValue(1000 if result.status == "done" else self.progress.value())
        self.status.setText(
            {"done": "done", "stopped": "stopped", "error": "failed"}.get(result.status, "")
        )
        if result.lesson == self.current_name() and result.budget == self.budget.currentText():
            self._show_result(result)
        self._update_buttons()
        self.lessonFinished.emit(result)

    def _release(self) -> None:
        thread, worker = self._thread, self._worker
        self._thread = self._worker = self._running = None
        if thread is not None:
            thread.quit()
            thread.wait(5000)
            thread.deleteLater()
        if worker is not None:
            worker.deleteLater()

    def _update_buttons(self) -> None:
        has = self.current_lesson() is not None
        self.run_button.setEnabled(has and not self.running)
        self.stop_button.setEnabled(self.running)
        self.budget.setEnabled(not self.running)
        self.reseed.setEnabled(not self.running)

    def shutdown(self) -> None:
        """Stop a running lesson and wait for its thread (the window is closing)."""
        if self._worker is not None:
            self._worker.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)

    # -- other panels, theme, settings ------------------------------------------------

    def _window_panel(self, key: str) -> bool:
        window = self.window()
        finder = getattr(window, "panel", None)
        return bool(callable(finder) and finder(key) is not None)

    def _open_view(self) -> None:
        lesson = self.current_lesson()
        show = getattr(self.window(), "show_panel", None)
        if lesson is not None and callable(show):
            show(lesson.view)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._sized and self.lower_split.width() > 100:
            self._sized = True  # numbers : plot = 9 : 11 once the real width is known
            width = self.lower_split.width()
            self.lower_split.setSizes([width * 9 // 20, width - width * 9 // 20])
        self._show_lesson()  # the window (and its other panels) exists by now

    def apply_theme(self) -> None:
        restyle(self.plot, self.state.theme)
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=self.state.theme.grid_alpha)
        self._show_lesson()

    def save_state(self, settings: QSettings) -> None:
        write_json(settings, f"{self.key}/lesson", self.current_name())
        write_json(settings, f"{self.key}/budget", self.budget.currentText())

    def restore_state(self, settings: QSettings) -> None:
        budget = read_json(settings, f"{self.key}/budget", None)
        if budget in BUDGETS:
            self.budget.setCurrentText(budget)
        name = os.environ.get("ACTVIZ_LESSON") or read_json(settings, f"{self.key}/lesson", None)
        if isinstance(name, str):
            self.select(name)

    def _startup_from_env(self) -> None:
        name = os.environ.get("ACTVIZ_LESSON")
        if name:
            self.select(name)
        budget = os.environ.get("ACTVIZ_LESSON_RUN", "").strip().lower()
        if budget in BUDGETS:
            self.budget.setCurrentText(budget)
            QTimer.singleShot(300, self.run_lesson)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "\u221e" if value > 0 else "-\u221e"
        if math.isnan(value):
            return "—"
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan

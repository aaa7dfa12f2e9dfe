"""The Playground panel: race the selected activations live on a toy task.

The form (left) describes the race; Train starts it in a worker thread
(:mod:`actviz.gui.race_worker`) that stores the run as it goes. Events arrive as
signals and are only queued here; a 30 Hz timer folds them into the history and
redraws what changed (decision grids and the table less often), so a fast race never
waits for the screen and the screen never waits for the race.

Step and Step N train that many steps and pause there (the engine holds the race and
every view is redrawn). The timeline under the views shows any recorded step in every
view: grids from that step's snapshot, a cursor on the step-axis plots, the learned
shapes at that step. :meth:`PlaygroundPanel.shown_snapshot` is the step shown.

The panel runs the race and the timeline; what it shows lives in one module per part:
the form and race buttons (``playground_controls``), the views' tabs
(``playground_tabs``, each view in its own module) and the results table
(``playground_results``).
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...analysis.race_history import RaceHistory
from ...figures.palette import distinct_colours
from ...training import layered
from ...training.events import ActivationFailed, Diverged, Evaluation, Held, Progress, Started
from ...training.layered import plugin_names
from ...training.snapshots import Snapshot
from ..measurements import Measurements
from ..race_worker import RaceRunner, RaceWorker
from ..state import AppState
from .base import Panel
from .playground_controls import RaceControls
from .playground_fit import ResultsRoom
from .playground_results import ResultsBox
from .playground_tabs import PlaygroundTabs
from .timeline_bar import StepCursors, TimelineBar

TICK_MS = 33  # events are folded in at most ~30 times per second
#: While a race runs, redraw no more often than this: pyqtgraph paints in Python, and
#: the GUI thread holding the interpreter is time the worker cannot train.
CURVES_REDRAW_S = 0.5  # each of the two curve plots at most twice a second
SLOW_REDRAW_S = 1.0  # diagnostics
#: Decision grids: two small multiples at a time, in turn, so that one repaint (an
#: image per cell, converted in Python) stays short.
CELLS_REDRAW_S = 0.3
CELLS_PER_REDRAW = 2
TABLE_REDRAW_S = 1.0


class PlaygroundPanel(Panel):
    """See the module docstring."""

    key = "playground"
    title = "Playground"
    #: The race ended and the GUI has drawn its end: the stored run id (or ``None``).
    raceFinished = Signal(object)
    #: The step every view shows changed (scrubbed, stepped, or a newer one while live).
    shownStepChanged = Signal(int)  # noqa: N815 - Qt signal naming

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, measurements, parent)
        self.runner = RaceRunner(self)
        self.history = RaceHistory()
        self.colours: dict[str, str] = {}
        self.task = None
        self.last_run_id: int | None = None
        self.last_result: Any = None
        self.same_start_dialog: Any = None  # the open 'Same start again…' dialog
        self.race_name: str | None = None  # the stored name of a same-start re-run
        self._pending: list[object] = []
        self._dirty = False
        self._due: set[str] = set()
        self._cells_due: list[str] = []
        self._last = dict.fromkeys(("loss", "metric", "cells", "table", "diagnostics"), 0.0)
        self._started_at = 0.0
        self._steps = 0
        self.step = 0  # the last step the GUI has heard of
        self._held: int | None = None  # a Held step drained but not yet shown
        self._scrub: int | None = None  # the step chosen on the timeline; None: newest
        self._announced: int | None = None
        self._last_announce = 0.0
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)

        self.controls = RaceControls(state)
        c = self.controls  # the names below are the panel's API (tests, lessons, menus)
        self.form, self.step_n = c.form, c.step_n
        self.train_button, self.pause_button, self.stop_button = (
            c.train_button,
            c.pause_button,
            c.stop_button,
        )
        self.same_button, self.step_button, self.step_n_button = (
            c.same_button,
            c.step_button,
            c.step_n_button,
        )
        self.progress, self.rate_label, self.status = c.progress, c.rate_label, c.status

        self.views = PlaygroundTabs(
            theme := state.theme, self._activation, state.notify, state.colour
        )
        v = self.views
        self.curves, self.boundaries, self.diagnostics = v.curves, v.boundaries, v.diagnostics
        self.learned, self.inside, self.overview = v.learned, v.inside, v.overview
        self.views.currentChanged.connect(lambda _i: self._redraw(full=True))

        self.results_box = ResultsBox(lambda: self.state.theme.error)
        r = self.results_box
        self.results, self.table, self.threshold = r.results, r.table, r.threshold
        self.baseline_box, self.table_title = r.baseline_box, r.title
        r.optionsChanged.connect(self._update_table)
        r.exportRequested.connect(lambda: self.tableExportRequested.emit("playground-results"))
        self.timeline = TimelineBar()
        self.cursors = StepCursors(theme.foreground)
        views_box = QWidget()
        views_layout = QVBoxLayout(views_box)
        views_layout.setContentsMargins(0, 0, 0, 0)
        views_layout.addWidget(self.views, 1)
        views_layout.addWidget(self.timeline)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(views_box)
        right.addWidget(self.results_box)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        right.setSizes([640, 190])
        self.right_splitter = right
        self.results_room = ResultsRoom(right, self.results_box, self.table)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.controls)
        main.addWidget(right)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        main.setSizes([300, 900])
        self.splitter = main
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(main)
        for plot in self.views.exports():
            self.register_plot(plot)

        self.train_button.clicked.connect(lambda: self.start_race())
        self.same_button.clicked.connect(lambda: self.ask_same_start())
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop_race)
        self.step_button.clicked.connect(lambda: self.step_race(1))
        self.step_n_button.clicked.connect(lambda: self.step_race())
        self.timeline.stepChosen.connect(self._show_step)
        self.shownStepChanged.connect(lambda _step: self._redraw_inside())
        self.form.changed.connect(self._update_buttons)
        self.curves.optionsChanged.connect(lambda: self._redraw(full=True))
        self.diagnostics.layer_choice.currentIndexChanged.connect(
            lambda _i: self._redraw(full=True)
        )
        self.runner.event.connect(self._queue)
        self.runner.finished.connect(self._race_done)
        self.runner.failed.connect(self._race_failed)
        self.runner.storeProblem.connect(self._store_problem)
        state.themeChanged.connect(self.apply_theme)
        self._update_buttons()

    # -- starting and controlling -----------------------------------------------------

    @property
    def running(self) -> bool:
        return self.runner.running

    def start_race(
        self,
        config: Any = None,
        *,
        initial: Any = None,
        name: str | None = None,
        hold_after: int | None = None,
    ) -> bool:
        """Start the race the form describes (or ``config``, from ``initial`` networks,
        stored as ``name``: see :meth:`ask_same_start`), paused after ``hold_after`` steps
        when given; ``False`` (and the reason shown) if it cannot start."""
        if self.running:
            return False
        if config is None:
            config = self.form.config()
            if config is None:
                self.status.setText("fix the marked fields first")
                return False
            task = self.form.current_task()
        else:
            problems = config.validate(self.state.usable(), self.form.tasks())
            if problems:
                self._refuse(f"{name or 'this race'} cannot start: {'; '.join(problems)}")
                return False
            task = self.form.tasks()[config.task]
        usable = self.state.usable()
        acts = {n: usable[n] for n in plugin_names(config.activations)}  # relu>tanh: its parts
        from ...architectures.race import lookup
        from ...storage import run_versions

        try:
            architecture = lookup(config.arch, self.state.catalogue)
        except ValueError as exc:
            self._refuse(f"{name or 'this race'} cannot start: arch: {exc}")
            return False
        self.form.estimate.invalidate()  # a running time probe stops: the race needs the CPU

        worker = RaceWorker(
            config,
            acts,
            task,
            versions=run_versions(config.activations, self.state.catalogue),
            initial=initial,
            name=name,
            architecture=architecture,
        )
        self.colours = distinct_colours(config.activations, self.state.theme.dark)
        self.task = task
        self.history = RaceHistory()
        self._held = self._scrub = self._announced = None
        self.timeline.clear()
        self.cursors.show(self._step_plots(), None)
        self.curves.blank()
        self.curves.prepare(list(config.activations), self.colours)
        self.curves.set_steps(config.steps)
        self.curves.set_live(True)
        self.diagnostics.clear()
        self.inside.clear()
        self._prepare_views(config, task)
        self.repaint()  # lay out and paint the new items now, before the worker starts
        self.results.set_rows([])
        self._pending.clear()
        self._steps = config.steps
        self.step = 0
        self._started_at = time.perf_counter()
        self.last_run_id = None
        self.last_result = None
        self.race_name = name
        self.store_problem: str | None = None
        self.controls.starting(
            f"racing {len(config.activations)} activations × {len(config.seed_list())} seeds "
            f"on {config.task}" + (f" ({name})" if name else "")
        )
        if hold_after is not None:
            worker.step(hold_after)
        self.runner.start(worker)
        self._tick.start()
        self._update_buttons()
        return True

    def _prepare_views(self, config: Any, task: Any) -> None:
        """Lay out the small multiples before the worker starts (creating plots is the
        slowest thing the GUI does, so it must not compete with training)."""
        try:
            data = task.generate(
                config.points, config.noise, config.data_seed, config.test_fraction
            )
        except Exception:  # noqa: BLE001 - the engine reports a broken task properly
            self.boundaries.clear()
            self.boundaries.cells = {}
            return
        self.boundaries.rebuild_for(
            list(config.activations),
            {"x_train": data.x_train.numpy(), "y_train": data.y_train.numpy()},
            data.domain,
            self.colours,
            task,
        )

    def toggle_pause(self) -> None:
        if not self.running:
            return
        if self.runner.paused:
            self.runner.resume()
            self.progress.setFormat("%p%")
            self._tick.start()
        else:
            # Freeze every view at once: events the worker sent before it noticed the
            # pause, and redraws already scheduled, wait in the queue until resume.
            self._tick.stop()
            self.runner.pause()
            self.progress.setFormat("paused at %p%")
        self._update_buttons()

    def step_race(self, n: int | None = None) -> bool:
        """Train ``n`` more steps (default: the N box) and pause; an idle Playground
        starts the race paused after ``n`` steps. ``False`` when it cannot."""
        n = self.step_n.value() if n is None else max(1, int(n))
        if not self.running:
            return self.start_race(hold_after=n)
        target = self.runner.step(n)
        if target is None:
            return False
        if not self.timeline.is_live():
            self.timeline.show_step(None)  # a step is watched at the newest step
        self.progress.setFormat(f"stepping to {target:,} / {self._steps:,}…")
        self._tick.start()
        self._update_buttons()
        return True

    def step_action(self) -> None:
        self.step_race(1)

    def step_n_action(self) -> None:
        self.step_race()

    def stop_race(self) -> None:
        if self.running:
            self.runner.stop()
            self.status.setText("stopping after the current step…")

    def ask_same_start(self, run_id: int | None = None) -> Any:
        """'Same start again…' for stored run ``run_id`` (default: the last race): a
        dialog for lr, steps and optimiser, then the re-run starts here. Returns the
        dialog (``None`` when the run cannot be re-run; the reason is shown)."""
        from ..same_start_dialog import ask_same_start

        run_id = self.last_run_id if run_id is None else run_id
        if self.running:
            self._refuse("stop the race first, then start it again from the same start")
            return None
        if run_id is None:
            self._refuse("train a race first (or right-click a stored run in Compare)")
            return None
        self.same_start_dialog = ask_same_start(
            self, run_id, self._start_same, self._refuse, self.state.theme.error
        )
        return self.same_start_dialog

    def _start_same(self, plan: Any) -> None:
        from ..same_start_dialog import show_in_form

        show_in_form(self.form, plan)  # the form shows what trains, when it is that race
        self.start_race(plan.config, initial=plan.initial, name=plan.name)

    def same_start_action(self) -> None:
        self.ask_same_start()

    def _refuse(self, text: str) -> None:
        self.status.setText(f"<span style='color:{self.state.theme.error}'>{escape(text)}</span>")
        self.state.notify(text)

    def primary_action(self) -> None:
        self.start_race()

    def stop_action(self) -> None:
        self.stop_race()

    def pause_action(self) -> None:
        self.toggle_pause()

    def shutdown(self) -> None:
        """Stop a running race and wait for its thread (the window is closing)."""
        self._tick.stop()
        self.runner.shutdown()

    def _update_buttons(self) -> None:
        self.controls.set_enabled(
            running=self.running,
            paused=self.runner.paused,
            can_train=self.form.config() is not None,
            can_same=self.last_run_id is not None,
        )

    # -- events -----------------------------------------------------------------------

    def _queue(self, event: object) -> None:
        self._pending.append(event)

    def _drain(self) -> None:
        events, self._pending = self._pending, []
        recorded = False
        for event in events:
            if isinstance(event, Started):
                self.history.start(event)
                if list(self.boundaries.cells) != self.history.activations():
                    self.boundaries.rebuild(self.history, self.colours, self.task)
                self.boundaries.history = self.history
                self._dirty = True
            elif isinstance(event, Progress):
                self._progress(event.step, event.seconds)
            elif isinstance(event, Evaluation):
                self.history.add(event)
                self._progress(event.step, event.seconds)
                self._dirty = True
                recorded = recorded or event.snapshot is not None
            elif isinstance(event, Held):
                self._held = event.step
            elif isinstance(event, (Diverged, ActivationFailed)):
                self.history.add(event)
                self._dirty = True
                if isinstance(event, Diverged):
                    self.status.setText(
                        f"{event.activation} seed {event.seed} diverged at step {event.step}; "
                        "the others go on"
                    )
                else:
                    self.status.setText(f"{event.activation} failed: {event.error}")
        if recorded:
            self.timeline.set_steps(self.history.timeline.steps())

    def _on_tick(self) -> None:
        self._drain()
        if self._held is not None:
            self._show_held(self._held)
            return
        if self._dirty or self._due or self._cells_due:
            self._redraw()

    def _show_held(self, step: int) -> None:
        """The race paused after a Step: draw every view at that step."""
        self._held = None
        if self.runner.paused:  # not already sent on by another Step
            self._tick.stop()
            self.progress.setFormat(f"paused at step {step:,} / {self._steps:,}")
            self.status.setText(
                f"paused after step {step:,}: Step (F10) or Step N (Shift+F10) goes on, "
                "Resume (Ctrl+P) runs"
            )
        self._redraw(full=True)
        self._update_buttons()

    # -- the timeline -----------------------------------------------------------------

    def shown_snapshot(self) -> Snapshot | None:
        """The networks every view shows: at the step chosen on the timeline, else the
        newest recorded (``None`` before the first evaluation)."""
        return self.history.snapshot_at(self._scrub)

    def shown_step(self) -> int | None:
        """The step every view shows (``None`` before the first evaluation)."""
        snapshot = self.shown_snapshot()
        return snapshot.step if snapshot is not None else None

    def _step_plots(self) -> list:
        return self.views.step_plots()

    def _show_step(self, step: int | None) -> None:
        """Show ``step`` (``None``: the newest) in every view."""
        was_scrubbed = self._scrub is not None
        self._scrub = step
        self.cursors.show(self._step_plots(), step)
        if not self.history.members:
            return
        if self.views.currentWidget() is self.overview:  # others redraw on showing it
            self.boundaries.redraw(self.history, step=step)
        if self.views.currentWidget() is self.learned:
            self._redraw_learned()
            if step is None and was_scrubbed:
                self.learned.show_step(None)
        self._update_table_title()
        self._announce_shown(force=True)

    def _announce_shown(self, force: bool = False) -> bool:
        """Emit ``shownStepChanged`` when the shown step changed (while live, at most
        once per :data:`SLOW_REDRAW_S`, as the other slow views redraw); whether it did."""
        step = self.shown_step()
        if step is None or step == self._announced:
            return False
        now = time.perf_counter()
        if not force and self.running and now - self._last_announce < SLOW_REDRAW_S:
            return False
        self._announced, self._last_announce = step, now
        self.shownStepChanged.emit(step)
        return True

    def _progress(self, step: int, seconds: float) -> None:
        self.step = step
        self.controls.show_progress(step, self._steps, seconds, self.runner.paused)

    def _redraw(self, full: bool = False) -> None:
        """Bring the views up to date. ``full`` (or an idle race) draws everything now;
        while a race runs, each tick does at most one due job, so that no single
        repaint holds the window, and the interpreter, for long."""
        if not self.history.members:
            return
        if full or not self.running:
            self._due.clear()
            self._dirty = False
            self.curves.redraw(self.history, self.colours)
            self.boundaries.redraw(self.history, step=self._scrub)
            if self.views.currentWidget() is self.diagnostics:
                self.diagnostics.redraw(self.history, self.colours, self.curves.weight())
            self.cursors.show(self._step_plots(), self._scrub)
            self._redraw_learned()
            self._update_table()
            if not self._announce_shown(force=True):  # a new step redraws it already
                self._redraw_inside()
            return
        if self._dirty:
            self._dirty = False
            self._due.update(("loss", "metric", "diagnostics", "table"))
            self._cells_due = list(self.boundaries.cells)
        now = time.perf_counter()
        for job in ("loss", "metric"):
            if job in self._due and now - self._last[job] >= CURVES_REDRAW_S:
                self._due.discard(job)
                self._last[job] = now
                self.curves.redraw(self.history, self.colours, which=(job,))
                return
        if self._cells_due and now - self._last["cells"] >= CELLS_REDRAW_S:
            self._last["cells"] = now
            chosen, self._cells_due = (
                self._cells_due[:CELLS_PER_REDRAW],
                self._cells_due[CELLS_PER_REDRAW:],
            )
            self.boundaries.redraw(self.history, chosen, step=self._scrub)
            return
        if "table" in self._due and now - self._last["table"] >= TABLE_REDRAW_S:
            self._due.discard("table")
            self._last["table"] = now
            self._update_table()
            return
        if "diagnostics" in self._due and now - self._last["diagnostics"] >= SLOW_REDRAW_S:
            self._due.discard("diagnostics")
            self._last["diagnostics"] = now
            if self.views.currentWidget() is self.diagnostics:
                self.diagnostics.redraw(self.history, self.colours, self.curves.weight())
                self.cursors.show(self._step_plots(), self._scrub)
            self._redraw_learned()
            self._announce_shown()  # redraws "Inside the network" when the step moved

    def _activation(self, name: str | None) -> Any:
        """A loaded activation by name; a per-layer name (``prelu>tanh``) as its parts."""
        if name is not None and layered.is_layered(name):
            try:
                return layered.layered(name, self.state.catalogue.activations)
            except ValueError:
                return None
        return self.state.activation(name)

    def _redraw_learned(self) -> None:
        if self.views.currentWidget() is self.learned:
            self.learned.set_run(self.history.as_run())
            if self._scrub is not None:
                self.learned.show_step(self._scrub)

    def _redraw_inside(self) -> None:
        if self.views.currentWidget() is self.inside:
            self.inside.redraw(self.history, self.shown_snapshot(), self.colours)

    def _update_table_title(self) -> None:
        self.results_box.show_title(self.history, self._scrub)

    def _update_table(self) -> None:
        self.results_box.update_rows(
            self.history, self._scrub, self.state.catalogue.activations, final=not self.running
        )

    def _race_done(self, result: object, run_id: object) -> None:
        self._tick.stop()
        self._drain()
        self.curves.set_live(False)
        self.history.finish(result)
        self.last_result = result
        self.last_run_id = run_id if isinstance(run_id, int) else None
        self._redraw(full=True)
        if result is not None:
            status = result.status
            self.progress.setValue(round(1000 * result.steps_done / max(1, self._steps)))
            self.progress.setFormat(f"{status}: step {result.steps_done} / {self._steps}")
            stored = f", stored as run #{run_id}" if run_id is not None else ""
            if self.race_name:
                stored += f" ({self.race_name})"
            diverged = sum(r.status == "diverged" for r in result.runs)
            note = f"; {diverged} runs diverged" if diverged else ""
            self.status.setText(
                f"{status} after {result.steps_done} steps in {result.train_seconds:.1f} s"
                f"{stored}{note}"
            )
            if getattr(self, "store_problem", None):
                self._store_problem(self.store_problem)
            self.state.notify(f"race {status}{stored}")
            if result.train_seconds > 0:
                rate = result.steps_done / result.train_seconds
                self.rate_label.setText(f"{rate:,.0f} steps/s on average")
        self._update_buttons()
        self.raceFinished.emit(self.last_run_id)

    def _store_problem(self, text: str) -> None:
        """The run database failed while recording: say so where the user looks."""
        self.store_problem = text
        colour = self.state.theme.error
        line = self.status.text().split("<br>")[0]
        self.status.setText(f"{line}<br><span style='color:{colour}'>{escape(text)}</span>")
        self.status.setToolTip(text)
        self.state.notify(text)

    def _race_failed(self, text: str) -> None:
        first = text.splitlines()[0] if text else "unknown error"
        self.status.setText(
            f"<span style='color:{self.state.theme.error}'>the race failed: {first}</span>"
        )
        self.status.setToolTip(text)

    # -- panel duties -----------------------------------------------------------------

    def tables(self):
        return {"playground-results": self.results_box.csv}

    def apply_theme(self) -> None:
        theme = self.state.theme
        self.colours = distinct_colours(self.colours, theme.dark)
        self.views.apply_theme(theme)
        self.cursors.set_colour(theme.foreground)
        self._redraw(full=True)

    def save_state(self, settings: QSettings) -> None:
        self.form.save(settings, "playground/form")
        settings.setValue("playground/step_n", self.step_n.value())
        self.inside.save(settings, "playground/inside")

    def restore_state(self, settings: QSettings) -> None:
        self.form.restore(settings, "playground/form")
        self.inside.restore(settings, "playground/inside")
        try:
            n = int(settings.value("playground/step_n", self.step_n.value()))
        except (TypeError, ValueError):
            n = 10  # a damaged setting: the default
        self.step_n.setValue(max(1, n))

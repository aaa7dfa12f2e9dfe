"""A race in a worker thread: pulls the engine's events, stores them, hands them to the GUI.

The engine is a generator, so pausing is simply not pulling (the worker waits on a
condition) and stopping is the engine's own ``stop()``, honoured between two steps; the
race then evaluates once more and ends as ``stopped``. Stepping asks the engine to hold
after a given step (``Race.hold_at``) and resumes; at the engine's ``Held`` event the
worker pauses itself again. Events reach the GUI thread as
queued signals and are never waited on, so drawing can never hold training back.
"""

from __future__ import annotations

import sqlite3
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..api import Activation
from ..training.config import RaceConfig
from ..training.events import Finished, Held
from ..training.task import Task

#: At the end of a race, how long the worker keeps retrying a locked database.
CLOSE_WAIT_S = 3.0


class RaceWorker(QObject):
    """Runs one race when :meth:`run` is called (in its thread). See the module docstring."""

    event = Signal(object)  # every engine event but Finished, in order
    finished = Signal(object, object)  # RaceResult (or None if set-up failed), stored run id
    failed = Signal(str)  # the engine raised: a message with the traceback
    storeProblem = Signal(str)  # noqa: N815 - the run database failed: one line for the user

    def __init__(
        self,
        config: RaceConfig,
        activations: Mapping[str, Activation],
        task: Task,
        *,
        store_path: str | Path | None = None,
        store: bool = True,
        name: str | None = None,
        note: str = "",
        versions: Mapping[str, Any] | None = None,
        initial: Mapping[tuple[str, int], Any] | None = None,
        architecture: Any = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.activations = dict(activations)
        self.task = task
        self.store_path = store_path
        self.store = store
        self.name = name
        self.note = note
        self.versions = dict(versions or {})
        #: start from these networks (``RunStore.initial_states``) instead of drawn ones
        self.initial = initial
        #: the :class:`actviz.Architecture` that ``config.arch`` names (``None``: the MLP)
        self.architecture = architecture
        self.race = None
        self.run_id: int | None = None
        self._cond = threading.Condition()
        self._paused = False
        self._stopping = False
        self._waiting = False
        self._hold: int | None = None  # asked before the race exists (a held start)
        self._target: int | None = None  # the step the race is asked to hold at

    # -- control, from any thread ----------------------------------------------------

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def stop(self) -> None:
        """End the race after the current step; a paused race is woken to end."""
        with self._cond:
            self._stopping = True
            self._paused = False
            self._cond.notify_all()
        race = self.race
        if race is not None:
            race.stop()

    def step(self, n: int = 1) -> int | None:
        """Run ``n`` more steps and pause again (the ``Held`` event says when).

        Before the race has started it holds after its ``n``-th step; a paused race is
        held at its current step + ``n`` and resumed; a running race is held there.
        Returns the step asked for, ``None`` when the race is ending."""
        n = max(1, int(n))
        with self._cond:
            if self._stopping:
                return None
            race = self.race
            if race is None:
                self._hold = (self._hold or 0) + n
                self._target = self._hold
                return self._hold
            # a second Step before the first one arrived steps on from its target
            target = max(race.result.steps_done, self._target or 0) + n
            self._target = target
            race.hold_at(target)
            self._paused = False
            self._cond.notify_all()
            return target

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def waiting(self) -> bool:
        """Whether the worker is parked (paused and no longer training)."""
        return self._waiting

    # -- the thread's work -----------------------------------------------------------

    def _wait_while_paused(self) -> None:
        with self._cond:
            while self._paused and not self._stopping:
                self._waiting = True
                self._cond.wait()
            self._waiting = False

    @Slot()
    def run(self) -> None:
        """Train, record and report; ``finished`` is emitted whatever happens."""
        from ..training.engine import race

        store = recorder = None
        result = None
        failed = False
        try:
            # snapshots: the recorder keeps the initial networks ("Same start again")
            # and the Playground's timeline shows any recorded step
            current = race(
                self.config,
                self.activations,
                self.task,
                snapshots=True,
                initial=self.initial,
                architecture=self.architecture,
            )
            with self._cond:
                self.race = current
                if self._hold is not None:
                    current.hold_at(self._hold)
            if self._stopping:
                current.stop()
            if self.store:
                store, recorder = self._open_store()
            for event in current:
                if recorder is not None:
                    recorder(event)
                    self.run_id = recorder.run_id
                if isinstance(event, Finished):
                    result = event.result
                    break
                if isinstance(event, Held):
                    with self._cond:  # paused before the GUI hears of it
                        self._paused = not self._stopping
                        self._target = None
                self.event.emit(event)
                self._wait_while_paused()
            else:
                result = current.result
        except Exception as exc:  # noqa: BLE001 - a crash must end the thread, not the app
            failed = True
            text = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
            if self.race is not None:
                self.race.close()
                result = self.race.result
            if recorder is not None and recorder.problem is None:
                recorder.abort("failed", result)  # a failing database is not written again
            self.failed.emit(text)
        finally:
            try:
                self._close_store(store, recorder, failed)
            finally:
                self.finished.emit(result, self.run_id)

    def _open_store(self) -> tuple[Any, Any]:
        """The store and a recorder that reports database problems; ``(None, None)``
        (and a message) when the file cannot be opened: the race then runs unstored."""
        from ..storage import RaceRecorder, RunStore

        try:
            store = RunStore(self.store_path)
        except (sqlite3.Error, OSError, RuntimeError) as exc:
            self.storeProblem.emit(f"cannot open the run database ({exc}): this race is not stored")
            return None, None
        recorder = RaceRecorder(
            store,
            name=self.name,
            note=self.note,
            versions=self.versions,
            on_problem=lambda problem: self.storeProblem.emit(
                f"{problem}; training goes on and the results are kept until it can write"
            ),
        )
        return store, recorder

    def _close_store(self, store: Any, recorder: Any, failed: bool) -> None:
        if recorder is not None:
            if failed and recorder.problem is not None:
                unsaved = recorder.give_up()
            else:
                unsaved = recorder.close(wait_s=CLOSE_WAIT_S)
            self.run_id = recorder.run_id
            if unsaved is not None:
                self.storeProblem.emit(unsaved)
        if store is not None:
            try:
                store.close()
            except sqlite3.Error:
                pass  # already reported as unsaved


class RaceRunner(QObject):
    """Owns the worker thread of one race at a time; forwards the worker's signals."""

    event = Signal(object)
    finished = Signal(object, object)
    failed = Signal(str)
    storeProblem = Signal(str)  # noqa: N815

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.qthread: QThread | None = None
        self.worker: RaceWorker | None = None

    @property
    def running(self) -> bool:
        return self.qthread is not None and self.qthread.isRunning()

    @property
    def paused(self) -> bool:
        return self.worker is not None and self.worker.paused

    def start(self, worker: RaceWorker) -> None:
        """Run ``worker`` in a new thread; refuses while a race runs."""
        if self.running:
            raise RuntimeError("a race is already running")
        self._release()
        thread = QThread()
        thread.setObjectName("actviz-race")
        worker.moveToThread(thread)
        worker.event.connect(self.event)
        worker.failed.connect(self.failed)
        worker.storeProblem.connect(self.storeProblem)
        worker.finished.connect(self._worker_done)
        thread.started.connect(worker.run)
        self.qthread, self.worker = thread, worker
        thread.start()

    def pause(self) -> None:
        if self.worker is not None:
            self.worker.pause()

    def resume(self) -> None:
        if self.worker is not None:
            self.worker.resume()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()

    def step(self, n: int = 1) -> int | None:
        """See :meth:`RaceWorker.step`."""
        return self.worker.step(n) if self.worker is not None else None

    def shutdown(self, timeout_ms: int = 1800) -> bool:
        """Stop the race and wait for its thread (for closing the window); ``True`` when
        the thread has ended. The run is stored as ``stopped``."""
        if self.qthread is None:
            return True
        self.stop()
        self.qthread.quit()
        done = self.qthread.wait(timeout_ms)
        if done:
            self._release()
        return done

    def _worker_done(self, result: object, run_id: object) -> None:
        thread = self.qthread
        if thread is not None:
            thread.quit()
            thread.wait(2000)
        self.finished.emit(result, run_id)

    def _release(self) -> None:
        if self.worker is not None:
            signals = (
                self.worker.event,
                self.worker.failed,
                self.worker.finished,
                self.worker.storeProblem,
            )
            for signal in signals:
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):
                    pass
            self.worker.deleteLater()
        if self.qthread is not None:
            self.qthread.deleteLater()
        self.worker = self.qthread = None

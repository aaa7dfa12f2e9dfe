"""Writing a race into the run store while it runs: one observer shared by CLI and GUI.

:class:`RaceRecorder` takes the race's events one by one (call it from the thread
that pulls them); :func:`store_race` drives a whole race with one.
"""

from __future__ import annotations

import math
import platform
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..api import Activation
from ..training.config import RaceConfig
from ..training.events import (
    ActivationFailed,
    Diverged,
    Evaluation,
    Event,
    Finished,
    Progress,
    Started,
)
from ..training.layered import plugin_names
from ..training.results import RaceResult
from ..training.task import Task
from .liveness import HEARTBEAT_SECONDS
from .store import RunStore

#: Seconds between two writes of a race's rows (the most a kill can lose, roughly).
WRITE_SECONDS = 1.0
#: How long one write waits for another process's lock before keeping its rows for later.
LOCK_WAIT_SECONDS = 0.05
#: Back-off between attempts while the file stays locked: doubling up to the maximum.
FIRST_RETRY_SECONDS = 0.25
MAX_RETRY_SECONDS = 8.0
#: At the end of a race, how long to keep retrying before saying what was not stored.
FINAL_WAIT_SECONDS = 10.0

Write = Callable[[RunStore], None]


class RaceRecorder:
    """Feed it every event of one race; the run appears in the store at ``Started``.

    Rows are buffered and written in one short transaction about every
    :data:`WRITE_SECONDS` (and at once for the start, failures and the end), together
    with a light loss row from ``Progress.train_loss`` and the owner's heartbeat. A
    database that is locked or failing never stops the race: the rows stay in memory,
    writes are retried with back-off, ``problem`` says what went wrong (``on_problem``
    is told once per new problem), and :meth:`close` returns one line saying what
    could not be stored, if anything.
    """

    def __init__(
        self,
        store: RunStore,
        *,
        name: str | None = None,
        note: str = "",
        versions: Mapping[str, Any] | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.name = name
        self.note = note
        self.versions = dict(versions or {})
        self.on_problem = on_problem
        self.run_id: int | None = None
        self.problem: str | None = None
        self._pending: list[tuple[str, str, Write]] = []  # (kind, what, write)
        self._last_write = -math.inf
        self._retry_at = 0.0
        self._backoff = FIRST_RETRY_SECONDS
        self._closed = False
        self._lock = threading.RLock()
        self._beat_stop = threading.Event()
        self._beat_thread: threading.Thread | None = None

    # -- events -------------------------------------------------------------------------

    def __call__(self, event: Event) -> None:
        with self._lock:
            if self._closed:
                return
            urgent = self._queue(event)
            self._write(urgent)

    def _queue(self, event: Event) -> bool:
        """Turn an event into pending writes; ``True`` when they should go out now."""
        add = self._pending.append
        if isinstance(event, Started):
            members = [(r.activation, r.seed) for r in event.runs]
            add(("run", "the run itself", lambda s: self._create(s, event, members)))
            return True
        if isinstance(event, Evaluation):
            rows, step, seconds = event.metrics, event.step, event.seconds
            if step == 0 and event.snapshot is not None:
                snapshot = event.snapshot
                add(("initial", "the initial networks", lambda s: self._initial(s, snapshot)))
            add(("eval", f"step {step}", lambda s: self._evaluations(s, rows, step, seconds)))
            return False
        if isinstance(event, Progress):
            if event.train_loss is not None:
                step, seconds, losses = event.step, event.seconds, list(event.train_loss)
                wall = time.time()
                add(
                    (
                        "loss",
                        f"step {step}",
                        lambda s: self._samples(s, step, seconds, losses, wall),
                    )
                )
            return False
        if isinstance(event, Diverged):
            run, step = event.run, event.step
            what = f"{event.activation} seed {event.seed} diverged at step {step}"
            add(("member", what, lambda s: self._diverged(s, run, step)))
            return True
        if isinstance(event, ActivationFailed):
            runs, error = list(event.runs), event.error
            add(("member", f"{event.activation} failed", lambda s: self._failed(s, runs, error)))
            return True
        if isinstance(event, Finished):
            self._queue_finish(event.result.status, event.result)
            return True
        return False

    def _queue_finish(self, status: str, result: RaceResult | None) -> None:
        what = f"the final results ({status})"
        self._pending.append(("end", what, lambda s: s.finish_run(self.run_id, status, result)))
        self._stop_heartbeat()

    def abort(self, status: str, result: RaceResult | None = None) -> None:
        """Close the run when the race ended without ``Finished`` (stopped or crashed)."""
        with self._lock:
            if self._closed or not self._started():
                return
            self._queue_finish(status, result)
            self._write(urgent=True)

    def close(self, wait_s: float = FINAL_WAIT_SECONDS) -> str | None:
        """Write what is still pending, retrying for up to ``wait_s`` seconds.

        Returns ``None`` when everything is stored, else one line saying what is not.
        The recorder ignores events afterwards.
        """
        with self._lock:
            self._stop_heartbeat()
            deadline = time.monotonic() + wait_s
            while self._pending:
                self._retry_at = 0.0
                self._write(urgent=True)
                if not self._pending or time.monotonic() >= deadline:
                    break
                time.sleep(min(self._backoff, max(0.0, deadline - time.monotonic())))
            self._closed = True
            return self.unsaved()

    def give_up(self) -> str | None:
        """Stop without writing again (the database is failing); returns :meth:`unsaved`."""
        with self._lock:
            self._stop_heartbeat()
            self._closed = True
            return self.unsaved()

    def unsaved(self) -> str | None:
        """One line: what has not reached the database (``None`` if nothing)."""
        if not self._pending:
            return None
        parts = [what for kind, what, _ in self._pending if kind not in ("eval", "loss")]
        for kind, noun in (("eval", "evaluations"), ("loss", "loss rows")):
            steps = [what for k, what, _ in self._pending if k == kind]
            if steps:
                span = steps[0] if len(steps) == 1 else f"{steps[0]} to {steps[-1]}"
                parts.append(f"{noun} of {len(steps)} steps ({span})")
        run = f"run {self.run_id}" if self.run_id is not None else "this race"
        return f"not stored for {run}: {', '.join(parts)}; {self.problem}"

    @property
    def pending(self) -> int:
        return len(self._pending)

    # -- writing ------------------------------------------------------------------------

    def _started(self) -> bool:
        return self.run_id is not None or any(kind == "run" for kind, _, _ in self._pending)

    def _write(self, urgent: bool = False) -> None:
        if not self._pending:
            return
        now = time.monotonic()
        if now < self._retry_at or (not urgent and now - self._last_write < WRITE_SECONDS):
            return
        self._last_write = now
        done = 0
        try:
            with self.store.transaction(timeout_s=LOCK_WAIT_SECONDS):
                for _kind, _what, write in self._pending:
                    write(self.store)
                    done += 1
                if self.run_id is not None and not self._beat_stop.is_set():
                    self.store.heartbeat(self.run_id)
        except sqlite3.Error as exc:
            if done and self.run_id is not None and self._pending[0][0] == "run":
                self.run_id = None  # the insert was rolled back with the rest
            self._retry_at = now + self._backoff
            self._backoff = min(self._backoff * 2, MAX_RETRY_SECONDS)
            self._report(_describe(exc))
            return
        self._pending.clear()
        self._backoff = FIRST_RETRY_SECONDS
        self._retry_at = 0.0
        if self.problem is not None:
            self.problem = None

    def _report(self, problem: str) -> None:
        if problem == self.problem:
            return
        self.problem = problem
        if self.on_problem is not None:
            try:
                self.on_problem(problem)
            except Exception:  # noqa: BLE001 - a failing listener must not stop the race
                pass

    def _create(self, store: RunStore, event: Started, members: list[tuple[str, int]]) -> None:
        self.run_id = store.create_run(
            event.config,
            event.task,
            event.metric,
            members,
            device=event.device,
            strategy=event.strategy,
            versions=self.versions,
            name=self.name,
            note=self.note,
        )
        store.claim_run(self.run_id)
        self._start_heartbeat()

    def _evaluations(self, store: RunStore, rows: list, step: int, seconds: float) -> None:
        store.record_evaluations(self.run_id, rows)
        store.update_run(self.run_id, train_seconds=seconds, steps_done=step)

    def _initial(self, store: RunStore, snapshot: Any) -> None:
        members = {run: snapshot.run_params(run) for run in snapshot.runs()}
        store.record_initial_states(self.run_id, members)

    def _samples(
        self, store: RunStore, step: int, seconds: float, losses: list, wall: float
    ) -> None:
        store.record_samples(self.run_id, step, seconds, losses, wall)
        store.update_run(self.run_id, train_seconds=seconds, steps_done=step)

    def _diverged(self, store: RunStore, run: int, step: int) -> None:
        store.update_member(self.run_id, run, status="diverged", diverged_at=step)

    def _failed(self, store: RunStore, runs: list[int], error: str) -> None:
        for idx in runs:
            store.update_member(self.run_id, idx, status="failed", error=error)

    # -- heartbeat (keeps a paused race from looking dead) ---------------------------

    def _start_heartbeat(self) -> None:
        if self._beat_thread is not None:
            return
        self._beat_thread = threading.Thread(
            target=self._beat_loop, name="actviz-heartbeat", daemon=True
        )
        self._beat_thread.start()

    def _beat_loop(self) -> None:
        while not self._beat_stop.wait(HEARTBEAT_SECONDS):
            if not self._lock.acquire(timeout=HEARTBEAT_SECONDS):
                continue
            try:
                if self.run_id is not None and not self._pending:
                    with self.store.transaction(timeout_s=LOCK_WAIT_SECONDS):
                        self.store.heartbeat(self.run_id)
            except sqlite3.Error:
                pass  # the next write reports it
            finally:
                self._lock.release()

    def _stop_heartbeat(self) -> None:
        self._beat_stop.set()


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "locked" in text or "busy" in text:
        return f"the run database is locked by another program ({text})"
    return f"the run database failed: {text}"


def store_race(
    config: RaceConfig,
    activations: Mapping[str, Activation],
    task: Task,
    store: RunStore,
    *,
    name: str | None = None,
    note: str = "",
    versions: Mapping[str, Any] | None = None,
    on_event: Callable[[Event], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    initial: Mapping[tuple[str, int], Any] | None = None,
) -> tuple[int | None, RaceResult]:
    """Run a race, storing it as it goes (its initial networks included, so it can be
    re-run from them); returns ``(run id, result)``. ``initial`` starts it from stored
    networks (``RunStore.initial_states``).

    If the race raises, the stored run is marked ``failed`` (``stopped`` on Ctrl-C)
    with everything recorded so far, and the exception propagates.
    """
    from ..training.engine import race

    current = race(
        config, activations, task, should_stop=should_stop, snapshots=True, initial=initial
    )
    recorder = RaceRecorder(store, name=name, note=note, versions=versions)
    try:
        for event in current:
            recorder(event)
            if on_event is not None:
                on_event(event)
    except KeyboardInterrupt:
        current.close()
        recorder.abort("stopped", current.result)
        recorder.close()
        raise
    except BaseException:
        current.close()
        recorder.abort("failed", current.result)
        recorder.close()
        raise
    unsaved = recorder.close()
    if unsaved is not None:
        warnings.warn(unsaved, RuntimeWarning, stacklevel=2)
    return recorder.run_id, current.result


def run_versions(activation_names: Iterable[str], catalogue: Any | None = None) -> dict[str, Any]:
    """Versions worth keeping with a run: actviz, torch, Python, and for each raced
    activation the plugin that provided it and that plugin's version (when known); a
    per-layer name (``relu>tanh``) is kept as its parts."""
    import torch

    from .. import __version__

    plugins: dict[str, Any] = {}
    if catalogue is not None:
        by_name = {p.name: p for p in getattr(catalogue, "plugins", [])}
        for act in plugin_names(activation_names):
            try:
                entry = catalogue.entry(act)
            except (KeyError, AttributeError):
                continue
            record = by_name.get(entry.plugin)
            plugins[act] = {
                "plugin": entry.plugin,
                "source": entry.source,
                "version": getattr(record, "version", None),
            }
    return {
        "actviz": __version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "plugins": plugins,
    }

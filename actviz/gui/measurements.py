"""Measurements (properties, cost, deep signal) computed off the GUI thread and cached.

Each result is keyed by the catalogue generation, the activation and its parameter
values, so a reload or a slider move never shows a stale number as current. One
worker thread runs the jobs in order of request; results arrive as Qt signals.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..analysis.deep_signal import DeepSignal, deep_signal
from ..analysis.properties import Properties, measure, relative_cost
from .state import AppState

KINDS = ("properties", "cost", "deep")


class _Relay(QObject):
    done = Signal(object, object, object)  # key, result, error text


class _Job(QRunnable):
    def __init__(
        self, key: tuple, work: Callable[[], Any], relay: _Relay, wanted: Callable[[], bool]
    ) -> None:
        super().__init__()
        self.key, self.work, self.relay, self.wanted = key, work, relay, wanted
        self.setAutoDelete(True)

    def run(self) -> None:
        result, error = None, None
        if self.wanted():  # else superseded (or shut down) while queued: report nothing
            try:
                result = self.work()
            except Exception as exc:  # noqa: BLE001 - a plugin may raise anything
                error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"
        try:
            self.relay.done.emit(self.key, result, error)
        except RuntimeError:  # the window closed while this ran: nobody needs the result
            pass


class Measurements(QObject):
    """Ask with :meth:`properties`, :meth:`cost`, :meth:`deep`: a cached value or ``None``
    (then the job is queued and ``ready(kind, name)`` fires when it is done)."""

    ready = Signal(str, str)

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self._closed = False
        self._relay = _Relay(self)
        self._relay.done.connect(self._finished)
        self._results: dict[tuple, Any] = {}
        self._errors: dict[tuple, str] = {}
        self._pending: set[tuple] = set()
        self._latest: dict[tuple[str, str], tuple] = {}
        self._held: list[_Job] | None = []  # jobs wait here until release()
        state.catalogueChanged.connect(self._forget)

    def _key(self, kind: str, name: str) -> tuple:
        params = tuple(sorted(self.state.params_for(name).items()))
        return (kind, self.state.generation, name, params)

    def _forget(self) -> None:
        self._results.clear()
        self._errors.clear()

    def _get(self, kind: str, name: str, work: Callable[..., Any]) -> Any:
        act = self.state.activation(name)
        if act is None:
            return None
        key = self._key(kind, name)
        if key in self._results:
            return self._results[key]
        if key not in self._pending and key not in self._errors:
            self._pending.add(key)
            params = self.state.params_for(name)
            self._latest[(kind, name)] = key
            wanted = lambda: not self._closed and self._latest.get((kind, name)) == key  # noqa: E731
            job = _Job(key, lambda: work(act, params), self._relay, wanted)
            if self._held is not None:
                self._held.append(job)
            else:
                self.pool.start(job)
        return None

    def release(self) -> None:
        """Start measuring (held back until the window has been painted once)."""
        held, self._held = self._held, None
        for job in held or []:
            self.pool.start(job)

    def error(self, kind: str, name: str) -> str | None:
        return self._errors.get(self._key(kind, name))

    def properties(self, name: str) -> Properties | None:
        return self._get("properties", name, measure)

    def cost(self, name: str) -> float | None:
        return self._get("cost", name, relative_cost)

    def deep(self, name: str) -> DeepSignal | None:
        return self._get("deep", name, deep_signal)

    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until queued jobs are done (tests and batch export); results still
        arrive through the event loop."""
        return self.pool.waitForDone(timeout_ms)

    def _finished(self, key: tuple, result: Any, error: str | None) -> None:
        self._pending.discard(key)
        if key[1] != self.state.generation or (result is None and error is None):
            return  # from before a reload, or skipped because a newer request replaced it
        if error is not None:
            self._errors[key] = error
            self.state.notify(f"{key[2]}: measuring {key[0]} failed: {error.splitlines()[0]}")
        else:
            self._results[key] = result
        self.ready.emit(key[0], key[2])

    def shutdown(self) -> None:
        """Drop queued jobs and wait for the running one (each takes at most a second or so)."""
        self._closed = True
        self._held = None
        self.pool.clear()
        self.pool.waitForDone(-1)
        self._pending.clear()

"""Writing a race into the run store while it runs: one observer shared by CLI and GUI.

:class:`RaceRecorder` takes the race's events one by one (call it from the thread
that pulls them); :func:`store_race` drives a whole race with one.
"""

from __future__ import annotations

import platform
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
from ..training.results import RaceResult
from ..training.task import Task
from .store import RunStore


class RaceRecorder:
    """Feed it every event of one race; the run appears in the store at ``Started`` and
    is updated as evaluations arrive (committed at least every ``store.commit_seconds``)."""

    def __init__(
        self,
        store: RunStore,
        *,
        name: str | None = None,
        note: str = "",
        versions: Mapping[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.name = name
        self.note = note
        self.versions = dict(versions or {})
        self.run_id: int | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, Started):
            self.run_id = self.store.create_run(
                event.config,
                event.task,
                event.metric,
                [(r.activation, r.seed) for r in event.runs],
                device=event.device,
                strategy=event.strategy,
                versions=self.versions,
                name=self.name,
                note=self.note,
            )
            return
        if self.run_id is None:
            return
        if isinstance(event, Evaluation):
            self.store.record_evaluations(self.run_id, event.metrics)
            self.store.update_run(self.run_id, train_seconds=event.seconds, steps_done=event.step)
        elif isinstance(event, Diverged):
            self.store.update_member(
                self.run_id, event.run, status="diverged", diverged_at=event.step
            )
            self.store.flush()
        elif isinstance(event, ActivationFailed):
            for idx in event.runs:
                self.store.update_member(self.run_id, idx, status="failed", error=event.error)
            self.store.flush()
        elif isinstance(event, Progress):
            self.store.maybe_flush()
        elif isinstance(event, Finished):
            self.store.finish_run(self.run_id, event.result.status, event.result)

    def abort(self, status: str, result: RaceResult | None = None) -> None:
        """Close the run when the race ended without ``Finished`` (stopped or crashed)."""
        if self.run_id is not None:
            self.store.finish_run(self.run_id, status, result)


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
) -> tuple[int | None, RaceResult]:
    """Run a race, storing it as it goes; returns ``(run id, result)``.

    If the race raises, the stored run is marked ``failed`` (``stopped`` on Ctrl-C)
    with everything recorded so far, and the exception propagates.
    """
    from ..training.engine import race

    current = race(config, activations, task, should_stop=should_stop)
    recorder = RaceRecorder(store, name=name, note=note, versions=versions)
    try:
        for event in current:
            recorder(event)
            if on_event is not None:
                on_event(event)
    except KeyboardInterrupt:
        current.close()
        recorder.abort("stopped", current.result)
        raise
    except BaseException:
        current.close()
        recorder.abort("failed", current.result)
        raise
    return recorder.run_id, current.result


def run_versions(activation_names: Iterable[str], catalogue: Any | None = None) -> dict[str, Any]:
    """Versions worth keeping with a run: actviz, torch, Python, and for each raced
    activation the plugin that provided it and that plugin's version (when known)."""
    import torch

    from .. import __version__

    plugins: dict[str, Any] = {}
    if catalogue is not None:
        by_name = {p.name: p for p in getattr(catalogue, "plugins", [])}
        for act in activation_names:
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

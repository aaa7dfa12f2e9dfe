"""What a lesson's ``measure`` function is handed: settings, activations, and the tools.

Lesson plugins import only ``actviz``'s public names, so everything a measurement needs
(races, the deep-signal statistics, timings) comes through this object. It also
carries progress and stop requests between the experiment and whoever runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..api import Activation
from ..training.config import RaceConfig
from ..training.engine import race
from ..training.events import Evaluation, Progress, Started
from ..training.task import Task
from .measurements import Measurements, Plot
from .race_summary import RaceRun

ProgressFn = Callable[[float, str], None]
#: Distance between the data seeds of one lesson's several draws (see ``data_seeds``).
DRAW_STEP = 1000


class LessonStopped(Exception):
    """The user stopped the lesson; what was measured so far is discarded."""


class LessonContext:
    """Settings of one lesson run (preset + budget) and the tools to measure with.

    :param settings: the lesson's preset with the budget's overrides.
    :param device: where races train (``auto``, ``cpu``, ``cuda``, ``mps``).
    :param data_seed: the data seed of every race (``None``: the preset's, usually 0).
    :param model_seed: the first model seed (``None``: the preset's ``0..seeds-1``); a
        race of ``n`` seeds trains ``model_seed .. model_seed + n - 1``, and the
        deep-signal weights are drawn from it.
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        activations: Mapping[str, Activation],
        tasks: Mapping[str, Task],
        *,
        budget: str = "full",
        device: str = "auto",
        on_progress: ProgressFn | None = None,
        should_stop: Callable[[], bool] | None = None,
        data_seed: int | None = None,
        model_seed: int | None = None,
    ) -> None:
        self.settings = dict(settings)
        self.data_seed = data_seed
        self.model_seed = model_seed
        self.activations = activations
        self.tasks = tasks
        self.budget = budget
        self.device = device
        self._on_progress = on_progress
        self._should_stop = should_stop
        self._part = (0, 1)
        self.devices_used: set[str] = set()

    # -- progress and stop ------------------------------------------------------------

    @property
    def stopped(self) -> bool:
        return bool(self._should_stop is not None and self._should_stop())

    def check_stop(self) -> None:
        """Raise :class:`LessonStopped` when a stop was asked for (call between steps)."""
        if self.stopped:
            raise LessonStopped()

    def part(self, index: int, count: int) -> None:
        """The next progress reports cover part ``index`` of ``count`` of the lesson."""
        self._part = (max(0, index), max(1, count))

    def progress(self, fraction: float, text: str = "") -> None:
        """Report progress of the current part (0..1)."""
        if self._on_progress is None:
            return
        index, count = self._part
        overall = (index + min(max(fraction, 0.0), 1.0)) / count
        self._on_progress(overall, text)

    # -- building results (lesson plugins import only actviz's public names) -----------

    @staticmethod
    def measurements(values: Mapping[str, Mapping[str, Any]] | None = None) -> Measurements:
        """An empty (or pre-filled) :class:`Measurements` to return from ``measure``."""
        return Measurements.from_values(values or {})

    @staticmethod
    def plot(title: str, x_label: str, y_label: str, log_y: bool = False) -> Plot:
        """The key plot of a lesson; add curves with ``plot.add(label, x, y)``."""
        return Plot(title, x_label, y_label, log_y=log_y)

    # -- tools ------------------------------------------------------------------------

    def activation(self, name: str) -> Activation:
        """A loaded activation; ``KeyError`` says which one is missing."""
        try:
            return self.activations[name]
        except KeyError:
            raise KeyError(f"activation {name!r} is not loaded") from None

    def race_config(self, **overrides: Any) -> RaceConfig:
        """The race the settings describe, with ``overrides`` (unknown keys are ignored)."""
        data = {**self.settings, **overrides}
        if self.data_seed is not None and "data_seed" not in overrides:
            data["data_seed"] = int(self.data_seed)
        if self.model_seed is not None:
            count = len(RaceConfig(seeds=data.get("seeds", 3)).seed_list())
            data["seeds"] = list(range(self.model_seed, self.model_seed + count))
        data.setdefault("vary", "all")  # each replicate draws its own data, as races do
        data.setdefault("device", self.device)
        if self.device != "auto":
            data["device"] = self.device
        return RaceConfig.from_dict(data)

    def data_seeds(self, count: int) -> list[int]:
        """``count`` data seeds for a lesson that draws several datasets: the run's data
        seed, then steps of 1000 from it (so fresh seed pairs never share a draw)."""
        base = self.data_seed if self.data_seed is not None else self.settings.get("data_seed", 0)
        return [int(base) + DRAW_STEP * k for k in range(count)]

    def race(self, label: str = "", **overrides: Any) -> RaceRun:
        """Train the race of the settings (plus ``overrides``) to the end.

        ``label`` prefixes the progress text; a stop request raises :class:`LessonStopped`.
        """
        config = self.race_config(**overrides)
        try:
            task = self.tasks[config.task]
        except KeyError:
            raise KeyError(f"task {config.task!r} is not loaded") from None
        current = race(config, self.activations, task, should_stop=lambda: self.stopped)
        run = RaceRun(current.result)
        prefix = f"{label}: " if label else ""
        for event in current:
            if isinstance(event, Started):
                run.grid_axes = list(event.grid_axes)
                run.data = dict(event.data)
                self.devices_used.add(event.device)
            elif isinstance(event, (Progress, Evaluation)):
                self.progress(
                    event.step / config.steps, f"{prefix}step {event.step}/{config.steps}"
                )
        if run.stopped and self.stopped:
            raise LessonStopped()
        return run

    def deep_signal(self, name: str, params: Mapping[str, float] | None = None, **options: Any):
        """Per-layer statistics of a signal through a deep random MLP (LeCun-normal weights)."""
        from ..analysis.deep_signal import deep_signal

        self.check_stop()
        if self.model_seed is not None:
            options.setdefault("seed", int(self.model_seed))
        return deep_signal(self.activation(name), params, **options)

    def relative_cost(self, name: str, threads: int = 1, **options: Any) -> float:
        """Forward time per element relative to ReLU on a large tensor (this machine),
        on ``threads`` CPU threads (one by default: steadier on a busy machine)."""
        from ..analysis.properties import relative_cost

        self.check_stop()
        with _torch_threads(threads):
            return relative_cost(self.activation(name), **options)

    def toy_net_seconds(
        self, names: list[str], threads: int = 1, **options: Any
    ) -> dict[str, float]:
        """Best seconds of one forward+backward pass of a small MLP, per activation
        (interleaved, so machine load affects every activation alike)."""
        from .timing import toy_net_seconds

        self.check_stop()
        acts = {name: self.activation(name) for name in names}
        with _torch_threads(threads):
            seconds = toy_net_seconds(acts, should_stop=lambda: self.stopped, **options)
        self.check_stop()
        return seconds


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """Run the block on ``count`` intra-op threads, then restore the previous count."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, int(count)))
    try:
        yield
    finally:
        torch.set_num_threads(previous)

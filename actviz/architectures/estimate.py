"""Time and memory of a race before it runs: what the Playground shows next to Run.

Memory is cheap and shown at once. For an architecture it is :func:`.memory.estimate`
(one model's forward and backward measured on a few inputs, scaled to the batch); for
the engine's own MLP it is a documented model: parameters four times (value, gradient,
Adam's two moments) plus pre-activation, activation and gradient of every hidden unit
for each point of the largest pass (the batch or the evaluation of every point).

Time is a short measured probe of the race itself (:func:`probe_time`): the engine runs
the very race (every activation x seed, the same data, batch and device) for a few
steps; the wall time of set-up, of one evaluation and of a training step are read from
its events and scaled to the race's steps and evaluation count. It costs a few steps
and two or three evaluations, so it runs when asked, off the GUI thread.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .base import Architecture
from .memory import HEADROOM, estimate, free_bytes, gb, how_many_fit

#: Training steps the probe times after its first (warm-up) step.
PROBE_STEPS = 3


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes the race's models need against the free memory of the device."""

    models: int
    per_model: int
    free: int | None
    method: str

    @property
    def total(self) -> int:
        return self.models * self.per_model

    @property
    def fit(self) -> int | None:
        """How many models fit (``None`` when the free memory cannot be read)."""
        return None if self.free is None else how_many_fit(self.per_model, self.free)

    @property
    def fits(self) -> bool:
        return self.free is None or self.total <= HEADROOM * self.free

    def text(self) -> str:
        line = f"memory ≈ {gb(self.total)} for {self.models} models ({gb(self.per_model)} each"
        line += f", {self.method})"
        if self.free is not None:
            line += f"; {gb(self.free)} free, about {self.fit} fit"
        return line


@dataclass(frozen=True)
class TimeEstimate:
    """The probe's measurements and the race's time they predict."""

    setup_s: float
    step_s: float
    eval_s: float
    steps: int
    evaluations: int
    probe_s: float

    @property
    def seconds(self) -> float:
        return self.setup_s + self.steps * self.step_s + self.evaluations * self.eval_s

    def text(self) -> str:
        return (
            f"time ≈ {_duration(self.seconds)} ({self.steps:,} steps x "
            f"{self.step_s * 1e3:.1f} ms + {self.evaluations} evaluations x "
            f"{self.eval_s:.2f} s + set-up {self.setup_s:.1f} s; measured by a "
            f"{self.probe_s:.1f} s probe of this race)"
        )


def count_evaluations(config: Any) -> int:
    """How many times the race evaluates (step 0 and every evaluation step after it)."""
    steps = int(config.steps)
    if config.eval_every:
        every = max(1, int(config.eval_every))
        return 1 + steps // every + (1 if steps % every else 0)
    if steps <= 1_000_000:
        return 1 + sum(1 for s in range(1, steps + 1) if config.is_eval_step(s))
    return 1 + steps // config.eval_interval()


def memory_estimate(
    config: Any,
    architecture: Architecture | None,
    task: Any,
    activations: Mapping[str, Any],
    device: Any = None,
) -> MemoryEstimate | None:
    """Memory of the race ``config`` describes (``None`` when it cannot be estimated: no
    activation chosen, a bad seed list, a task the architecture does not take)."""
    import torch

    try:
        models = len(config.activations) * len(config.seed_list())
    except (TypeError, ValueError):
        return None
    raced = [activations[a] for a in config.activations if a in activations]
    if not raced or models == 0 or task is None:
        return None
    device = torch.device("cpu") if device is None else device
    free = free_bytes(device)
    batch = int(config.batch_size or config.points or task.default_points)
    if architecture is None or architecture.native:
        return MemoryEstimate(models, _mlp_bytes(config, task), free, "modelled")
    act = raced[0]
    if getattr(act, "parts", None):
        act = act.parts[0]
    try:
        per = estimate(architecture, config.arch_options, task, act, batch).per_model
    except (AssertionError, ValueError, RuntimeError, KeyError):
        return None  # the architecture's own check names what is wrong
    return MemoryEstimate(models, per, free, "measured on a probe batch")


def _mlp_bytes(config: Any, task: Any) -> int:
    widths = [int(task.input_dim) + len(config.features or ()), *config.hidden]
    widths.append(int(task.output_dim))
    params = sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=False))
    points = int(config.points or task.default_points)
    per_point = 3 * sum(widths[1:])  # pre-activation, activation, gradient
    return 4 * (4 * params + per_point * points)


def probe_time(
    config: Any,
    activations: Mapping[str, Any],
    task: Any,
    architecture: Architecture | None = None,
    should_stop: Callable[[], bool] | None = None,
    probe_steps: int = PROBE_STEPS,
) -> TimeEstimate | None:
    """Run the race for ``1 + probe_steps`` steps and predict its whole time.

    Events give: set-up (start to ``Started``), one evaluation (``Started`` to the
    step-0 evaluation), a warm-up step (the first optimiser step imports and allocates),
    then ``probe_steps`` timed steps and the closing evaluation. ``None`` when stopped.
    """
    from ..training.engine import race
    from ..training.events import Evaluation, Finished, Held, Started

    steps = 1 + max(1, int(probe_steps))
    probe = dataclasses.replace(config, steps=steps, eval_every=steps)
    stamps: dict[str, float] = {}
    t0 = time.perf_counter()
    current = race(probe, activations, task, should_stop=should_stop, architecture=architecture)
    current.hold_at(1)
    try:
        for event in current:
            now = time.perf_counter()
            if isinstance(event, Started):
                stamps["started"] = now
            elif isinstance(event, Evaluation):
                stamps.setdefault(f"eval{event.step}", now)
            elif isinstance(event, Held):
                stamps["held"] = now
            elif isinstance(event, Finished):
                break
            if should_stop is not None and should_stop():
                current.stop()
    finally:
        current.close()
    needed = ("started", "eval0", "held", f"eval{steps}")
    if any(k not in stamps for k in needed):
        return None
    eval_s = stamps["eval0"] - stamps["started"]
    timed = stamps[f"eval{steps}"] - stamps["held"]
    step_s = max(timed - eval_s, 0.5 * timed) / (steps - 1)
    return TimeEstimate(
        setup_s=stamps["started"] - t0,
        step_s=step_s,
        eval_s=eval_s,
        steps=int(config.steps),
        evaluations=count_evaluations(config),
        probe_s=time.perf_counter() - t0,
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"

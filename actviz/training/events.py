"""Progress events a race yields, in order: Started, then Progress / Evaluation /
Diverged / ActivationFailed / Held as they happen, then Finished.

Front ends pull events from the generator; pausing a race is not pulling. Events
carry plain Python numbers and numpy arrays (never live tensors; a snapshot holds
CPU copies), so they can be
handed to another thread or serialised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .results import RaceResult
    from .snapshots import Snapshot


@dataclass(frozen=True)
class RunInfo:
    """One member of the race: an activation trained from one seed."""

    index: int
    activation: str
    seed: int


@dataclass
class Started:
    """The race is set up. ``data`` holds the train/test points as numpy arrays, for plots."""

    config: dict[str, Any]
    task: str
    metric: str
    device: str
    strategy: str
    runs: list[RunInfo]
    data: dict[str, np.ndarray]
    domain: tuple[tuple[float, float], ...]
    grid_axes: list[np.ndarray] = field(default_factory=list)


@dataclass
class Progress:
    """A cheap heartbeat a few times a second: ``step`` of ``steps`` done.

    About once a second ``train_loss`` also carries each run's current training loss
    (``None`` for runs no longer training), so a recorder can keep a light row between
    evaluations and a killed process loses only the last second or two.
    """

    step: int
    steps: int
    seconds: float
    train_loss: list[float | None] | None = None


@dataclass
class Evaluation:
    """Diagnostics of every run after ``step`` optimiser steps.

    ``metrics[i]`` is run ``i``'s history row (the same dict that goes into
    ``RunRecord.history``), or ``None`` for a run that has diverged or failed.
    ``grids`` is ``[runs, res, res]`` for 2-D tasks (P(class 1), the predicted class
    for multi-class tasks, or the predicted value) or ``[runs, res]`` for 1-D tasks
    (the fitted curve over ``Started.grid_axes``); ``None`` when disabled.
    ``snapshot`` holds CPU copies of every network at this step when the race was asked
    for them (``race(..., snapshots=True)``), else ``None``.
    """

    step: int
    seconds: float
    metrics: list[dict[str, Any] | None]
    grids: np.ndarray | None = None
    snapshot: Snapshot | None = None


@dataclass
class Diverged:
    """A run produced NaN or inf at ``step``; it is frozen and the others go on."""

    run: int
    activation: str
    seed: int
    step: int


@dataclass
class ActivationFailed:
    """An activation raised during training; only its runs stop."""

    activation: str
    error: str
    traceback: str
    step: int
    runs: list[int]


@dataclass
class Held:
    """The race completed ``step`` (asked for by ``Race.hold_at``) and evaluated it: the
    Evaluation just before carries that step's grid and snapshot. The race goes on when
    the consumer pulls the next event."""

    step: int


@dataclass
class Finished:
    """The race ended (``result.status`` is ``"finished"`` or ``"stopped"``)."""

    result: RaceResult


Event = Started | Progress | Evaluation | Diverged | ActivationFailed | Held | Finished

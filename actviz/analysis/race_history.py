"""What the Playground draws, kept apart from the widgets: every run's history as it
arrives, aggregated per activation (mean and min-max band over seeds), smoothed.

Plain numpy, so the aggregation is tested without a screen and the Compare panel
uses the same code for stored runs. A live race also keeps a :class:`Timeline` of its
networks, so every view can show any recorded step (grids recomputed from the
snapshot at that step, exactly as the race computed them).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..training.events import ActivationFailed, Diverged, Evaluation, Started
from ..training.snapshot_grid import grid_points, snapshot_grid
from ..training.snapshots import Snapshot
from ..training.timeline import Timeline

#: Grids recomputed from snapshots kept for scrubbing back and forth (step, run).
GRID_CACHE = 512

SCALAR_KEYS = ("train_loss", "test_loss", "train_metric", "test_metric")


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: an exponential moving average, debiased at the start,
    that skips NaN (a gap stays a gap) so a missing value does not poison what follows."""
    values = np.asarray(values, dtype=float)
    if weight <= 0 or values.size == 0:
        return values.copy()
    out = np.full_like(values, np.nan)
    last, count = 0.0, 0
    for i, v in enumerate(values):
        if not math.isfinite(v):
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out[i] = last / (1 - weight**count)
    return out


@dataclass
class Band:
    """One activation's series: steps, mean over seeds and the min-max band."""

    steps: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass
class Member:
    """One run of the race (an activation x seed) and its history as columns."""

    activation: str
    seed: int
    status: str = "running"
    diverged_at: int | None = None
    error: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    grid: np.ndarray | None = None  # the latest finite decision grid / fitted curve
    _columns: dict[Any, list[float]] = field(default_factory=dict, repr=False)

    def column(self, key: str, layer: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)`` of a history key (``layer`` picks from list-valued keys).

        Rows only ever get appended, so each column converts only the rows that are new
        since it was last asked for (a live race asks many times a second)."""
        steps = self._extend("step", None)
        values = self._extend(key, layer)
        return np.asarray(steps, dtype=float), np.asarray(values, dtype=float)

    def _extend(self, key: str, layer: Any) -> list[float]:
        cache = self._columns.setdefault((key, layer), [])
        if len(cache) > len(self.rows):  # rows were replaced: start again
            cache.clear()
        for row in self.rows[len(cache) :]:
            cache.append(_pick(row, key, layer))
        return cache

    def latest(self, key: str, step: int | None = None) -> float | None:
        """The last finite value of ``key`` (at or before ``step`` when given)."""
        for row in reversed(self.rows):
            if step is not None and row.get("step", 0) > step:
                continue
            value = row.get(key)
            if isinstance(value, (int, float)) and math.isfinite(value):
                return float(value)
        return None


def _pick(row: Mapping[str, Any], key: str, layer: int | None) -> float:
    value = row.get(key)
    if layer is not None:
        if key == "params":
            name, idx = layer  # type: ignore[misc]
            value = (value or {}).get(name)
            value = value[idx] if value is not None and idx < len(value) else None
        else:
            value = value[layer] if value is not None and layer < len(value) else None
    if value is None:
        return math.nan
    return float(value)


class RaceHistory:
    """Everything received from one race (live) or read back from a stored run."""

    def __init__(self) -> None:
        self.members: list[Member] = []
        self.metric = "accuracy"
        self.task = ""
        self.config: dict[str, Any] = {}
        self.data: dict[str, np.ndarray] = {}
        self.domain: tuple[tuple[float, float], ...] = ()
        self.grid_axes: list[np.ndarray] = []
        self.step = 0
        self.seconds = 0.0
        self.timeline = Timeline()
        self._grids: dict[tuple[int, int], np.ndarray] = {}
        self._points = None

    # -- filling ----------------------------------------------------------------------

    def start(self, event: Started) -> None:
        self.__init__()
        self.metric = event.metric
        self.task = event.task
        self.config = dict(event.config)
        self.data = dict(event.data)
        self.domain = tuple(event.domain)
        self.grid_axes = list(event.grid_axes)
        self.members = [Member(r.activation, r.seed) for r in event.runs]

    def add(self, event: object) -> bool:
        """Take one engine event; ``True`` when it changed what the plots show."""
        if isinstance(event, Evaluation):
            self.step, self.seconds = event.step, event.seconds
            if event.snapshot is not None:
                self.timeline.add(event.snapshot)
            for member, row in zip(self.members, event.metrics, strict=False):
                if row is not None:
                    member.rows.append(row)
            if event.grids is not None:
                for member, grid in zip(self.members, event.grids, strict=False):
                    if np.isfinite(grid).any():
                        member.grid = grid
            return True
        if isinstance(event, Diverged):
            member = self.members[event.run]
            member.status, member.diverged_at = "diverged", event.step
            return True
        if isinstance(event, ActivationFailed):
            for r in event.runs:
                self.members[r].status = "failed"
                self.members[r].error = event.error
            return True
        return False

    def finish(self, result: Any) -> None:
        """Take the final statuses (``finished``/``stopped``) from the race result."""
        if result is None:
            return
        for member, record in zip(self.members, result.runs, strict=False):
            member.status = record.status
        self.step = result.steps_done
        self.seconds = result.train_seconds

    @classmethod
    def from_stored(cls, run: Mapping[str, Any]) -> RaceHistory:
        """A history from ``RunStore.load_run`` output."""
        history = cls()
        history.metric = run.get("metric", "accuracy")
        history.task = run.get("task", "")
        history.config = dict(run.get("config", {}))
        history.step = int(run.get("steps_done", 0))
        history.seconds = float(run.get("train_seconds", 0.0))
        for m in run.get("runs", []):
            member = Member(m["activation"], int(m["seed"]), m.get("status", "finished"))
            member.diverged_at = m.get("diverged_at")
            member.error = m.get("error")
            member.rows = list(m.get("history", []))
            if m.get("final_grid") is not None:
                member.grid = np.asarray(m["final_grid"], dtype=float)
            history.members.append(member)
        return history

    # -- reading ----------------------------------------------------------------------

    def activations(self) -> list[str]:
        return list(dict.fromkeys(m.activation for m in self.members))

    def of(self, activation: str) -> list[Member]:
        return [m for m in self.members if m.activation == activation]

    def band(
        self, activation: str, key: str, smoothing: float = 0.0, layer: Any = None
    ) -> Band | None:
        """Mean and min-max over the seeds of ``activation`` at each evaluated step
        (each seed smoothed first); ``None`` when nothing is recorded yet."""
        series = [m.column(key, layer) for m in self.of(activation) if m.rows]
        if not series:
            return None
        steps = np.unique(np.concatenate([s for s, _ in series]))
        table = np.full((len(series), len(steps)), np.nan)
        for i, (s, v) in enumerate(series):
            table[i, np.searchsorted(steps, s)] = ema(v, smoothing)
        if not np.isfinite(table).any():
            return None
        with warnings.catch_warnings():  # all-NaN columns (every seed diverged) stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(table, axis=0)
            low = np.nanmin(table, axis=0)
            high = np.nanmax(table, axis=0)
        return Band(steps, mean, low, high)

    def layers(self, key: str) -> int:
        """How many layers a list-valued key has (0 when never recorded)."""
        for m in self.members:
            for row in m.rows:
                value = row.get(key)
                if value:
                    return len(value)
        return 0

    def learnable(self) -> dict[str, list[str]]:
        """Learnable parameter names per activation (from the recorded rows)."""
        out: dict[str, list[str]] = {}
        for m in self.members:
            for row in m.rows[-1:]:
                for name in row.get("params") or {}:
                    names = out.setdefault(m.activation, [])
                    if name not in names:
                        names.append(name)
        return out

    def median_member(self, activation: str, step: int | None = None) -> Member | None:
        """The seed whose latest test metric is the median of the live seeds (with a
        grid), so one picture stands for the activation honestly. With ``step``: the
        median at that step, among the seeds still healthy then."""
        if step is None:
            live = [m for m in self.of(activation) if m.grid is not None]
        else:
            live = [m for m in self.of(activation) if m.latest("train_loss", step) is not None]
        if not live:
            return None
        healthy = [m for m in live if not _bad_at(m, step)] or live
        key = (
            "test_metric"
            if any(m.latest("test_metric", step) is not None for m in healthy)
            else ("train_metric")
        )
        ranked = sorted(healthy, key=lambda m: (m.latest(key, step) or -math.inf, -m.seed))
        return ranked[(len(ranked) - 1) // 2]

    def run_of(self, member: Member) -> int:
        """The run index of ``member`` (its place in the race)."""
        return next(i for i, m in enumerate(self.members) if m is member)

    def snapshot_at(self, step: int | None = None) -> Snapshot | None:
        """The kept snapshot at ``step`` (the latest one before it), else the newest."""
        return self.timeline.latest() if step is None else self.timeline.at(step)

    def grid_at(self, run: int, step: int, loss: str) -> np.ndarray | None:
        """Run ``run``'s decision grid / fitted curve at the kept step at or before
        ``step``, recomputed from that snapshot (``None`` without a snapshot or grid)."""
        snapshot = self.timeline.at(step)
        if snapshot is None or not self.grid_axes:
            return None
        key = (snapshot.step, run)
        grid = self._grids.get(key)
        if grid is None:
            if self._points is None:
                self._points = grid_points(self.grid_axes)
            features = self.config.get("features", []) or []
            grid = snapshot_grid(snapshot, run, self.grid_axes, loss, features, self._points)
            if len(self._grids) >= GRID_CACHE:
                self._grids.pop(next(iter(self._grids)))
            self._grids[key] = grid
        return grid

    def status_of(self, activation: str, step: int | None = None) -> str:
        """``diverged 2/3``-style summary, or the common status."""
        members = self.of(activation)
        bad = [m for m in members if _bad_at(m, step)]
        if bad:
            kind = "failed" if any(m.status == "failed" for m in bad) else "diverged"
            return f"{kind} {len(bad)}/{len(members)}"
        return members[0].status if members else ""

    def as_run(self) -> dict[str, Any]:
        """The shape of ``RunStore.load_run`` (what :func:`bundle.summarise` reads)."""
        metric = self.metric
        runs = []
        for m in self.members:
            bad = m.status in ("diverged", "failed")
            values = [r.get("test_metric") for r in m.rows]
            finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
            runs.append(
                {
                    "activation": m.activation,
                    "seed": m.seed,
                    "status": m.status,
                    f"test_{metric}": None if bad else m.latest("test_metric"),
                    f"best_test_{metric}": max(finite) if finite else None,
                    "history": m.rows,
                }
            )
        return {
            "metric": metric,
            "task": self.task,
            "config": self.config,
            "train_seconds": self.seconds,
            "runs": runs,
        }


def _bad_at(member: Member, step: int | None) -> bool:
    """Whether ``member`` had diverged or failed (by ``step``, when given)."""
    if member.status not in ("diverged", "failed"):
        return False
    if step is None or member.status == "failed":
        return True
    return member.diverged_at is None or member.diverged_at <= step


def union_columns(series: Sequence[tuple[str, np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    """CSV columns for curves sampled at different x: the union of x values, then one
    column per curve with NaN where a curve has no sample."""
    xs = [np.asarray(x, dtype=float) for _, x, _ in series if len(x)]
    if not xs:
        return {}
    union = np.unique(np.concatenate(xs))
    out: dict[str, np.ndarray] = {"step": union}
    for name, x, y in series:
        col = np.full(len(union), np.nan)
        if len(x):
            col[np.searchsorted(union, np.asarray(x, dtype=float))] = y
        out[name] = col
    return out

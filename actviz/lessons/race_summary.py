"""Numbers a lesson reads off a race: final metrics, gradient norms, dead units, curves.

Every number is a mean over seeds unless its name says otherwise (``peak_*`` is the
largest value over seeds and evaluations). Diverged runs are counted, not averaged.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..training.results import RaceResult, RunRecord
from .measurements import Curve, Measurements, Plot, mean


@dataclass
class RaceRun:
    """A finished (or stopped) race with what the engine showed at its start."""

    result: RaceResult
    grid_axes: list[np.ndarray] = field(default_factory=list)
    data: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def stopped(self) -> bool:
        return self.result.status == "stopped"

    def runs(self, activation: str) -> list[RunRecord]:
        return [r for r in self.result.runs if r.activation == activation]

    def activations(self) -> list[str]:
        return list(self.result.by_activation())

    def history(self, activation: str, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, mean over seeds)`` of a history column; NaN where no seed has a value."""
        rows: dict[int, list[float]] = {}
        for run in self.runs(activation):
            for row in run.history:
                value = row.get(key)
                if isinstance(value, list):
                    value = _mean_list(value)
                bucket = rows.setdefault(int(row["step"]), [])
                if _finite(value):
                    bucket.append(float(value))
        steps = np.array(sorted(rows), dtype=float)
        values = np.array([np.mean(rows[int(s)]) if rows[int(s)] else np.nan for s in steps])
        return steps, values

    def fitted(self, activation: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The final fitted curve of a 1-D task (mean over seeds that finished), or ``None``."""
        grids = [np.asarray(r.final_grid, float) for r in self.runs(activation) if r.final_grid]
        if not grids or len(self.grid_axes) != 1:
            return None
        return np.asarray(self.grid_axes[0], float), np.mean(grids, axis=0)

    def summary(self) -> Measurements:
        """Per-activation numbers and the mean training-loss curves."""
        values = {act: summarise_runs(self.runs(act)) for act in self.activations()}
        curves = []
        for act in self.activations():
            steps, loss = self.history(act, "train_loss")
            curves.append(Curve(act, steps.tolist(), _nan_to_none(loss)))
        plot = Plot("Training loss (mean over seeds)", "step", "train loss", curves, log_y=True)
        return Measurements(values=values, plot=plot, raw={"race": self})


def summarise_runs(runs: list[RunRecord]) -> dict[str, Any]:
    """The numbers of one activation's runs (one per seed)."""
    alive = [r for r in runs if r.status not in ("diverged", "failed")]
    first_grads = [_first_grads(r) for r in runs]
    first_grads = [g for g in first_grads if g is not None]
    totals = [_total(row["grad_norms"]) for r in runs for row in r.history if row["grad_norms"]]
    losses = [row["train_loss"] for r in runs for row in r.history]
    dead_final = [_mean_list(r.history[-1]["dead_fraction"]) for r in alive if r.history]
    dead_any = [_mean_list(row["dead_fraction"]) for r in runs for row in r.history]
    return {
        "runs": len(runs),
        "diverged": sum(r.status == "diverged" for r in runs),
        "failed": sum(r.status == "failed" for r in runs),
        "final_metric": mean(r.final_metric for r in alive),
        "final_train_metric": mean(_last(r, "train_metric") for r in alive),
        "final_loss": mean(r.final_loss for r in alive),
        "final_test_loss": mean(_last(r, "test_loss") for r in alive),
        "best_metric": mean(r.best_metric for r in alive),
        "mean_loss": mean(_mean_list([row["train_loss"] for row in r.history]) for r in alive),
        "first_grad_norms": _layer_mean(first_grads),
        "peak_layer_grad_norms": _layer_peak(runs),
        "peak_grad_norm": max((t for t in totals if _finite(t)), default=None),
        "median_grad_norm": float(np.median(totals)) if totals else None,
        "peak_loss": max((v for v in losses if _finite(v)), default=None),
        "dead_fraction": mean(dead_final),
        "peak_dead_fraction": max((v for v in dead_any if _finite(v)), default=None),
    }


def _first_grads(run: RunRecord) -> list[float] | None:
    for row in run.history:
        if row.get("grad_norms"):
            return [float(v) if v is not None else math.nan for v in row["grad_norms"]]
    return None


def _layer_mean(per_seed: list[list[float]]) -> list[float | None] | None:
    if not per_seed:
        return None
    table = np.array(per_seed, dtype=float)
    with warnings.catch_warnings():  # a layer with no finite value is reported as None
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(table, axis=0)
    return [None if np.isnan(v) else float(v) for v in means]


def _layer_peak(runs: list[RunRecord]) -> list[float | None] | None:
    """Largest gradient norm of each layer over seeds and evaluations."""
    rows = [row["grad_norms"] for r in runs for row in r.history if row.get("grad_norms")]
    if not rows:
        return None
    table = np.array([[math.nan if v is None else v for v in row] for row in rows], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        peaks = np.nanmax(np.where(np.isfinite(table), table, np.nan), axis=0)
    return [None if np.isnan(v) else float(v) for v in peaks]


def _last(run: RunRecord, key: str) -> float | None:
    return run.history[-1].get(key) if run.history else None


def _total(norms: list[float | None]) -> float:
    if any(v is None for v in norms):
        return math.nan
    return math.sqrt(sum(float(v) ** 2 for v in norms))


def _mean_list(values: Any) -> float | None:
    if not values:
        return None
    return mean(values)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _nan_to_none(values: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in values]

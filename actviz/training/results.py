"""What a race leaves behind: one record per run (activation x seed) and the race summary.

``to_dict`` output is the JSON of ``actviz train --json`` and what the run store
loads back, so a stored run and a fresh one look the same to every front end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunRecord:
    """One activation trained from one seed.

    ``history`` rows have ``step``, ``seconds``, ``train_loss``, ``test_loss``,
    ``train_metric``, ``test_metric``, ``grad_norms`` (one per layer, output layer last;
    ``None`` before the first step), ``dead_fraction``, ``act_mean``, ``act_std`` (one
    per hidden layer) and ``params`` (learnable activation parameters, one value per
    hidden layer). ``status`` is ``running``, ``finished``, ``stopped``, ``diverged``
    or ``failed``.
    """

    index: int
    activation: str
    seed: int
    metric: str
    status: str = "running"
    diverged_at: int | None = None
    error: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    final_grid: list | None = None

    @property
    def final_metric(self) -> float | None:
        """The test metric at the last evaluation; ``None`` when the run diverged or failed."""
        if self.status in ("diverged", "failed") or not self.history:
            return None
        return self.history[-1]["test_metric"]

    @property
    def final_loss(self) -> float | None:
        """The training loss at the last evaluation; ``None`` when diverged or failed."""
        if self.status in ("diverged", "failed") or not self.history:
            return None
        return self.history[-1]["train_loss"]

    @property
    def best_metric(self) -> float | None:
        """The best test metric seen at any evaluation."""
        values = [h["test_metric"] for h in self.history if _is_number(h.get("test_metric"))]
        return max(values) if values else None

    def to_dict(self, include_grid: bool = False) -> dict[str, Any]:
        data = {
            "activation": self.activation,
            "seed": self.seed,
            f"test_{self.metric}": self.final_metric,
            f"best_test_{self.metric}": self.best_metric,
            "final_loss": self.final_loss,
            "diverged_at": self.diverged_at,
            "status": self.status,
            "error": self.error,
            "history": self.history,
        }
        if include_grid and self.final_grid is not None:
            data["final_grid"] = self.final_grid
        return data

    @classmethod
    def from_dict(cls, index: int, data: Mapping[str, Any], metric: str) -> RunRecord:
        return cls(
            index=index,
            activation=data["activation"],
            seed=int(data["seed"]),
            metric=metric,
            status=data.get("status", "finished"),
            diverged_at=data.get("diverged_at"),
            error=data.get("error"),
            history=list(data.get("history", [])),
            final_grid=data.get("final_grid"),
        )


@dataclass
class RaceResult:
    """Everything a race computed. ``train_seconds`` excludes start-up, data generation
    and time spent paused (the consumer not pulling events). ``status`` is ``running``,
    ``finished``, ``stopped`` (by the user) or ``failed`` (an error outside any plugin)."""

    config: dict[str, Any]
    task: str
    metric: str
    device: str
    strategy: str
    runs: list[RunRecord]
    status: str = "running"
    train_seconds: float = 0.0
    steps_done: int = 0

    def to_dict(self, include_grids: bool = False) -> dict[str, Any]:
        return {
            "config": self.config,
            "task": self.task,
            "metric": self.metric,
            "device": self.device,
            "strategy": self.strategy,
            "status": self.status,
            "steps_done": self.steps_done,
            "train_seconds": self.train_seconds,
            "runs": [r.to_dict(include_grid=include_grids) for r in self.runs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RaceResult:
        metric = data.get("metric", "accuracy")
        return cls(
            config=dict(data.get("config", {})),
            task=data.get("task", data.get("config", {}).get("task", "")),
            metric=metric,
            device=data.get("device", ""),
            strategy=data.get("strategy", ""),
            runs=[RunRecord.from_dict(i, r, metric) for i, r in enumerate(data.get("runs", []))],
            status=data.get("status", "finished"),
            train_seconds=float(data.get("train_seconds", 0.0)),
            steps_done=int(data.get("steps_done", 0)),
        )

    def by_activation(self) -> dict[str, list[RunRecord]]:
        """Runs grouped by activation, in race order."""
        groups: dict[str, list[RunRecord]] = {}
        for run in self.runs:
            groups.setdefault(run.activation, []).append(run)
        return groups

    def mean_final_metric(self, activation: str) -> float | None:
        """Mean final test metric over seeds; diverged or failed runs count as missing."""
        values = [
            r.final_metric
            for r in self.runs
            if r.activation == activation and _is_number(r.final_metric)
        ]
        return sum(values) / len(values) if values else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)

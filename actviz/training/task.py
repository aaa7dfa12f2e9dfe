"""Toy tasks for the race: a data generator plus the loss, metric and output layer it needs.

Tasks are plugins (hook ``actviz_tasks``), so a task is plain data and one callable:
``sample(n_points, noise, generator) -> (x, y)``. :meth:`Task.generate` adds the
deterministic seeding and the train/test split, so every task splits the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

KINDS = ("classification", "regression", "signal")
LOSSES = ("bce", "ce", "mse")
METRICS = ("accuracy", "r2")

Sampler = Callable[[int, float, torch.Generator], tuple[torch.Tensor, torch.Tensor]]


@dataclass
class TaskData:
    """One generated dataset. Shapes: ``x`` is ``[n, input_dim]`` float32; ``y`` is
    ``[n, 1]`` float (bce), ``[n]`` int64 class indices (ce) or ``[n, output_dim]`` (mse).

    ``domain`` is the box, one ``(low, high)`` per input, used for decision-boundary
    grids and fitted curves; ``extras`` holds task-specific things (an image's shape).
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    domain: tuple[tuple[float, float], ...]
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.x_test.shape[0])


@dataclass
class Task:
    """A toy dataset with the loss, metric and output layer a network needs to learn it.

    :param sample: ``(n_points, noise, generator) -> (x, y)``; draw every random number
        from ``generator`` so that a seed fixes the data.
    :param loss: ``"bce"`` (one logit, sigmoid), ``"ce"`` (``output_dim`` logits,
        softmax) or ``"mse"`` (linear outputs).
    :param metric: ``"accuracy"`` for classification, ``"r2"`` for regression.
    :param domain: the plotting box; ``None`` takes the data's bounding box plus a margin.
    :param noise_help: what ``noise`` means for this task, shown next to the field.
    :param standardise: scale inputs (and regression targets) to mean 0, variance 1 with
        the training split's statistics, as real data needs.
    """

    name: str
    sample: Sampler
    description: str = ""
    kind: str = "classification"
    input_dim: int = 2
    output_dim: int = 1
    loss: str = "bce"
    metric: str = "accuracy"
    default_points: int = 200
    default_noise: float = 0.1
    test_fraction: float = 0.3
    domain: tuple[tuple[float, float], ...] | None = None
    noise_help: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    standardise: bool = False

    def __post_init__(self) -> None:
        # A CSV task is named by its file (csv:PATH), whose case matters.
        if not self.name or (self.name != self.name.lower() and not self.name.startswith("csv:")):
            raise ValueError(f"task name {self.name!r} must be non-empty and lower-case")
        if not callable(self.sample):
            raise TypeError(f"task {self.name!r}: sample is not callable")
        if self.kind not in KINDS:
            raise ValueError(f"task {self.name!r}: kind must be one of {KINDS}")
        if self.loss not in LOSSES:
            raise ValueError(f"task {self.name!r}: loss must be one of {LOSSES}")
        if self.metric not in METRICS:
            raise ValueError(f"task {self.name!r}: metric must be one of {METRICS}")
        if self.loss == "ce" and self.output_dim < 2:
            raise ValueError(f"task {self.name!r}: cross-entropy needs output_dim >= 2")
        if self.loss == "bce" and self.output_dim != 1:
            raise ValueError(f"task {self.name!r}: binary cross-entropy needs output_dim 1")

    @property
    def classes(self) -> int:
        """Number of classes (2 for a binary task, 0 for regression)."""
        if self.loss == "ce":
            return self.output_dim
        return 2 if self.loss == "bce" else 0

    def generate(
        self,
        n_points: int | None = None,
        noise: float | None = None,
        seed: int = 0,
        test_fraction: float | None = None,
    ) -> TaskData:
        """Draw the dataset for ``seed`` and split it; the same arguments give the same data."""
        n = int(self.default_points if n_points is None else n_points)
        sigma = float(self.default_noise if noise is None else noise)
        fraction = float(self.test_fraction if test_fraction is None else test_fraction)
        if n < 2:
            raise ValueError(f"task {self.name!r}: need at least 2 points, got {n}")
        if not 0.0 <= fraction < 1.0:
            raise ValueError(f"test fraction must be in [0, 1), got {fraction}")
        gen = torch.Generator().manual_seed(int(seed))
        x, y = self.sample(n, sigma, gen)
        x, y = self._normalise(x, y)
        n = int(x.shape[0])
        perm = torch.randperm(n, generator=gen)
        n_test = min(n - 1, max(1, round(n * fraction))) if fraction > 0 else 0
        test, train = perm[:n_test], perm[n_test:]
        if self.standardise:
            x = _standardised(x, x[train])
            if self.loss == "mse":
                y = _standardised(y, y[train])
        domain = self.domain or _bounding_box(x)
        extras = dict(self.extras)
        return TaskData(x[train], y[train], x[test], y[test], tuple(domain), extras)

    def _normalise(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.as_tensor(x, dtype=torch.float32)
        if x.ndim == 1:
            x = x[:, None]
        if x.shape[1] != self.input_dim:
            raise ValueError(
                f"task {self.name!r}: sample gave inputs of width {x.shape[1]}, "
                f"expected {self.input_dim}"
            )
        if self.loss == "ce":
            y = torch.as_tensor(y).reshape(-1).long()
        else:
            y = torch.as_tensor(y, dtype=torch.float32).reshape(x.shape[0], -1)
            if y.shape[1] != self.output_dim:
                raise ValueError(
                    f"task {self.name!r}: sample gave targets of width {y.shape[1]}, "
                    f"expected {self.output_dim}"
                )
        if y.shape[0] != x.shape[0]:
            raise ValueError(f"task {self.name!r}: {x.shape[0]} inputs but {y.shape[0]} targets")
        return x.contiguous(), y.contiguous()

    def metadata(self) -> dict[str, Any]:
        """JSON-friendly description (no callables)."""
        return {
            "name": self.name,
            "description": self.description,
            "kind": self.kind,
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "loss": self.loss,
            "metric": self.metric,
            "default_points": self.default_points,
            "default_noise": self.default_noise,
            "test_fraction": self.test_fraction,
            "noise_help": self.noise_help,
        }


def _standardised(values: torch.Tensor, train: torch.Tensor) -> torch.Tensor:
    """``values`` scaled by the training rows' mean and spread (a constant column stays 0)."""
    mean = train.mean(dim=0)
    std = train.std(dim=0, unbiased=False) if train.shape[0] > 1 else torch.ones_like(mean)
    return (values - mean) / torch.where(std > 0, std, torch.ones_like(std))


def _bounding_box(x: torch.Tensor, margin: float = 0.1) -> list[tuple[float, float]]:
    low = x.min(dim=0).values
    high = x.max(dim=0).values
    pad = (high - low).clamp_min(1e-6) * margin
    return [(float(lo), float(hi)) for lo, hi in zip(low - pad, high + pad, strict=False)]

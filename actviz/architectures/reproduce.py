"""MNIST-1D's published table (Greydanus 2020), trained again by actviz's race.

Each row is an architecture at the published size; each runs on ``mnist1d`` and its
spatially shuffled control with Adam (lr 1e-2), batch 100, 6,000 steps, and reports the
final test accuracy's mean over seeds with a 95% t-interval, beside the published figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..training.config import RaceConfig
from ..training.engine import run_race


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    arch: str
    options: Mapping[str, Any] = field(default_factory=dict)
    hidden: tuple[int, ...] = (8, 8)
    published: float | None = None
    published_shuffled: float | None = None


#: The README table of github.com/greydanus/mnist1d (ReLU, Adam lr 1e-2, batch 100).
ROWS = (
    Row("logistic", "logistic regression", "linear", {}, (8, 8), 32.0, 32.0),
    Row(
        "mlp",
        "MLP 40-100-100-10, residual 2nd layer",
        "resmlp",
        {"depth": 1, "width": 100},
        (8, 8),
        68.0,
        68.0,
    ),  # fmt: skip
    Row("mlp_plain", "MLP 40-100-100-10, plain", "mlp", {}, (100, 100), None, None),
    Row("cnn", "CNN 3x25 ch, kernels 5,3,3, stride 2", "cnn1d", {}, (8, 8), 94.0, 56.0),
    Row("gru", "GRU, bidirectional, hidden 6", "gru", {}, (8, 8), 91.0, 57.0),
)
TASKS = ("mnist1d", "mnist1d_shuffled")
STEPS, BATCH, LR = 6000, 100, 1e-2


@dataclass
class Cell:
    """One row on one task: the final test accuracy (%) of each run."""

    row: str
    task: str
    activation: str
    steps: int
    accuracies: list[float]
    seconds: float

    @property
    def mean(self) -> float:
        return sum(self.accuracies) / len(self.accuracies)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Student-t interval of the mean over seeds (a point when there is one seed)."""
        n = len(self.accuracies)
        if n < 2:
            return self.mean, self.mean
        from scipy import stats

        sd = math.sqrt(sum((a - self.mean) ** 2 for a in self.accuracies) / (n - 1))
        half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
        return self.mean - half, self.mean + half


def config_for(
    row: Row, task: str, activations: Sequence[str], seeds: int, steps: int, data_seed: int = 0
) -> RaceConfig:
    return RaceConfig(
        task=task,
        activations=list(activations),
        seeds=seeds,
        steps=steps,
        hidden=row.hidden,
        optimizer="adam",
        lr=LR,
        batch_size=BATCH,
        eval_every=max(1, steps // 4),
        data_seed=data_seed,
        boundary_grid=0,
        arch=row.arch,
        arch_options=dict(row.options),
    )


def run_cell(
    catalogue: Any,
    row: Row,
    task: str,
    activations: Sequence[str],
    seeds: int,
    steps: int,
    device: str = "auto",
) -> list[Cell]:
    """One race of ``activations`` x ``seeds``; a :class:`Cell` per activation."""
    config = config_for(row, task, activations, seeds, steps)
    config.device = device
    architecture = catalogue.architectures.get(row.arch)
    result = run_race(
        config, catalogue.activations, catalogue.tasks[task], architecture=architecture
    )
    cells = []
    for act in activations:
        runs = [r for r in result.runs if r.activation == act]
        accs = [100.0 * (r.history[-1].get("test_metric") or 0.0) for r in runs if r.history]
        cells.append(Cell(row.key, task, act, steps, accs, result.train_seconds))
    return cells


def run_table(
    catalogue: Any,
    rows: Sequence[Row],
    tasks: Sequence[str] = TASKS,
    activations: Sequence[str] = ("relu",),
    seeds: int = 3,
    steps: Mapping[str, int] | None = None,
    device: str = "auto",
    on_cell: Callable[[Cell], None] | None = None,
) -> list[Cell]:
    """Every row on every task; ``steps`` per row key (default 6,000)."""
    cells: list[Cell] = []
    for row in rows:
        for task in tasks:
            n = int((steps or {}).get(row.key, STEPS))
            for cell in run_cell(catalogue, row, task, activations, seeds, n, device):
                cells.append(cell)
                if on_cell is not None:
                    on_cell(cell)
    return cells


def _fmt(cell: Cell | None) -> str:
    if cell is None or not cell.accuracies:
        return "-"
    low, high = cell.interval()
    return f"{cell.mean:.1f} [{low:.1f}, {high:.1f}]"


def published_table(cells: Sequence[Cell], rows: Sequence[Row] = ROWS) -> str:
    """Markdown: each row's published figures beside actviz's mean [95% CI] (relu)."""
    by = {(c.row, c.task): c for c in cells if c.activation == cells[0].activation}
    lines = [
        "| model | steps | published | actviz, mean [95% CI] | published, shuffled "
        "| actviz, shuffled |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        a, b = by.get((row.key, "mnist1d")), by.get((row.key, "mnist1d_shuffled"))
        if a is None and b is None:
            continue
        steps = (a or b).steps
        pub = "-" if row.published is None else f"{row.published:.0f}"
        pub_s = "-" if row.published_shuffled is None else f"{row.published_shuffled:.0f}"
        lines.append(f"| {row.label} | {steps} | {pub} | {_fmt(a)} | {pub_s} | {_fmt(b)} |")
    return "\n".join(lines)


def activation_table(cells: Sequence[Cell], task: str = "mnist1d") -> str:
    """Markdown: per architecture (rows) and activation (columns), mean [95% CI]."""
    acts = list(dict.fromkeys(c.activation for c in cells))
    rows = list(dict.fromkeys(c.row for c in cells))
    by = {(c.row, c.activation): c for c in cells if c.task == task}
    lines = ["| model | " + " | ".join(acts) + " |", "|---" * (len(acts) + 1) + "|"]
    for r in rows:
        lines.append(f"| {r} | " + " | ".join(_fmt(by.get((r, a))) for a in acts) + " |")
    return "\n".join(lines)

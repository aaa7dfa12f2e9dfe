"""The data a race feeds its stacked models: one shared draw, or one draw per seed.

With one shared draw the inputs are ``[inputs, points]`` and every model sees them.
When the data varies per replicate (:mod:`.replicates`) the draws are stacked into
``[seeds, inputs, points]`` and each stack picks its models' rows (:func:`fed`), so a
model of activation A at seed s and one of B at seed s see the same draw: still paired.
"""

from __future__ import annotations

from typing import Any

import torch

from .features import network_inputs
from .metrics import targets_for
from .replicates import data_varies, race_data_seed
from .task import Task, TaskData


class ReplicateData:
    """Training and test tensors of a race on ``device``; ``shown`` is the draw a front end
    draws (the first seed's when every seed has its own)."""

    def __init__(self, task: Task, config: Any, extra: list[str], device: torch.device) -> None:
        self.seeds = config.seed_list()
        self.per_seed = data_varies(config.vary)
        draw_seeds = (
            [race_data_seed(config, s) for s in self.seeds] if self.per_seed else [config.data_seed]
        )
        made: dict[int, TaskData] = {}  # a nested race's seeds share their group's draw
        for d in draw_seeds:
            if d not in made:
                made[d] = task.generate(config.points, config.noise, d, config.test_fraction)
        draws = [made[d] for d in draw_seeds]
        self.shown: TaskData = draws[0]
        #: each seed's own draw (one shared draw when only the initial weights vary)
        self.draws = dict(zip(self.seeds, draws, strict=False)) if self.per_seed else {}
        self.data_seeds = draw_seeds
        sizes = {(d.n_train, d.n_test) for d in draws}
        if len(sizes) > 1:
            raise ValueError(
                f"task {task.name!r} gives data sets of different sizes for different seeds; "
                "race it with vary='init' (one shared draw)"
            )

        def stacked(tensors: list[torch.Tensor]) -> torch.Tensor:
            joined = torch.stack(tensors) if self.per_seed else tensors[0]
            return joined.to(device)

        def inputs(x: torch.Tensor) -> torch.Tensor:
            return network_inputs(x.t().contiguous(), extra)

        self.x_train = stacked([inputs(d.x_train) for d in draws])
        self.y_train = stacked([targets_for(task.loss, d.y_train) for d in draws])
        self.x_test = stacked([inputs(d.x_test) for d in draws])
        self.y_test = stacked([targets_for(task.loss, d.y_test) for d in draws])
        self.device = device

    def rows(self, stack: Any, runs: list[Any]) -> torch.Tensor | int | None:
        """Each of ``stack``'s models' row in the per-seed tensors (``None``: shared); one
        ``int`` when every model of the stack sees the same draw (a stack per seed)."""
        if not self.per_seed:
            return None
        row_of = {s: i for i, s in enumerate(self.seeds)}
        rows = [row_of[runs[r].seed] for r in stack.run_ids]
        if len(set(rows)) == 1:
            return rows[0]
        return torch.tensor(rows, dtype=torch.long, device=self.device)

    def with_points(self, x: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
        """``x`` followed by ``points`` (``[inputs, n]``, e.g. a decision grid) on the last
        axis; per-seed inputs get the same points in every row."""
        if x.ndim == 2:
            return torch.cat([x, points], dim=1)
        return torch.cat([x, points.unsqueeze(0).expand(x.shape[0], -1, -1)], dim=-1)


def fed(tensor: torch.Tensor, rows: torch.Tensor | int | None) -> torch.Tensor:
    """The rows of per-seed ``tensor`` a stack's models see; shared data as it is, and
    one seed's draw (without the seeds axis) when the whole stack sees it."""
    if rows is None:
        return tensor
    if isinstance(rows, int):
        return tensor[rows]
    return tensor.index_select(0, rows)

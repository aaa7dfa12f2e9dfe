"""Every activation x seed of a race as one batched network of any architecture.

:class:`ArchStack` is what the race engine trains when the architecture is not its own
MLP: it answers the engine the way :class:`~actviz.training.model.ModelStack` does
(``forward``, ``tensors``/``replace`` for the flat parameter pack, ``freeze``,
``grad_norms``), and runs the architecture's ``forward`` with all models' parameters
stacked on a leading models axis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import torch

from ..training.model import ModelStack, Segment
from .base import Architecture, Shape
from .sites import Sites

#: Inputs per chunk when evaluating without gradients (bounds the evaluation's memory).
#: Measured on 32 models x 5,000 MNIST-1D signals, one CPU thread: 256 ran a transformer's
#: evaluation about 2x and a CNN's 1.6x faster than 1,024 (the chunk stays in cache).
EVAL_CHUNK = 256
#: ``record_points`` of a model rebuilt from a snapshot (the inside view wants them all).
RECORD_ALL = 1 << 30


class ArchStack(ModelStack):
    """Models of one architecture sharing every shape; parameters ``[models, ...]``.

    :param groups: per group (one per activation site, then the readout), the
        parameters by name, each with a leading models axis.
    """

    def __init__(
        self,
        architecture: Architecture,
        options: Mapping[str, Any],
        shape: Shape,
        segments: Sequence[Segment],
        groups: list[dict[str, torch.Tensor]],
        record_points: int = 256,
    ) -> None:
        self.architecture = architecture
        self.options = dict(options)
        self.shape = tuple(shape)
        self.groups = groups
        self.record_points = record_points
        first = next(t for g in groups for t in g.values())
        self.segments = list(segments)
        self.size = int(first.shape[0])
        self.run_ids = [r for seg in self.segments for r in seg.run_ids]
        self._split = [seg.size for seg in self.segments]
        device = first.device
        self.live = torch.ones(self.size, device=device, dtype=torch.float32)
        self.ok = torch.ones(self.size, dtype=torch.bool, device=device)
        self.finite_steps = torch.zeros(self.size, dtype=torch.long, device=device)
        self.frozen: set[int] = set()
        self.all_live = True

    # what the engine and the weight penalties read
    @property
    def n_hidden(self) -> int:
        return len(self.groups) - 1

    @property
    def weights(self) -> list[torch.Tensor]:  # type: ignore[override]
        """The weight matrices and kernels (names starting with ``w``): what L1/L2 penalise."""
        return [t for g in self.groups for name, t in g.items() if name.startswith("w")]

    @property
    def biases(self) -> list[torch.Tensor]:  # type: ignore[override]
        return [t for g in self.groups for name, t in g.items() if not name.startswith("w")]

    def remaker(self) -> Callable[..., ArchStack]:
        """``(segment, weights, biases) -> one-model ArchStack``, the weights and biases in
        the order of :attr:`weights` and :attr:`biases` with a models axis of one: how a
        snapshot (the timeline, a stored race's initial networks) is rebuilt. It keeps the
        stack's shape and names only, never its live tensors."""
        names = [list(g) for g in self.groups]
        return partial(_one_model, self.architecture, self.options, self.shape, names)

    def parameters(self) -> list[torch.Tensor]:
        params = [t for g in self.groups for t in g.values()]
        for seg in self.segments:
            for per_layer in seg.learnable.values():
                params.extend(per_layer)
        return params

    def grad_norms(self) -> list[torch.Tensor]:
        """Per group (activation site, then readout), each model's gradient norm."""
        norms = []
        for group in self.groups:
            total = sum(t.grad.reshape(self.size, -1).square().sum(dim=1) for t in group.values())
            norms.append(torch.as_tensor(total).sqrt())
        return norms

    def forward(
        self, x: torch.Tensor, train: bool, record: bool = False
    ) -> tuple[torch.Tensor, list[tuple[torch.Tensor, torch.Tensor]]]:
        """Outputs ``[models, outputs, points]`` for ``x`` ``[inputs, points]``; with
        ``record``, each site's (pre-activation, activation) on the first points."""
        points = x.t().reshape(x.shape[1], *self.shape)
        if torch.is_grad_enabled() or points.shape[0] <= EVAL_CHUNK:
            return self._forward(points, train, record)
        outs, parts = [], []
        for i, chunk in enumerate(points.split(EVAL_CHUNK)):
            keep = record and i * EVAL_CHUNK < self.record_points
            out, recorded = self._forward(chunk, train, keep)
            outs.append(out)
            if recorded:
                parts.append(recorded)
        layers = [
            (torch.cat([p[k][0] for p in parts], dim=2), torch.cat([p[k][1] for p in parts], dim=2))
            for k in range(len(parts[0]) if parts else 0)
        ]
        return torch.cat(outs, dim=2), layers

    def _forward(self, points: torch.Tensor, train: bool, record: bool):
        sites = Sites(self.segments, self.size, train, record, self.record_points)
        params = {name: t for g in self.groups for name, t in g.items()}
        out = self.architecture.forward(params, points, sites, self.options, self.shape)
        return out, sites.recorded()

    def tensors(self) -> list[tuple[str, object, torch.Tensor, int]]:
        items: list[tuple[str, object, torch.Tensor, int]] = [
            ("a", (i, name), t, 0) for i, g in enumerate(self.groups) for name, t in g.items()
        ]
        for seg in self.segments:
            items += [
                ("p", (seg, name, layer), v, seg.start)
                for name, per_layer in seg.learnable.items()
                for layer, v in enumerate(per_layer)
            ]
        return items

    def replace(self, kind: str, key: object, tensor: torch.Tensor) -> None:
        if kind == "a":
            group, name = key  # type: ignore[misc]
            self.groups[group][name] = tensor
        else:
            super().replace(kind, key, tensor)


def _one_model(
    architecture: Architecture,
    options: Mapping[str, Any],
    shape: Shape,
    names: list[list[str]],
    segment: Segment,
    weights: Sequence[torch.Tensor],
    biases: Sequence[torch.Tensor],
) -> ArchStack:
    w, b = iter(weights), iter(biases)
    groups = [{n: next(w) if n.startswith("w") else next(b) for n in g} for g in names]
    # a rebuilt model is looked inside: it records every point it is given
    return ArchStack(architecture, options, shape, [segment], groups, RECORD_ALL)

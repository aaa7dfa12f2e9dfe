"""A race's networks at one step, kept to look back at: the timeline, the inside view,
re-running from the same initial weights.

A :class:`Snapshot` holds CPU copies of every stack's weights, biases and learnable
activation parameters (never the live tensors, so it can cross threads and outlive the
race). A toy network is small: 40 runs of a 2-8-8-1 network are about 18 KB, so a
snapshot at every evaluation of a 20,000-step race (276 of them) stays near 5 MB.
Fixed tensor parameters never change and are copied once per race and shared.

``snapshot.model(run)`` rebuilds one run as a one-model :class:`ModelStack`, so every
view computes with the very same code the race trained with (``forward(record=True)``
gives each hidden layer's pre-activations and outputs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from .model import ModelStack, Segment


@dataclass
class RunParams:
    """One run's trainable values: per layer ``weights`` ``[out, in]`` and ``biases``
    ``[out, 1]``; ``learnable`` per parameter, one tensor per hidden layer without the
    model axis. A per-layer run (``relu>prelu``, see ``layered.py``) keys its values
    ``"name@layer"``, one tensor each; its segment's activation carries the parts, so
    :meth:`Snapshot.model` rebuilds it like any other (``seg.layer_activation(i)``)."""

    weights: list[torch.Tensor]
    biases: list[torch.Tensor]
    learnable: dict[str, list[torch.Tensor]] = field(default_factory=dict)


@dataclass
class StackState:
    """One stack at one step. ``segments`` are the race's own segments (activation,
    fixed values, run ids); their tensors are not read from here."""

    segments: list[Segment]
    weights: list[torch.Tensor]
    biases: list[torch.Tensor]
    #: per segment index, per parameter, per hidden layer: ``[models of the segment, ...]``
    learnable: list[dict[str, list[torch.Tensor]]]
    #: the same for fixed tensor parameters (shared by every snapshot of a race)
    constants: list[dict[str, list[torch.Tensor]]]
    #: ``(segment, weights, biases) -> one-model stack`` for a stack that is not the
    #: engine's MLP (an architecture's ``ArchStack.remaker()``); ``None``: the MLP
    remake: Callable[[Segment, list[torch.Tensor], list[torch.Tensor]], ModelStack] | None = None

    def nbytes(self) -> int:
        tensors = [*self.weights, *self.biases]
        for per_seg in self.learnable:
            for per_layer in per_seg.values():
                tensors.extend(per_layer)
        return sum(t.numel() * t.element_size() for t in tensors)


@dataclass
class Snapshot:
    """Every run's network after ``step`` optimiser steps. See the module docstring."""

    step: int
    stacks: list[StackState]

    def nbytes(self) -> int:
        """Bytes held by this snapshot's own tensors (constants are shared, not counted)."""
        return sum(s.nbytes() for s in self.stacks)

    def runs(self) -> list[int]:
        return [r for s in self.stacks for seg in s.segments for r in seg.run_ids]

    def _where(self, run: int) -> tuple[StackState, int, Segment, int]:
        for state in self.stacks:
            for k, seg in enumerate(state.segments):
                if run in seg.run_ids:
                    return state, k, seg, seg.start + seg.run_ids.index(run)
        raise KeyError(f"run {run} is not in this snapshot")

    def run_params(self, run: int) -> RunParams:
        """Run ``run``'s trainable values (copies, safe to modify)."""
        state, k, seg, local = self._where(run)
        within = local - seg.start
        return RunParams(
            weights=[w[local].clone() for w in state.weights],
            biases=[b[local].clone() for b in state.biases],
            learnable={
                name: [t[within].clone() for t in per_layer]
                for name, per_layer in state.learnable[k].items()
            },
        )

    def model(self, run: int) -> ModelStack:
        """Run ``run`` as a one-model stack on the CPU, ready for ``forward``."""
        state, k, seg, local = self._where(run)
        within = local - seg.start
        one = Segment(
            seg.activation,
            0,
            1,
            [run],
            dict(seg.fixed),
            {n: [t[within : within + 1] for t in v] for n, v in state.learnable[k].items()},
            {n: [t[within : within + 1] for t in v] for n, v in state.constants[k].items()},
        )
        weights = [w[local : local + 1] for w in state.weights]
        biases = [b[local : local + 1] for b in state.biases]
        if state.remake is not None:
            return state.remake(one, weights, biases)
        return ModelStack([one], weights, biases)


class Snapshotter:
    """Takes snapshots of a race's stacks; fixed tensors are copied once, at creation."""

    def __init__(self, stacks: Sequence[ModelStack]) -> None:
        self._stacks = list(stacks)
        self._constants = [
            [
                {n: [_copy(t) for t in per_layer] for n, per_layer in seg.constants.items()}
                for seg in stack.segments
            ]
            for stack in self._stacks
        ]

    @torch.no_grad()
    def take(self, step: int) -> Snapshot:
        states = []
        for stack, constants in zip(self._stacks, self._constants, strict=True):
            states.append(
                StackState(
                    segments=list(stack.segments),
                    weights=[_copy(w) for w in stack.weights],
                    biases=[_copy(b) for b in stack.biases],
                    learnable=[
                        {n: [_copy(t) for t in per_layer] for n, per_layer in seg.learnable.items()}
                        for seg in stack.segments
                    ],
                    constants=constants,
                    remake=stack.remaker() if hasattr(stack, "remaker") else None,
                )
            )
        return Snapshot(step, states)


def _copy(t: torch.Tensor) -> torch.Tensor:
    return t.detach().to("cpu", copy=True)

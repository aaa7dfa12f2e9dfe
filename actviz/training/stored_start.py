"""Starting a race from given networks instead of freshly drawn ones.

A stored race keeps every member's weights at step 0 (``RunStore.initial_states``).
``race(config, ..., initial=those)`` builds its stacks as usual and then overwrites
each run's values with the stored ones, matched by ``(activation, seed)``, before the
optimiser sees them: a re-run with another learning rate or optimiser starts from
exactly the same point, so the only difference is the one the user made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from .events import RunInfo
from .model import ModelStack
from .snapshots import RunParams

#: ``{(activation, seed): values}``, as ``RunStore.initial_states`` returns it.
InitialStates = Mapping[tuple[str, int], RunParams]


class InitialStateError(ValueError):
    """The given initial networks do not fit this race (a member missing, a shape changed)."""


def missing_members(runs: Sequence[RunInfo], initial: InitialStates) -> list[str]:
    """The race's members that have no initial values, as ``"relu seed 2"``."""
    return [f"{r.activation} seed {r.seed}" for r in runs if (r.activation, r.seed) not in initial]


@torch.no_grad()
def load_initial(
    stacks: Sequence[ModelStack], runs: Sequence[RunInfo], initial: InitialStates
) -> None:
    """Copy each run's stored values into the stacks (in place, before the optimiser is
    made). Raises :class:`InitialStateError` naming the member and the tensor that do
    not fit; nothing is trained in that case, so a partial copy does no harm."""
    missing = missing_members(runs, initial)
    if missing:
        raise InitialStateError(f"no initial networks stored for {', '.join(missing)}")
    for stack in stacks:
        for seg in stack.segments:
            for within, run in enumerate(seg.run_ids):
                info = runs[run]
                values = initial[(info.activation, info.seed)]
                who = f"{info.activation} seed {info.seed}"
                _load_run(stack, seg.start + within, within, seg.learnable, values, who)


def _load_run(
    stack: ModelStack,
    local: int,
    within: int,
    learnable: Mapping[str, list[torch.Tensor]],
    values: RunParams,
    who: str,
) -> None:
    _check_count("weight", len(stack.weights), len(values.weights), who)
    _check_count("bias", len(stack.biases), len(values.biases), who)
    for layer, (w, stored) in enumerate(zip(stack.weights, values.weights, strict=True)):
        _copy(w[local], stored, f"layer {layer + 1} weights", who)
    for layer, (b, stored) in enumerate(zip(stack.biases, values.biases, strict=True)):
        _copy(b[local], stored, f"layer {layer + 1} biases", who)
    if set(learnable) != set(values.learnable):
        raise InitialStateError(
            f"{who}: learnable parameters {sorted(learnable)} in this race, "
            f"{sorted(values.learnable)} stored"
        )
    for name, per_layer in learnable.items():
        stored_layers = values.learnable[name]
        _check_count(f"'{name}' layer", len(per_layer), len(stored_layers), who)
        for layer, (t, stored) in enumerate(zip(per_layer, stored_layers, strict=True)):
            _copy(t[within], stored, f"parameter '{name}' of hidden layer {layer + 1}", who)


def _check_count(what: str, here: int, stored: int, who: str) -> None:
    if here != stored:
        raise InitialStateError(
            f"{who}: {here} {what}s in this race but {stored} stored (the network changed)"
        )


def _copy(target: torch.Tensor, stored: torch.Tensor, what: str, who: str) -> None:
    if tuple(target.shape) != tuple(stored.shape):
        raise InitialStateError(
            f"{who}: {what} have shape {tuple(target.shape)} in this race but "
            f"{tuple(stored.shape)} stored (the network changed: same hidden widths, "
            "features and task are needed)"
        )
    target.copy_(stored.to(device=target.device, dtype=target.dtype))

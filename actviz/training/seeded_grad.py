"""Gradients with given output gradients (seeds), without torch's symbolic-shapes import.

``torch.autograd.grad(outputs, inputs, grad_outputs)`` checks each seed's shape through
``torch.fx.experimental.symbolic_shapes``, whose first import (it brings sympy) costs
about half a second: a third of a one-step ``actviz train``'s time beyond ``import
torch``. The tape-free step and its checks seed outputs with tensors of the outputs'
own shapes, so :func:`grad` checks shape and dtype itself and calls autograd's engine
as ``torch.autograd.grad`` does after its checks: the same engine, the same numbers.
Anything unusual (a seed that does not match, a tensor subclass or mode with
``__torch_function__``, a torch without the engine entry) goes to ``torch.autograd.grad``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch


def _engine_entry() -> Callable[..., tuple[torch.Tensor | None, ...]] | None:
    """The call ``torch.autograd.grad`` ends in: ``graph._engine_run_backward`` (torch
    2.3 on; it stashes context for the engine's device threads), else the engine itself."""
    entry = getattr(torch.autograd.graph, "_engine_run_backward", None)
    if entry is not None:
        return entry
    engine = getattr(torch.autograd.Variable, "_execution_engine", None)
    return getattr(engine, "run_backward", None)


_RUN = _engine_entry()


def grad(
    outputs: Sequence[torch.Tensor],
    inputs: Sequence[torch.Tensor],
    seeds: Sequence[torch.Tensor],
) -> tuple[torch.Tensor | None, ...]:
    """``torch.autograd.grad(outputs, inputs, seeds, allow_unused=True)``: the graph is
    freed afterwards, and an input no output depends on gets ``None``."""
    outputs, inputs, seeds = tuple(outputs), tuple(inputs), tuple(seeds)
    if _RUN is None or not _plain(outputs, inputs, seeds):
        return torch.autograd.grad(outputs, inputs, seeds, allow_unused=True)
    return _RUN(outputs, seeds, False, False, inputs, True, accumulate_grad=False)


def _plain(
    outputs: tuple[torch.Tensor, ...],
    inputs: tuple[torch.Tensor, ...],
    seeds: tuple[torch.Tensor, ...],
) -> bool:
    """Tensors without ``__torch_function__`` (nor a mode), one seed per output with its
    shape and dtype, outputs on a graph."""
    if not inputs or len(seeds) != len(outputs):
        return False
    every = outputs + inputs + seeds
    if not all(isinstance(t, torch.Tensor) for t in every):
        return False
    for out, seed in zip(outputs, seeds, strict=True):
        if out.shape != seed.shape or out.dtype != seed.dtype or not out.requires_grad:
            return False
    return not torch.overrides.has_torch_function(every)

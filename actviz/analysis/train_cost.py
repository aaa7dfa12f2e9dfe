"""What one activation costs in training: forward and backward on a fixed tensor, vs ReLU.

A race trains every activation at once, so its wall time says nothing about any one of
them. This measures each on its own, the way the properties' cost does (best of several
runs on the same seeded input, one CPU thread), with the backward pass added because
training pays for both.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

import torch

from ..api import Activation
from .properties import _cost_input

_CACHE: dict[tuple, float] = {}


def training_cost(
    act: Activation,
    params: Mapping[str, float] | None = None,
    *,
    elements: int = 1 << 16,
    repeats: int = 15,
) -> float:
    """Forward+backward time of ``act`` per element, relative to ``torch.relu``'s.

    Measured once per activation, parameters and size in a process (it is a property
    of the function and this machine, not of a run).
    """
    values = {**act.defaults(), **(params or {})}
    key = (act.name, tuple(sorted(values.items())), elements, repeats)
    if key not in _CACHE:
        x = _cost_input(act, elements).requires_grad_(True)
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            ours, relu = _interleaved(
                lambda: _forward_backward(lambda t: act.fn(t, **values), x),
                lambda: _forward_backward(torch.relu, x),
                repeats,
            )
        finally:
            torch.set_num_threads(previous)
        _CACHE[key] = ours / max(relu, 1e-9)
    return _CACHE[key]


def training_costs(
    names: list[str], activations: Mapping[str, Activation], **options: float
) -> dict[str, float]:
    """:func:`training_cost` of each loaded activation in ``names`` (others are left out).

    A per-layer name (``relu>tanh``) costs the mean of its parts: each hidden layer
    (of equal width) applies one of them."""
    costs: dict[str, float] = {}
    for name in names:
        parts = [p.strip() for p in name.split(">")] if ">" in name else [name]
        if parts and all(p in activations for p in parts):
            each = [training_cost(activations[p], **options) for p in parts]
            costs[name] = sum(each) / len(each)
    return costs


def _interleaved(first, second, repeats: int) -> tuple[float, float]:
    """Best time of each, timed in turns so that machine load hits both alike."""
    best = [math.inf, math.inf]
    for fn in (first, second):
        fn()  # warm up
    for _ in range(max(1, repeats)):
        for i, fn in enumerate((first, second)):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best[0], best[1]


def _forward_backward(fn, x: torch.Tensor) -> None:
    x.grad = None
    fn(x).sum().backward()

"""What one activation costs in training: forward and backward on a fixed tensor, vs ReLU.

A race trains every activation at once, so its wall time says nothing about any one of
them. This measures each on its own (``actviz.analysis.cost``: median of interleaved
rounds on one CPU thread, ReLU = 1 by definition, cached in memory and on disk), with the
backward pass included because training pays for both.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..api import Activation
from .cost import Cost, measure_cost


def training_cost(
    act: Activation,
    params: Mapping[str, float] | None = None,
    *,
    elements: int = 1 << 16,
    repeats: int = 31,
) -> float:
    """Forward+backward time of ``act`` per element, relative to ``torch.relu``'s."""
    return training_cost_measure(act, params, elements=elements, repeats=repeats).ratio


def training_cost_measure(
    act: Activation,
    params: Mapping[str, float] | None = None,
    *,
    elements: int = 1 << 16,
    repeats: int = 31,
) -> Cost:
    """:func:`training_cost` with its spread over the timed rounds."""
    return measure_cost(act, params, elements=elements, rounds=repeats, backward=True)


def training_costs(
    names: list[str], activations: Mapping[str, Activation], **options: float
) -> dict[str, float]:
    """:func:`training_cost` of each loaded activation in ``names`` (others are left out)."""
    return {n: c.ratio for n, c in training_cost_measures(names, activations, **options).items()}


def training_cost_measures(
    names: list[str], activations: Mapping[str, Activation], **options: float
) -> dict[str, Cost]:
    """:func:`training_cost_measure` of each loaded activation in ``names``.

    A per-layer name (``relu>tanh``) costs the mean of its parts: each hidden layer
    (of equal width) applies one of them; its spread is the mean of theirs."""
    costs: dict[str, Cost] = {}
    for name in names:
        parts = [p.strip() for p in name.split(">")] if ">" in name else [name]
        if parts and all(p in activations for p in parts):
            each = [training_cost_measure(activations[p], **options) for p in parts]
            costs[name] = Cost(
                sum(c.ratio for c in each) / len(each),
                sum(c.spread for c in each) / len(each),
                min(c.rounds for c in each),
            )
    return costs

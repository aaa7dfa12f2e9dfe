"""Activations over the last dimension: the softmax family and the gated linear unit.

``derivative`` returns the Jacobian diagonal d f_i / d x_i for the softmax family and
``cat([d out/d a, d out/d b], -1)`` for GLU, as the ``Activation`` contract says.
"""

from __future__ import annotations

import torch

from actviz import Activation, hookimpl

SOFTMAX_REFS = [
    "Bridle 1990, Probabilistic interpretation of feedforward classification network "
    "outputs, Neurocomputing (NATO ASI F68)",
]


def _softmax(x: torch.Tensor) -> torch.Tensor:
    return torch.softmax(x, dim=-1)


def _softmax_d(x: torch.Tensor) -> torch.Tensor:
    s = torch.softmax(x, dim=-1)
    return s * (1 - s)


def _softmin(x: torch.Tensor) -> torch.Tensor:
    return torch.softmax(-x, dim=-1)


def _softmin_d(x: torch.Tensor) -> torch.Tensor:
    s = torch.softmax(-x, dim=-1)
    return -s * (1 - s)


def _log_softmax(x: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(x, dim=-1)


def _log_softmax_d(x: torch.Tensor) -> torch.Tensor:
    return 1 - torch.softmax(x, dim=-1)


def _halves(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    if x.shape[-1] % 2:
        raise ValueError(f"glu needs an even last dimension, got {x.shape[-1]}")
    a, b = x.chunk(2, dim=-1)
    return a, b


def _glu(x: torch.Tensor) -> torch.Tensor:
    a, b = _halves(x)
    return a * torch.sigmoid(b)


def _glu_d(x: torch.Tensor) -> torch.Tensor:
    a, b = _halves(x)
    s = torch.sigmoid(b)
    return torch.cat([s, a * s * torch.sigmoid(-b)], dim=-1)


@hookimpl
def actviz_activations() -> list[Activation]:
    inf = float("inf")
    return [
        Activation(
            name="softmax",
            fn=_softmax,
            derivative=_softmax_d,
            kind="vector",
            formula=r"\frac{e^{x_i}}{\sum_j e^{x_j}}",
            description=(
                "Turns a vector of scores into a probability distribution: positive entries "
                "that sum to 1, the largest score getting the largest share. Adding a constant "
                "to every score changes nothing. Each output saturates like a sigmoid when one "
                "score dominates."
            ),
            family="vector",
            references=SOFTMAX_REFS,
            year=1990,
            use_cases=["multi-class classification output", "attention weights"],
            limitations=["only meaningful over a vector", "saturates when one score dominates"],
            output_range=(0.0, 1.0),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="softmin",
            fn=_softmin,
            derivative=_softmin_d,
            kind="vector",
            formula=r"\frac{e^{-x_i}}{\sum_j e^{-x_j}}",
            description=(
                "Softmax of the negated scores: the smallest entry gets the largest "
                "probability. Each output decreases as its own input grows."
            ),
            family="vector",
            references=SOFTMAX_REFS,
            year=1990,
            use_cases=["soft selection of the minimum (costs, distances)"],
            limitations=["only meaningful over a vector", "saturates when one score dominates"],
            output_range=(0.0, 1.0),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="log_softmax",
            fn=_log_softmax,
            derivative=_log_softmax_d,
            kind="vector",
            formula=r"x_i - \ln\sum_j e^{x_j}",
            description=(
                "The logarithm of softmax, computed without forming the probabilities, so it "
                "stays exact when some are tiny. Paired with the negative log-likelihood it "
                "gives the cross-entropy loss with the simple gradient p - y."
            ),
            family="vector",
            references=SOFTMAX_REFS,
            year=1990,
            use_cases=["classification output trained with NLL / cross-entropy"],
            limitations=["only meaningful over a vector", "outputs are log-probabilities (<= 0)"],
            output_range=(-inf, 0.0),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="glu",
            fn=_glu,
            derivative=_glu_d,
            kind="gated",
            formula=r"a \otimes \sigma(b),\ \ [a,\ b] = x",
            description=(
                "Gated linear unit: the last dimension is split in halves a and b, and a "
                "passes through a sigmoid gate computed from b, halving the width. The linear "
                "path a keeps gradients from vanishing while the gate learns what to let "
                "through; its variants (SwiGLU, GeGLU) drive modern transformer blocks."
            ),
            family="vector",
            references=["Dauphin, Fan, Auli, Grangier 2017, ICML, arXiv:1612.08083"],
            year=2017,
            use_cases=["gated convolutional language models", "transformer feed-forward blocks"],
            limitations=["needs an even last dimension and halves it", "not monotone in b"],
            output_range=(-inf, inf),
            smoothness="Cinf",
            monotonic=False,
            zero_centered=False,
        ),
    ]

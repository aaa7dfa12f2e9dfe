"""ISRU and ISRLU, the inverse square root units (Carlile et al., 2017, arXiv:1710.09967).

ISRU(x) = x / sqrt(1 + a x^2) is a cheap sigmoid-like curve with range
(-1/sqrt(a), 1/sqrt(a)); ISRLU uses it for x < 0 only and is the identity for
x >= 0, like ELU but without an exponential. The parameter ``a`` sets the
saturation level; it is learnable, so a network can tune it per run.
"""

from __future__ import annotations

import torch

from actviz import Activation, Param, hookimpl

REFERENCE = "arXiv:1710.09967"


def isru(x: torch.Tensor, a=1.0) -> torch.Tensor:
    return x * torch.rsqrt(1 + a * x * x)


def isru_derivative(x: torch.Tensor, a=1.0) -> torch.Tensor:
    # d/dx x (1 + a x^2)^(-1/2) = (1 + a x^2)^(-3/2)
    return torch.rsqrt(1 + a * x * x) ** 3


def isrlu(x: torch.Tensor, a=1.0) -> torch.Tensor:
    return torch.where(x >= 0, x, isru(x, a))


def isrlu_derivative(x: torch.Tensor, a=1.0) -> torch.Tensor:
    return torch.where(x >= 0, torch.ones_like(x), isru_derivative(x, a))


def _alpha() -> Param:
    return Param(
        "a",
        default=1.0,
        min=0.01,
        max=10.0,
        learnable=True,
        description="saturation: the curve levels off at 1/sqrt(a)",
    )


@hookimpl
def actviz_activations():
    return [
        Activation(
            name="isru",
            fn=isru,
            derivative=isru_derivative,
            params=[_alpha()],
            formula=r"\frac{x}{\sqrt{1 + a x^2}}",
            description="Inverse square root unit: a sigmoid-like curve from one rsqrt, "
            "cheaper than tanh, with a tunable saturation level.",
            family="sigmoid-like",
            references=[REFERENCE],
            year=2017,
            use_cases=["recurrent networks where tanh's cost matters"],
            limitations=["saturates like tanh: gradients vanish for large |x|"],
            output_range=(-1.0, 1.0),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=True,
        ),
        Activation(
            name="isrlu",
            fn=isrlu,
            derivative=isrlu_derivative,
            params=[_alpha()],
            formula=r"\mathrm{where}\left(x \geq 0,\ x,\ \frac{x}{\sqrt{1 + a x^2}}\right)",
            description="Inverse square root linear unit: the identity for x >= 0 and ISRU "
            "below, an ELU-like curve without an exponential.",
            family="elu-like",
            references=[REFERENCE],
            year=2017,
            use_cases=["deep feed-forward and convolutional networks (as ELU)"],
            limitations=["a kink in f'' at 0 (it is C2, not smooth)"],
            output_range=(-1.0, float("inf")),
            smoothness="C2",
            monotonic=True,
            zero_centered=False,
        ),
    ]

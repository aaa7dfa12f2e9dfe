"""Exponential-linear units: ELU, CELU and the self-normalising SELU.

The exponential branch is evaluated on ``min(x, 0)`` so that large positive inputs
never produce ``inf`` in the unused branch (which would turn gradients into NaN).
"""

from __future__ import annotations

import torch

from actviz import Activation, Param, hookimpl

Scalar = float | torch.Tensor

#: SELU's constants (Klambauer et al. 2017), fixed so that N(0, 1) is a fixed point.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _elu(x: torch.Tensor, alpha: Scalar = 1.0) -> torch.Tensor:
    return torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))


def _elu_d(x: torch.Tensor, alpha: Scalar = 1.0) -> torch.Tensor:
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp(max=0)))


def _celu(x: torch.Tensor, alpha: Scalar = 1.0) -> torch.Tensor:
    return torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0) / alpha))


def _celu_d(x: torch.Tensor, alpha: Scalar = 1.0) -> torch.Tensor:
    return torch.where(x > 0, torch.ones_like(x), torch.exp(x.clamp(max=0) / alpha))


def _selu(x: torch.Tensor) -> torch.Tensor:
    return SELU_SCALE * _elu(x, SELU_ALPHA)


def _selu_d(x: torch.Tensor) -> torch.Tensor:
    return SELU_SCALE * _elu_d(x, SELU_ALPHA)


def _alpha() -> Param:
    return Param("alpha", default=1.0, min=0.01, max=5.0, description="negative saturation")


def _down_to_minus_alpha(alpha: float) -> tuple[float, float]:
    """ELU and CELU approach -alpha for large negative x and are unbounded above."""
    return (-alpha, float("inf"))


@hookimpl
def actviz_activations() -> list[Activation]:
    inf = float("inf")
    return [
        Activation(
            name="elu",
            fn=_elu,
            derivative=_elu_d,
            params=[_alpha()],
            formula=r"x\ \mathrm{if}\ x > 0,\ \ \alpha\,(e^{x}-1)\ \mathrm{otherwise}",
            description=(
                "Identity for positive inputs, a smooth exponential approach to -alpha for "
                "negative ones. The negative outputs pull the mean activation toward zero, "
                "which speeds learning, and the gradient never becomes exactly zero, so units "
                "do not die."
            ),
            family="exponential",
            references=["Clevert, Unterthiner, Hochreiter 2016, ICLR, arXiv:1511.07289"],
            year=2016,
            use_cases=["deep MLPs and CNNs where ReLU units die or the mean drifts"],
            limitations=[
                "an exponential costs more than ReLU",
                "f'' jumps at 0 (f' does too unless alpha = 1)",
            ],
            output_range=_down_to_minus_alpha,
            smoothness=lambda alpha: "C1" if alpha == 1.0 else "C0",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="celu",
            fn=_celu,
            derivative=_celu_d,
            params=[_alpha()],
            formula=r"\max(0,\ x) + \min(0,\ \alpha\,(e^{x/\alpha}-1))",
            description=(
                "ELU rescaled so that its slope is 1 on both sides of zero for every alpha: f' "
                "is continuous whatever alpha you choose. Like ELU it pushes the mean toward "
                "zero and keeps a gradient for negative inputs."
            ),
            family="exponential",
            references=[
                "Barron 2017, Continuously Differentiable Exponential Linear Units, "
                "arXiv:1704.07483"
            ],
            year=2017,
            use_cases=["ELU with a tunable alpha without a kink in f'"],
            limitations=["an exponential costs more than ReLU", "f'' jumps at 0"],
            output_range=_down_to_minus_alpha,
            smoothness="C1",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="selu",
            fn=_selu,
            derivative=_selu_d,
            formula=r"\lambda\,x\ \mathrm{if}\ x > 0,\ \ \lambda\alpha\,(e^{x}-1)\ "
            r"\mathrm{otherwise}",
            description=(
                "ELU with two fixed constants (lambda about 1.0507, alpha about 1.6733) chosen "
                "so that zero mean and unit variance is an attracting fixed point: with LeCun "
                "normal initialisation, activations of a deep plain MLP self-normalise layer "
                "after layer, without batch normalisation. Like ELU it pushes the mean toward "
                "zero, but its slope jumps at 0 (lambda*alpha on the left, lambda on the right)."
            ),
            family="exponential",
            references=["Klambauer, Unterthiner, Mayr, Hochreiter 2017, NeurIPS, arXiv:1706.02515"],
            year=2017,
            use_cases=["deep fully connected networks without normalisation layers"],
            limitations=[
                "needs LeCun-normal initialisation (and alpha-dropout) to self-normalise",
                "f' jumps at 0 (from lambda*alpha to lambda)",
            ],
            output_range=(-SELU_SCALE * SELU_ALPHA, inf),
            smoothness="C0",
            monotonic=True,
            zero_centered=True,
            init="lecun",
            extra={"alpha": SELU_ALPHA, "scale": SELU_SCALE},
        ),
    ]

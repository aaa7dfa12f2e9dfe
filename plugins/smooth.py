"""Smooth gated rectifiers (GELU, SiLU, Mish) and softplus, their common smooth ReLU.

Each is written in a form that stays finite in float32 for |x| up to 1e4 and beyond:
``erfc`` instead of ``1 + erf``, ``sigmoid`` instead of ``1 + tanh``, ``logaddexp``
instead of ``log(1 + exp)``.
"""

from __future__ import annotations

import math

import torch

from actviz import Activation, Param, hookimpl

Scalar = float | torch.Tensor

_INV_SQRT2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_K = math.sqrt(2 / math.pi)  # the tanh approximation's scale
_C = 0.044715  # the tanh approximation's cubic coefficient


def _gelu(x: torch.Tensor) -> torch.Tensor:
    return x * 0.5 * torch.erfc(-x * _INV_SQRT2)


def _gelu_d(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * torch.erfc(-x * _INV_SQRT2) + x * _INV_SQRT_2PI * torch.exp(-0.5 * x * x)


def _gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    # 0.5 (1 + tanh(u)) == sigmoid(2u), which does not cancel for very negative x.
    u = _K * (x + _C * x * x * x)
    return x * torch.sigmoid(2 * u)


def _gelu_tanh_d(x: torch.Tensor) -> torch.Tensor:
    u = _K * (x + _C * x * x * x)
    s, s_neg = torch.sigmoid(2 * u), torch.sigmoid(-2 * u)
    return s + x * 2 * s * s_neg * _K * (1 + 3 * _C * x * x)


def _silu(x: torch.Tensor, beta: Scalar = 1.0) -> torch.Tensor:
    return x * torch.sigmoid(beta * x)


def _silu_d(x: torch.Tensor, beta: Scalar = 1.0) -> torch.Tensor:
    s, s_neg = torch.sigmoid(beta * x), torch.sigmoid(-beta * x)
    return s + beta * x * s * s_neg


def _softplus0(x: torch.Tensor) -> torch.Tensor:
    """log(1 + e^x) without overflow, with autograd's slope sigmoid(x) everywhere."""
    return torch.logaddexp(x, torch.zeros_like(x))


def _mish(x: torch.Tensor) -> torch.Tensor:
    return x * torch.tanh(_softplus0(x))


def _mish_d(x: torch.Tensor) -> torch.Tensor:
    t = torch.tanh(_softplus0(x))
    return t + x * (1 - t * t) * torch.sigmoid(x)


def _softplus(x: torch.Tensor, beta: Scalar = 1.0, threshold: Scalar = 20.0) -> torch.Tensor:
    bx = beta * x
    return torch.where(bx > threshold, x, _softplus0(bx) / beta)


def _softplus_d(x: torch.Tensor, beta: Scalar = 1.0, threshold: Scalar = 20.0) -> torch.Tensor:
    bx = beta * x
    return torch.where(bx > threshold, torch.ones_like(x), torch.sigmoid(bx))


@hookimpl
def actviz_activations() -> list[Activation]:
    inf = float("inf")
    return [
        Activation(
            name="gelu",
            fn=_gelu,
            derivative=_gelu_d,
            formula=r"x\,\Phi(x) = \frac{x}{2}\left(1+\mathrm{erf}(x/\sqrt{2})\right)",
            description=(
                "Weights x by the probability that a standard normal variable is below it: a "
                "smooth ReLU with a small negative dip (minimum about -0.17 at x = -0.75), so "
                "it is not monotone. It is the activation of BERT and GPT. Being smooth, it "
                "fits smooth, physics-like targets better than a kinked ReLU."
            ),
            family="smooth-gated",
            references=["Hendrycks, Gimpel 2016, arXiv:1606.08415"],
            year=2016,
            use_cases=["transformers", "smooth regression targets"],
            limitations=["costs an erf per element", "non-monotone dip"],
            output_range=(-0.17, inf),
            smoothness="Cinf",
            monotonic=False,
            zero_centered=False,
        ),
        Activation(
            name="gelu_tanh",
            fn=_gelu_tanh,
            derivative=_gelu_tanh_d,
            formula=r"\frac{x}{2}\left(1+\tanh\left(\sqrt{2/\pi}\,(x+0.044715\,x^3)\right)\right)",
            description=(
                "The tanh approximation of GELU used by the original BERT and GPT-2 code. It "
                "differs from the exact GELU by less than 5e-4 and avoids erf; its dip is "
                "slightly deeper (about -0.1700)."
            ),
            family="smooth-gated",
            references=["Hendrycks, Gimpel 2016, arXiv:1606.08415"],
            year=2016,
            use_cases=["reproducing BERT/GPT-2 checkpoints", "hardware without a fast erf"],
            limitations=["an approximation: not bit-compatible with exact GELU"],
            output_range=(-0.171, inf),
            smoothness="Cinf",
            monotonic=False,
            zero_centered=False,
        ),
        Activation(
            name="silu",
            fn=_silu,
            derivative=_silu_d,
            params=[Param("beta", default=1.0, min=0.1, max=10.0, description="gate sharpness")],
            formula=r"x\,\sigma(\beta x)",
            description=(
                "The input gated by its own sigmoid (Swish with beta = 1). Smooth, unbounded "
                "above, with a non-monotone dip to about -0.28 at beta = 1; beta interpolates "
                "between a halved linear unit (beta -> 0) and ReLU (beta -> inf). Found by "
                "automated search to beat ReLU on deep image models."
            ),
            family="smooth-gated",
            references=[
                "Elfwing, Uchibe, Doya 2018, Neural Networks 107, arXiv:1702.03118",
                "Ramachandran, Zoph, Le 2017, Searching for Activation Functions, arXiv:1710.05941",
            ],
            year=2017,
            use_cases=["EfficientNet/MobileNetV3-style CNNs", "smooth regression targets"],
            limitations=["a sigmoid per element costs more than ReLU", "non-monotone dip"],
            output_range=(-0.279, inf),
            smoothness="Cinf",
            monotonic=False,
            zero_centered=False,
        ),
        Activation(
            name="mish",
            fn=_mish,
            derivative=_mish_d,
            formula=r"x\,\tanh(\mathrm{softplus}(x)) = x\,\tanh(\ln(1+e^{x}))",
            description=(
                "A smooth, non-monotone self-gated unit close to SiLU with a slightly deeper "
                "dip (about -0.31). Its smoothness gives well-behaved gradients; it was popular "
                "in YOLOv4 object detectors."
            ),
            family="smooth-gated",
            references=["Misra 2020, BMVC, arXiv:1908.08681"],
            year=2019,
            use_cases=["object detection backbones", "smooth regression targets"],
            limitations=["costs exp, log and tanh per element", "non-monotone dip"],
            output_range=(-0.309, inf),
            smoothness="Cinf",
            monotonic=False,
            zero_centered=False,
        ),
        Activation(
            name="softplus",
            fn=_softplus,
            derivative=_softplus_d,
            params=[
                Param("beta", default=1.0, min=0.1, max=10.0, description="sharpness"),
                Param(
                    "threshold",
                    default=20.0,
                    min=1.0,
                    max=50.0,
                    description="beta*x above which the identity is used",
                ),
            ],
            formula=r"\frac{1}{\beta}\ln\left(1+e^{\beta x}\right)",
            description=(
                "A smooth ReLU: log(1 + e^x) is always positive, and its derivative is the "
                "sigmoid, so it never dies; larger beta brings it closer to ReLU. Above "
                "beta*x = threshold it returns x itself, as torch does, to stay exact."
            ),
            family="relu-like",
            references=[
                "Dugas, Bengio, Belisle, Nadeau, Garcia 2001, NeurIPS 13",
                "Glorot, Bordes, Bengio 2011, AISTATS",
            ],
            year=2001,
            use_cases=["positive outputs (variances, rates)", "smooth stand-in for ReLU"],
            limitations=["not zero-centred", "slope tends to 0 for negative x"],
            output_range=(0.0, inf),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=False,
        ),
    ]

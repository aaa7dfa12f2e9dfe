"""Piecewise-linear ("hard") versions of tanh, sigmoid and swish: cheap, kinked, bounded.

Kinks follow torch's convention: the slope is 0 exactly on the clipping points,
except hardswish, whose slope at -3 and 3 is that of its middle piece.
"""

from __future__ import annotations

import torch

from actviz import Activation, Param, hookimpl

Scalar = float | torch.Tensor


def _hardtanh(x: torch.Tensor, min_val: Scalar = -1.0, max_val: Scalar = 1.0) -> torch.Tensor:
    inside = (x > min_val) & (x < max_val)
    clipped = torch.where(
        x <= min_val, torch.zeros_like(x) + min_val, torch.zeros_like(x) + max_val
    )
    return torch.where(inside, x, clipped)


def _hardtanh_d(x: torch.Tensor, min_val: Scalar = -1.0, max_val: Scalar = 1.0) -> torch.Tensor:
    return ((x > min_val) & (x < max_val)).to(x.dtype)


def _hardsigmoid(x: torch.Tensor) -> torch.Tensor:
    inside = (x > -3) & (x < 3)
    return torch.where(inside, x / 6 + 0.5, (x >= 3).to(x.dtype))


def _hardsigmoid_d(x: torch.Tensor) -> torch.Tensor:
    return ((x > -3) & (x < 3)).to(x.dtype) / 6


def _hardswish(x: torch.Tensor) -> torch.Tensor:
    middle = torch.where(x <= 3, x * (x + 3) / 6, x)
    return torch.where(x < -3, torch.zeros_like(x), middle)


def _hardswish_d(x: torch.Tensor) -> torch.Tensor:
    middle = torch.where(x <= 3, (2 * x + 3) / 6, torch.ones_like(x))
    return torch.where(x < -3, torch.zeros_like(x), middle)


MOBILENET_V3 = "Howard et al. 2019, Searching for MobileNetV3, ICCV, arXiv:1905.02244"


@hookimpl
def actviz_activations() -> list[Activation]:
    inf = float("inf")
    return [
        Activation(
            name="hardtanh",
            fn=_hardtanh,
            derivative=_hardtanh_d,
            params=[
                Param("min_val", default=-1.0, min=-5.0, max=0.0, description="lower clip"),
                Param("max_val", default=1.0, min=0.0, max=5.0, description="upper clip"),
            ],
            formula=r"\min(\max(x,\ a),\ b)",
            description=(
                "tanh replaced by three straight pieces: the identity clipped to "
                "[min_val, max_val]. Cheap and zero-centred, but outside the clip the gradient "
                "is exactly zero, so saturated units stop learning entirely."
            ),
            family="hard",
            references=["Collobert 2004, Large Scale Machine Learning, PhD thesis, Paris VI"],
            year=2004,
            use_cases=["cheap bounded activation", "quantised and binarised networks"],
            limitations=["zero gradient outside the clip", "kinks at the clip points"],
            output_range=lambda min_val, max_val: (min_val, max_val),
            smoothness="C0",
            monotonic=True,
            zero_centered=True,
        ),
        Activation(
            name="hardsigmoid",
            fn=_hardsigmoid,
            derivative=_hardsigmoid_d,
            formula=r"\min(\max(0,\ x+3),\ 6)\,/\,6",
            description=(
                "A piecewise-linear sigmoid: 0 below -3, 1 above 3, a straight line of slope "
                "1/6 between. It avoids the exponential, which matters on mobile hardware, but "
                "like the sigmoid it is not zero-centred and its slope is small."
            ),
            family="hard",
            references=[
                MOBILENET_V3,
                "Courbariaux, Bengio, David 2015, BinaryConnect, NeurIPS, arXiv:1511.00363",
            ],
            year=2019,
            use_cases=["gates in mobile networks (squeeze-and-excitation)"],
            limitations=["zero gradient for |x| > 3", "slope only 1/6", "not zero-centred"],
            output_range=(0.0, 1.0),
            smoothness="C0",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="hardswish",
            fn=_hardswish,
            derivative=_hardswish_d,
            formula=r"x\,\frac{\min(\max(0,\ x+3),\ 6)}{6}",
            description=(
                "Swish with the sigmoid replaced by hardsigmoid: it keeps swish's negative dip "
                "(minimum -0.375 at x = -1.5) and identity for large x at the cost of a few "
                "multiplies. Its slope jumps at -3 and 3, so it is kinked, unlike SiLU."
            ),
            family="hard",
            references=[MOBILENET_V3],
            year=2019,
            use_cases=["mobile CNNs (MobileNetV3)"],
            limitations=["kinks at -3 and 3", "zero gradient below -3"],
            output_range=(-0.375, inf),
            smoothness="C0",
            monotonic=False,
            zero_centered=False,
        ),
    ]

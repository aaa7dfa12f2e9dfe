"""Rectifiers: ReLU and the variants that keep a gradient for negative inputs or cap the top.

At each kink the derivative follows torch's autograd convention (ReLU'(0) = 0,
Leaky ReLU'(0) = slope, ReLU6' = 0 at 0 and 6), so declared and measured slopes agree.
"""

from __future__ import annotations

import torch

from actviz import Activation, Param, hookimpl

Scalar = float | torch.Tensor

RELU_REFS = [
    "Nair, Hinton 2010, ICML (rectified linear units)",
    "Glorot, Bordes, Bengio 2011, AISTATS (deep sparse rectifier networks)",
]


def _full(x: torch.Tensor, value: Scalar) -> torch.Tensor:
    """``value`` broadcast against ``x`` in x's dtype (value may be a float or a tensor)."""
    return torch.zeros_like(x) + value


def _relu_d(x: torch.Tensor) -> torch.Tensor:
    return (x > 0).to(x.dtype)


def _leaky(x: torch.Tensor, slope: Scalar) -> torch.Tensor:
    return torch.where(x > 0, x, x * slope)


def _leaky_d(x: torch.Tensor, slope: Scalar) -> torch.Tensor:
    return torch.where(x > 0, torch.ones_like(x), _full(x, slope))


def _leaky_relu(x: torch.Tensor, negative_slope: Scalar = 0.01) -> torch.Tensor:
    return _leaky(x, negative_slope)


def _leaky_relu_d(x: torch.Tensor, negative_slope: Scalar = 0.01) -> torch.Tensor:
    return _leaky_d(x, negative_slope)


def _prelu(x: torch.Tensor, a: Scalar = 0.25) -> torch.Tensor:
    return _leaky(x, a)


def _prelu_d(x: torch.Tensor, a: Scalar = 0.25) -> torch.Tensor:
    return _leaky_d(x, a)


def _rrelu(x: torch.Tensor, lower: Scalar = 1 / 8, upper: Scalar = 1 / 3) -> torch.Tensor:
    """Evaluation form: the mean of the random slope range, as ``F.rrelu(training=False)``."""
    return _leaky(x, (lower + upper) / 2)


def _rrelu_d(x: torch.Tensor, lower: Scalar = 1 / 8, upper: Scalar = 1 / 3) -> torch.Tensor:
    return _leaky_d(x, (lower + upper) / 2)


def _rrelu_train(x: torch.Tensor, lower: Scalar = 1 / 8, upper: Scalar = 1 / 3) -> torch.Tensor:
    """Training form: a fresh slope per element drawn from U(lower, upper)."""
    slope = lower + (upper - lower) * torch.rand_like(x)
    return torch.where(x > 0, x, x * slope)


def _relu6(x: torch.Tensor) -> torch.Tensor:
    inside = (x > 0) & (x < 6)
    return torch.where(inside, x, (x >= 6).to(x.dtype) * 6)


def _relu6_d(x: torch.Tensor) -> torch.Tensor:
    return ((x > 0) & (x < 6)).to(x.dtype)


def _threshold(x: torch.Tensor, threshold: Scalar = 0.0, value: Scalar = 0.0) -> torch.Tensor:
    return torch.where(x > threshold, x, _full(x, value))


def _threshold_d(x: torch.Tensor, threshold: Scalar = 0.0, value: Scalar = 0.0) -> torch.Tensor:
    return (x > threshold).to(x.dtype)


@hookimpl
def actviz_activations() -> list[Activation]:
    inf = float("inf")
    return [
        Activation(
            name="relu",
            fn=torch.relu,
            derivative=_relu_d,
            formula=r"\max(0,\ x)",
            description=(
                "Passes positive inputs unchanged and zeroes the rest. The gradient is exactly "
                "1 where the unit is active, so deep ReLU nets do not suffer vanishing gradients "
                "and train fast. A unit whose input is negative for every example gets zero "
                "gradient forever: it has died, and a high learning rate kills many."
            ),
            family="relu-like",
            references=RELU_REFS,
            year=2010,
            use_cases=["default hidden activation for MLPs and CNNs", "piecewise-linear targets"],
            limitations=["dying units (zero gradient for x < 0)", "not zero-centred", "kink at 0"],
            output_range=(0.0, inf),
            smoothness="C0",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="leaky_relu",
            fn=_leaky_relu,
            derivative=_leaky_relu_d,
            params=[
                Param(
                    "negative_slope",
                    default=0.01,
                    min=0.0,
                    max=1.0,
                    description="slope for x < 0",
                )
            ],
            formula=r"\max(0,\ x) + s\,\min(0,\ x)",
            description=(
                "ReLU with a small slope s for negative inputs. The gradient there is s instead "
                "of 0, so a unit pushed negative can still recover: Leaky ReLU does not die."
            ),
            family="relu-like",
            references=["Maas, Hannun, Ng 2013, ICML Workshop on Deep Learning for Audio"],
            year=2013,
            use_cases=["drop-in ReLU replacement when many units die", "GAN discriminators"],
            limitations=["the slope is one more hyper-parameter", "kink at 0"],
            output_range=(-inf, inf),
            smoothness="C0",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="prelu",
            fn=_prelu,
            derivative=_prelu_d,
            params=[
                Param(
                    "a",
                    default=0.25,
                    min=-1.0,
                    max=1.0,
                    learnable=True,
                    description="learned slope for x < 0",
                )
            ],
            formula=r"\max(0,\ x) + a\,\min(0,\ x)",
            description=(
                "Leaky ReLU whose negative slope a is learned with the weights. It keeps a "
                "gradient for negative inputs like Leaky ReLU and lets the data choose how much; "
                "watch a move during training."
            ),
            family="relu-like",
            references=["He, Zhang, Ren, Sun 2015, ICCV, arXiv:1502.01852"],
            year=2015,
            use_cases=["image classifiers", "when the best negative slope is unknown"],
            limitations=["extra parameters can overfit small data", "a may drift above 1"],
            output_range=(-inf, inf),
            smoothness="C0",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="rrelu",
            fn=_rrelu,
            derivative=_rrelu_d,
            train_fn=_rrelu_train,
            params=[
                Param("lower", default=1 / 8, min=0.0, max=1.0, description="smallest slope"),
                Param("upper", default=1 / 3, min=0.0, max=1.0, description="largest slope"),
            ],
            formula=r"x\ \mathrm{if}\ x > 0,\ \ r\,x\ \mathrm{otherwise},\ "
            r"r \sim U(l,\ u)",
            description=(
                "Randomised Leaky ReLU: while training, each negative input gets its own slope "
                "drawn from U(lower, upper), a noise that acts as a regulariser; at evaluation "
                "the slope is fixed to the mean (lower + upper) / 2. Like Leaky ReLU it keeps "
                "a gradient for negative inputs."
            ),
            family="relu-like",
            references=["Xu, Wang, Chen, Li 2015, arXiv:1505.00853"],
            year=2015,
            use_cases=["regularising small-data image classifiers"],
            limitations=["training and evaluation outputs differ", "noisy gradients"],
            output_range=(-inf, inf),
            smoothness="C0",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="relu6",
            fn=_relu6,
            derivative=_relu6_d,
            formula=r"\min(\max(0,\ x),\ 6)",
            description=(
                "ReLU capped at 6. The bounded range suits low-precision (fixed-point) "
                "arithmetic on mobile hardware. Above 6 the gradient is zero, so it can "
                "saturate as well as die."
            ),
            family="relu-like",
            references=[
                "Krizhevsky 2010, Convolutional Deep Belief Networks on CIFAR-10 (tech. report)",
                "Howard et al. 2017, MobileNets, arXiv:1704.04861",
            ],
            year=2010,
            use_cases=["mobile networks with quantised activations"],
            limitations=["zero gradient below 0 and above 6", "two kinks"],
            output_range=(0.0, 6.0),
            smoothness="C0",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="threshold",
            fn=_threshold,
            derivative=_threshold_d,
            params=[
                Param("threshold", default=0.0, min=-5.0, max=5.0, description="cut-off point"),
                Param("value", default=0.0, min=-5.0, max=5.0, description="output below it"),
            ],
            formula=r"x\ \mathrm{if}\ x > \theta,\ v\ \mathrm{otherwise}",
            description=(
                "Keeps x above a threshold and replaces everything else with a constant. With "
                "the defaults (threshold 0, value 0) it is exactly ReLU; any value other than "
                "the threshold makes it jump, and the jump carries no gradient."
            ),
            family="relu-like",
            references=["Collobert, Kavukcuoglu, Farabet 2011, Torch7, BigLearn NIPS Workshop"],
            year=2011,
            use_cases=["generalising ReLU to other cut-offs", "sparse codes"],
            limitations=[
                "discontinuous whenever value differs from threshold",
                "zero gradient below the threshold, so units can die as in ReLU",
            ],
            output_range=(0.0, inf),
            smoothness="C0",
            monotonic=True,
            zero_centered=False,
        ),
    ]

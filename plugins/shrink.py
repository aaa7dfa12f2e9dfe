"""Shrinkage and soft-saturating functions: soft/hard shrink, tanhshrink, softsign, logsigmoid."""

from __future__ import annotations

import torch

from actviz import Activation, Param, hookimpl

Scalar = float | torch.Tensor


def _outside(x: torch.Tensor, lambd: Scalar) -> torch.Tensor:
    return (x > lambd) | (x < -lambd)


def _softshrink(x: torch.Tensor, lambd: Scalar = 0.5) -> torch.Tensor:
    shrunk = torch.where(x > lambd, x - lambd, x + lambd)
    return torch.where(_outside(x, lambd), shrunk, torch.zeros_like(x))


def _shrink_d(x: torch.Tensor, lambd: Scalar = 0.5) -> torch.Tensor:
    return _outside(x, lambd).to(x.dtype)


def _hardshrink(x: torch.Tensor, lambd: Scalar = 0.5) -> torch.Tensor:
    return torch.where(_outside(x, lambd), x, torch.zeros_like(x))


def _tanhshrink(x: torch.Tensor) -> torch.Tensor:
    return x - torch.tanh(x)


def _tanhshrink_d(x: torch.Tensor) -> torch.Tensor:
    t = torch.tanh(x)
    return t * t


def _softsign(x: torch.Tensor) -> torch.Tensor:
    return x / (1 + x.abs())


def _softsign_d(x: torch.Tensor) -> torch.Tensor:
    return 1 / (1 + x.abs()) ** 2


def _logsigmoid(x: torch.Tensor) -> torch.Tensor:
    # -log(1 + e^{-x}) via logaddexp: no overflow for very negative x.
    return -torch.logaddexp(-x, torch.zeros_like(x))


def _logsigmoid_d(x: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(-x)


def _lambd() -> Param:
    return Param("lambd", default=0.5, min=0.0, max=3.0, description="half-width of the dead zone")


@hookimpl
def actviz_activations() -> list[Activation]:
    inf = float("inf")
    return [
        Activation(
            name="softshrink",
            fn=_softshrink,
            derivative=_shrink_d,
            params=[_lambd()],
            formula=r"\mathrm{sign}(x)\,\max(|x|-\lambda,\ 0)",
            description=(
                "Soft thresholding: inputs within lambda of zero become zero, the rest move "
                "lambda toward zero. It is the proximal step of the L1 penalty, so it produces "
                "sparse codes; inside the dead zone the gradient is zero."
            ),
            family="shrinkage",
            references=[
                "Donoho 1995, De-noising by soft-thresholding, IEEE Trans. Inf. Theory 41(3)"
            ],
            year=1995,
            use_cases=["sparse coding (ISTA/LISTA)", "wavelet denoising"],
            limitations=["zero gradient in the dead zone [-lambda, lambda]", "kinks at ±lambda"],
            output_range=(-inf, inf),
            smoothness="C0",
            monotonic=True,
            zero_centered=True,
        ),
        Activation(
            name="hardshrink",
            fn=_hardshrink,
            derivative=_shrink_d,
            params=[_lambd()],
            formula=r"x\ \mathrm{if}\ |x| > \lambda,\ 0\ \mathrm{otherwise}",
            description=(
                "Hard thresholding: inputs within lambda of zero become zero, the rest pass "
                "unchanged. It jumps at ±lambda, and the jump carries no gradient."
            ),
            family="shrinkage",
            references=[
                "Donoho, Johnstone 1994, Ideal spatial adaptation by wavelet "
                "shrinkage, Biometrika 81(3)"
            ],
            year=1994,
            use_cases=["sparse coding", "wavelet denoising"],
            limitations=["discontinuous at ±lambda", "zero gradient in the dead zone"],
            output_range=(-inf, inf),
            smoothness="discontinuous",
            monotonic=True,
            zero_centered=True,
        ),
        Activation(
            name="tanhshrink",
            fn=_tanhshrink,
            derivative=_tanhshrink_d,
            formula=r"x - \tanh(x)",
            description=(
                "What tanh leaves out: nearly flat around zero (it grows like x^3/3) and "
                "nearly the identity far out. A smooth shrinkage whose gradient vanishes near "
                "zero instead of in the tails."
            ),
            family="shrinkage",
            references=["Collobert, Kavukcuoglu, Farabet 2011, Torch7, BigLearn NIPS Workshop"],
            year=2011,
            use_cases=["smooth sparse coding", "residual-like units"],
            limitations=["tiny gradient near 0, where most inputs lie at initialisation"],
            output_range=(-inf, inf),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=True,
        ),
        Activation(
            name="softsign",
            fn=_softsign,
            derivative=_softsign_d,
            formula=r"\frac{x}{1+|x|}",
            description=(
                "A tanh-like squashing into (-1, 1) that approaches its asymptotes "
                "polynomially rather than exponentially, so it saturates more gently and its "
                "gradient decays like 1/x^2 instead of vanishing. Its second derivative jumps "
                "at 0."
            ),
            family="sigmoid-like",
            references=[
                "Glorot, Bengio 2010, AISTATS (difficulty of training deep feedforward nets)",
                "Turian, Bergstra, Bengio 2009, NIPS Workshop (quadratic features)",
            ],
            year=2009,
            use_cases=["bounded activation with slower saturation than tanh"],
            limitations=["still saturates", "f'' discontinuous at 0"],
            output_range=(-1.0, 1.0),
            smoothness="C1",
            monotonic=True,
            zero_centered=True,
        ),
        Activation(
            name="logsigmoid",
            fn=_logsigmoid,
            derivative=_logsigmoid_d,
            formula=r"\ln\,\sigma(x) = -\ln(1+e^{-x})",
            description=(
                "The logarithm of the sigmoid: minus softplus of -x. Always negative, linear "
                "for very negative x and flat near 0 for large x. It is the log-likelihood "
                "term of logistic regression, computed here without overflow."
            ),
            family="sigmoid-like",
            references=[
                "Bishop 2006, Pattern Recognition and Machine Learning, Springer "
                "(logistic log-likelihood)"
            ],
            year=2006,
            use_cases=["numerically stable log-probabilities", "losses of binary classifiers"],
            limitations=["not zero-centred", "gradient vanishes for large positive x"],
            output_range=(-inf, 0.0),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=False,
        ),
    ]

"""Activations for coordinate networks: the SIREN sine and the Gaussian bump."""

from __future__ import annotations

import torch

from actviz import Activation, Param, hookimpl

Scalar = float | torch.Tensor

SIREN_INIT = (
    "SIREN initialisation (Sitzmann et al. 2020): first layer W ~ U(-1/n, 1/n); every later "
    "layer W ~ U(-sqrt(6/n)/w0, sqrt(6/n)/w0), n = fan-in. Since the activation computes "
    "sin(w0 x), each hidden pre-activation w0 W x is then about N(0, 1) and each output "
    "arcsine-distributed, whatever the depth."
)


def _sine(x: torch.Tensor, w0: Scalar = 30.0) -> torch.Tensor:
    return torch.sin(w0 * x)


def _sine_d(x: torch.Tensor, w0: Scalar = 30.0) -> torch.Tensor:
    return w0 * torch.cos(w0 * x)


def _gaussian(x: torch.Tensor, sigma: Scalar = 1.0) -> torch.Tensor:
    z = x / sigma
    return torch.exp(-0.5 * z * z)


def _gaussian_d(x: torch.Tensor, sigma: Scalar = 1.0) -> torch.Tensor:
    z = x / sigma
    return -z / sigma * torch.exp(-0.5 * z * z)


@hookimpl
def actviz_activations() -> list[Activation]:
    return [
        Activation(
            name="sine",
            fn=_sine,
            derivative=_sine_d,
            params=[Param("w0", default=30.0, min=1.0, max=60.0, description="frequency")],
            formula=r"\sin(\omega_0\,x)",
            description=(
                "The SIREN activation: a sine with a high frequency w0 = 30, so that even the "
                "first layer spans many periods. Networks of sines fit images, audio and signed "
                "distance fields with fine detail, and their derivatives are again sines, so "
                "they also fit gradients of a signal. They need their own initialisation."
            ),
            family="periodic",
            references=[
                "Sitzmann, Martel, Bergman, Lindell, Wetzstein 2020, NeurIPS, arXiv:2006.09661"
            ],
            year=2020,
            use_cases=["implicit neural representations", "signal fitting", "PDE solutions"],
            limitations=[
                "fails without the SIREN initialisation",
                "many local minima; poor for classification",
            ],
            output_range=(-1.0, 1.0),
            smoothness="Cinf",
            monotonic=False,
            zero_centered=True,
            init="siren",
            extra={"init": SIREN_INIT},
        ),
        Activation(
            name="gaussian",
            fn=_gaussian,
            derivative=_gaussian_d,
            params=[Param("sigma", default=1.0, min=0.05, max=5.0, description="width")],
            formula=r"\exp\left(-\frac{x^2}{2\sigma^2}\right)",
            description=(
                "A bell-shaped bump: 1 at zero, vanishing in both tails. It responds to "
                "closeness rather than sign, as the units of radial-basis-function networks do, "
                "and as an activation of coordinate networks it fits high-frequency signals "
                "without a special initialisation. Far from zero the gradient vanishes."
            ),
            family="radial",
            references=[
                "Broomhead, Lowe 1988, Complex Systems 2 (radial basis function networks)",
                "Ramasinghe, Lucey 2022, Beyond Periodicity, ECCV, arXiv:2111.15135",
            ],
            year=1988,
            use_cases=["implicit neural representations", "RBF-like local features"],
            limitations=["gradient vanishes for |x| >> sigma", "non-monotone"],
            output_range=(0.0, 1.0),
            smoothness="Cinf",
            monotonic=False,
            zero_centered=False,
        ),
    ]

"""Tasks the built-in lessons need: heavy-tailed regression, a potential, a kinked value function.

Each regression task keeps its noise-free target in ``extras["target"]`` (and the
potential its force in ``extras["force"]``), so a lesson can compare a fitted curve,
or its derivative, with the truth rather than with noisy samples.
"""

from __future__ import annotations

import torch

from actviz import Task, hookimpl


def _cauchy(shape: tuple[int, ...], gen: torch.Generator) -> torch.Tensor:
    """Standard Cauchy draws (Student-t with one degree of freedom): no mean, no variance."""
    return torch.randn(shape, generator=gen) / torch.randn(shape, generator=gen).abs()


def _outlier_target(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(x)


def _outliers(n: int, noise: float, gen: torch.Generator):
    """Cauchy inputs and Cauchy noise: most points are tame, a few lie very far out."""
    x = _cauchy((n, 1), gen)
    return x, _outlier_target(x) + noise * _cauchy((n, 1), gen)


def _energy(x: torch.Tensor) -> torch.Tensor:
    """A tilted double well, E(x) = x^4/4 - x^2 + x/4."""
    return 0.25 * x**4 - x**2 + 0.25 * x


def _force(x: torch.Tensor) -> torch.Tensor:
    """F = -dE/dx."""
    return -(x**3 - 2 * x + 0.25)


def _potential(n: int, noise: float, gen: torch.Generator):
    x = -2.0 + 4.0 * torch.rand((n, 1), generator=gen)
    return x, _energy(x) + noise * torch.randn((n, 1), generator=gen)


def _value(x: torch.Tensor) -> torch.Tensor:
    """Value of wealth x with a borrowing constraint binding below 0.

    Constrained (x < 0) every extra unit is consumed at once: slope 1. Unconstrained,
    consumption is smoothed and the value is concave with slope 0.3 at 0: a kink.
    """
    return torch.where(x < 0, x, 0.6 * (1 - torch.exp(-0.5 * x)))


def _value_kink(n: int, noise: float, gen: torch.Generator):
    x = -2.0 + 5.0 * torch.rand((n, 1), generator=gen)
    return x, _value(x) + noise * torch.randn((n, 1), generator=gen)


@hookimpl
def actviz_tasks() -> list[Task]:
    return [
        Task(
            name="outliers",
            sample=_outliers,
            description=(
                "y = tanh(x) with Cauchy-distributed inputs and Cauchy noise: a few points "
                "lie hundreds of units out, and squared error magnifies them."
            ),
            kind="regression",
            input_dim=1,
            loss="mse",
            metric="r2",
            default_points=400,
            default_noise=0.1,
            domain=((-5.0, 5.0),),
            noise_help="scale of the Cauchy noise added to the targets",
            extras={"target": _outlier_target},
        ),
        Task(
            name="potential",
            sample=_potential,
            description=(
                "A tilted double-well energy E(x) on [-2, 2]; the force -dE/dx is what a "
                "simulation would take from the fitted network."
            ),
            kind="regression",
            input_dim=1,
            loss="mse",
            metric="r2",
            default_points=200,
            default_noise=0.01,
            domain=((-2.0, 2.0),),
            noise_help="standard deviation of Gaussian noise added to the energies",
            extras={"target": _energy, "force": _force},
        ),
        Task(
            name="value_kink",
            sample=_value_kink,
            description=(
                "A value function of wealth with a borrowing constraint: slope 1 where the "
                "constraint binds (x < 0), concave above, a kink at 0."
            ),
            kind="regression",
            input_dim=1,
            loss="mse",
            metric="r2",
            default_points=200,
            default_noise=0.0,
            domain=((-2.0, 3.0),),
            noise_help="standard deviation of Gaussian noise added to the values",
            extras={"target": _value, "kink": 0.0},
        ),
    ]

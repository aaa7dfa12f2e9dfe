"""Learnable activations whose shape is trained with the network.

Each uses a tensor-valued ``Param`` (see docs/plugin-guide.md for the shapes ``fn``
receives): a rational (Padé) function with vector coefficients, a B-spline with
learnable control points and a degree option, an adaptive piecewise-linear unit with
per-unit hinges, and PReLU with one slope per unit.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from actviz import Activation, Param, hookimpl

# -- rational (Padé) ------------------------------------------------------------------

#: Least-squares fit of the 5/4 rational below to leaky ReLU (slope 0.01) on [-3, 3]
#: (LBFGS in float64, best of 20 starts; max |error| 0.029). ``tests/test_learnable.py``
#: checks the fit.
PADE_NUMERATOR = (0.029379, 0.630851, 2.402994, 3.180457, 1.554894, 0.263496)
PADE_DENOMINATOR = (1.278297, 4.440481, -0.984416, 0.352057)


def pade(x: torch.Tensor, p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Safe rational ``P5(x) / (1 + sum |q_k| |x|^k)``. Numerator and denominator are
    divided by ``m^5``, ``m = max(1, |x|)``, so no power overflows at any finite x; both
    are evaluated by Horner's rule in ``u = x/m`` and ``w = 1/m``."""
    m = x.abs().clamp_min(1.0)
    w = m.reciprocal()
    u = x * w
    w2 = w * w
    w3 = w2 * w
    num = p[..., 5] * u + p[..., 4] * w
    num = num * u + p[..., 3] * w2
    num = num * u + p[..., 2] * w3
    num = num * u + p[..., 1] * (w2 * w2)
    num = num * u + p[..., 0] * (w2 * w3)
    a, b = u.abs(), q.abs()
    den = b[..., 3] * a + b[..., 2] * w
    den = den * a + b[..., 1] * w2
    den = den * a + b[..., 0] * w3
    return num / (w2 * w3 + a * w * den)


# -- B-spline ---------------------------------------------------------------------------

SPLINE_POINTS = 12
SPLINE_REACH = 4.0
#: The abscissae the control points sit over (the Greville abscissae, the same for every
#: degree with the knots below), so control point i is roughly f(SPLINE_GRID[i]).
SPLINE_GRID = np.linspace(-SPLINE_REACH, SPLINE_REACH, SPLINE_POINTS)


SPLINE_STEP = 2 * SPLINE_REACH / (SPLINE_POINTS - 1)


def _knot(j: float, degree: int) -> float:
    return -SPLINE_REACH + (j - (degree + 1) / 2) * SPLINE_STEP


@functools.lru_cache(maxsize=16)
def _piece_matrix(degree: int) -> np.ndarray:
    """``M`` with ``f = [1, t, .., t^d] @ M @ c[j-d .. j]`` on cell ``j``, ``t`` in [0, 1]:
    the uniform B-spline's pieces as polynomials (from Cox-de Boor, solved once)."""
    t = np.linspace(0.0, 1.0, degree + 1)
    values = np.array([[_cardinal(degree, ti + degree - r) for r in range(degree + 1)] for ti in t])
    powers = np.vander(t, degree + 1, increasing=True)
    return np.linalg.solve(powers, values)


def _cardinal(degree: int, u: float) -> float:
    """The cardinal B-spline of ``degree`` on [0, degree + 1] (Cox-de Boor)."""
    if degree == 0:
        return 1.0 if 0.0 <= u < 1.0 else 0.0
    return (u * _cardinal(degree - 1, u) + (degree + 1 - u) * _cardinal(degree - 1, u - 1)) / degree


def _pieces(degree: int, like: torch.Tensor) -> torch.Tensor:
    key = (degree, like.dtype, like.device)
    if key not in _PIECES:
        _PIECES[key] = torch.as_tensor(_piece_matrix(degree), dtype=like.dtype, device=like.device)
    return _PIECES[key]


_PIECES: dict[tuple, torch.Tensor] = {}


def bspline(x: torch.Tensor, c: torch.Tensor, degree: int) -> torch.Tensor:
    """Uniform B-spline through learnable control points ``c``, extended linearly
    beyond its knots (value and slope of the end points), so it is finite everywhere.
    Each x gathers the ``degree + 1`` control points of its cell and evaluates that
    cell's polynomial: no host sync, so a CUDA graph can capture it."""
    d = int(degree)
    first = _knot(0, d)
    low, high = _knot(d, d), _knot(SPLINE_POINTS, d)
    inside = x.clamp(low, high)
    position = (inside - first) / SPLINE_STEP
    cell = position.floor().clamp(d, SPLINE_POINTS - 1)
    t = position - cell
    m = _pieces(d, x)
    powers = torch.stack([t**k for k in range(d + 1)], dim=-1) if d else t.unsqueeze(-1) ** 0
    index = (cell.long() - d).unsqueeze(-1) + torch.arange(d + 1, device=x.device)
    near = torch.gather(c.expand(*x.shape, SPLINE_POINTS), -1, index)
    y = ((powers @ m) * near).sum(-1)
    if d == 0:
        return y
    slope_low = (m[1] * c[..., : d + 1]).sum(-1) / SPLINE_STEP
    weights = torch.arange(d + 1, dtype=x.dtype, device=x.device) @ m
    slope_high = (weights * c[..., SPLINE_POINTS - 1 - d :]).sum(-1) / SPLINE_STEP
    return y + slope_low * (x - inside).clamp(max=0) + slope_high * (x - inside).clamp(min=0)


def _spline_start(seed: int, width: int) -> np.ndarray:
    """Leaky ReLU (slope 0.1) at the grid: a ReLU-like start the spline can bend."""
    return np.where(SPLINE_GRID > 0, SPLINE_GRID, 0.1 * SPLINE_GRID)


# -- adaptive piecewise linear ----------------------------------------------------------

APL_HINGES = 2


def apl(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``max(0, x) + sum_s a_s max(0, b_s - x)``, with ``a``, ``b`` per unit."""
    out = torch.relu(x)
    for s in range(APL_HINGES):
        out = out + a[..., s] * torch.relu(b[..., s] - x)
    return out


def _apl_hinges(seed: int, width: int) -> np.ndarray:
    """Hinge positions drawn per seed in [-1, 1]: distinct units start distinct."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(width, APL_HINGES))


# -- PReLU per unit ---------------------------------------------------------------------


def prelu_units(x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return torch.where(x >= 0, x, a * x)


@hookimpl
def actviz_activations() -> list[Activation]:
    inf = float("inf")
    return [
        Activation(
            name="pade",
            fn=pade,
            params=[
                Param("p", PADE_NUMERATOR, shape=(6,), learnable=True, description="numerator"),
                Param("q", PADE_DENOMINATOR, shape=(4,), learnable=True, description="denominator"),
            ],
            formula=r"\frac{\sum_{k=0}^{5} p_k x^k}{1 + \sum_{k=1}^{4} |q_k|\,|x|^k}",
            description=(
                "A learnable rational function (safe Padé activation unit, degree 5/4). It "
                "starts as a least-squares fit to leaky ReLU on [-3, 3] and each layer learns "
                "its own 10 coefficients."
            ),
            family="learnable",
            references=["Molina, Schramowski, Kersting 2020, ICLR, arXiv:1907.06732"],
            year=2020,
            use_cases=["letting the network choose its nonlinearity", "smooth ReLU-like shapes"],
            limitations=[
                "grows like (p5/|q4|) x beyond the fitted range, on both sides",
                "a kink at 0 (the |x| that keeps the denominator positive)",
                "the initial fit only holds on [-3, 3]",
            ],
            output_range=(-inf, inf),
            smoothness="C0",  # |x| in the denominator: f' jumps at 0
        ),
        Activation(
            name="bspline",
            fn=bspline,
            params=[
                Param(
                    "c",
                    _spline_start,
                    shape=(SPLINE_POINTS,),
                    learnable=True,
                    description="control points over -4..4",
                ),
                Param.integer(
                    "degree", 3, min=1, max=5, description="spline degree: C^(degree-1) smooth"
                ),
            ],
            formula=r"\sum_i c_i B_{i,d}(x)",
            description=(
                "A uniform B-spline through 12 learnable control points over [-4, 4], "
                "extended linearly outside. The degree is the smoothness dial: degree 1 is "
                "piecewise linear (kinks), degree 2 has a continuous slope, degree 3 a "
                "continuous curvature."
            ),
            family="learnable",
            references=["Bohra, Campos, Goujon, Unser 2020, IEEE OJSP, arXiv:2001.06263"],
            year=2020,
            use_cases=["seeing how smoothness changes what a network learns"],
            limitations=["only the part over [-4, 4] can bend; beyond it is linear"],
            output_range=(-inf, inf),
        ),
        Activation(
            name="apl",
            fn=apl,
            params=[
                Param(
                    "a",
                    0.0,
                    shape=("per_unit", APL_HINGES),
                    learnable=True,
                    description="hinge slopes",
                ),
                Param(
                    "b",
                    _apl_hinges,
                    shape=("per_unit", APL_HINGES),
                    learnable=True,
                    description="hinge positions",
                ),
            ],
            formula=r"\max(0, x) + \sum_{s=1}^{2} a_s \max(0, b_s - x)",
            description=(
                "Adaptive piecewise-linear unit: ReLU plus two hinges whose slopes and "
                "positions each unit learns. It starts as ReLU (a = 0)."
            ),
            family="learnable",
            references=["Agostinelli, Hoffman, Sadowski, Baldi 2015, arXiv:1412.6830"],
            year=2015,
            use_cases=["per-unit shapes in small networks"],
            limitations=["4 extra parameters per unit", "kinks at 0 and at every hinge"],
            smoothness="C0",
        ),
        Activation(
            name="prelu_units",
            fn=prelu_units,
            params=[
                Param(
                    "a",
                    0.25,
                    min=-1.0,
                    max=1.0,
                    shape="per_unit",
                    learnable=True,
                    description="negative slope of each unit",
                )
            ],
            formula=r"\max(0, x) + a_u \min(0, x)",
            description=(
                "PReLU with one learned negative slope per hidden unit, as "
                "torch.nn.PReLU(num_parameters=units)."
            ),
            family="learnable",
            references=["He, Zhang, Ren, Sun 2015, ICCV, arXiv:1502.01852"],
            year=2015,
            use_cases=["when units should choose their own leakiness"],
            limitations=["one extra parameter per unit", "kink at 0"],
            output_range=(-inf, inf),
            smoothness="C0",
            monotonic=None,
        ),
    ]

"""Learnable activations whose shape is trained with the network.

Each uses a tensor-valued ``Param`` (see docs/plugin-guide.md for the shapes ``fn``
receives): a rational (Padé) function with vector coefficients, a B-spline with
learnable control points and a degree option, an adaptive piecewise-linear unit with
per-unit hinges, and PReLU with one slope per unit.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from actviz import Activation, Param, hookimpl

# Why these functions have hand-written backward passes: a race applies an activation
# to a small tensor (a few seeds x 8 units x 140 points), where each torch operation costs
# its dispatch (a few microseconds) and its arithmetic almost nothing. Written as plain
# tensor code, autograd records every operation (a Horner step, an index, a clamp) and
# replays about twice as many in the backward pass: Padé cost 26x ReLU, the B-spline 37x.
# Each function below is one ``torch.autograd.Function``: the forward keeps what the
# backward needs, and the backward is the derivative in closed form, a handful of
# operations for the input and each parameter. The maths is the same; the formulas in
# the docstrings are the reference (tests compare with autograd through them).

_CONSTANTS: dict[tuple, torch.Tensor] = {}


def _constant(key: str, values, like: torch.Tensor, dtype: torch.dtype | None = None):
    """``values`` as a tensor on ``like``'s device (and dtype), made once: no copy from
    the host on later calls (a CUDA graph could not capture one)."""
    dtype = like.dtype if dtype is None else dtype
    k = (key, dtype, like.device)
    if k not in _CONSTANTS:
        _CONSTANTS[k] = torch.as_tensor(np.asarray(values), dtype=dtype, device=like.device)
    return _CONSTANTS[k]


def _tensor(value, like: torch.Tensor) -> torch.Tensor:
    """A parameter given as numbers (a tuple, a float) as a tensor beside ``x``."""
    if isinstance(value, torch.Tensor):
        return value
    return torch.as_tensor(value, dtype=like.dtype, device=like.device)


def _first(coefficients: torch.Tensor, ndim: int) -> torch.Tensor:
    """Coefficients ``[..., k]`` as ``[k, 1.., ...]``, to broadcast against terms stacked
    on a new first axis over ``ndim`` axes (sums over that axis run on contiguous memory)."""
    batch = coefficients.shape[:-1]
    if len(batch) == ndim:  # a race's layout: a view, no reshape
        return coefficients.movedim(-1, 0)
    shape = (coefficients.shape[-1], *[1] * (ndim - len(batch)), *batch)
    return coefficients.movedim(-1, 0).reshape(shape)


def _to_coefficients(terms: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Stacked terms ``[k, ...]`` summed down to a coefficient tensor shaped ``like``."""
    batch = like.shape[:-1]
    shape = (like.shape[-1], *[1] * (terms.dim() - 1 - len(batch)), *batch)
    return terms.sum_to_size(shape).reshape(like.shape[-1], *batch).movedim(0, -1)


def _broadcast(shape: torch.Size, *coefficients: torch.Tensor) -> torch.Size:
    """``shape`` broadcast with each coefficient tensor's leading axes (remembered: a
    race asks the same question every step, and ``torch.broadcast_shapes`` is Python)."""
    key = (shape, *(c.shape for c in coefficients))
    found = _SHAPES.get(key)
    if found is None:
        found = torch.broadcast_shapes(shape, *(c.shape[:-1] for c in coefficients))
        if len(_SHAPES) > 256:
            _SHAPES.clear()
        _SHAPES[key] = found
    return found


_SHAPES: dict[tuple, torch.Size] = {}


def _where_positive(grad: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """``grad`` where ``value > 0``, else 0: ReLU's own backward kernel, one operation
    (``torch.where(value > 0, grad, 0.0)`` is three)."""
    return torch.ops.aten.threshold_backward(grad, value, 0.0)


def _to_shape(grad: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """A gradient summed over the axes its input was broadcast along."""
    return grad if grad.shape == shape else grad.sum_to_size(shape)


# -- rational (Padé) ------------------------------------------------------------------

#: Least-squares fit of the 5/4 rational below to leaky ReLU (slope 0.01) on [-3, 3]
#: (LBFGS in float64, best of 20 starts; max |error| 0.029). ``tests/test_learnable.py``
#: checks the fit.
PADE_NUMERATOR = (0.029379, 0.630851, 2.402994, 3.180457, 1.554894, 0.263496)
PADE_DENOMINATOR = (1.278297, 4.440481, -0.984416, 0.352057)


class _Pade(torch.autograd.Function):
    """``f = P(x) / Q(x)``, ``P = sum_k p_k x^k``, ``Q = 1 + sum_j |q_j| |x|^(j+1)``, with
    both divided by ``m^5``, ``m = max(1, |x|)``, so no power overflows at any finite x:
    the scaled monomials ``B_k = x^k / m^5 = u^k w^(5-k)`` (``u = x/m``, ``w = 1/m``) are
    stacked once and ``N = sum p_k B_k``, ``D = w^5 + sum |q_j| |B_(j+1)|``.

    Backward: ``f' = (P' - f Q') / Q`` with ``P'/m^5 = sum k p_k B_(k-1)`` and
    ``Q'/m^5 = sign(x) sum (j+1) |q_j| |B_j|``; ``df/dp_k = B_k / D``;
    ``df/dq_j = -f sign(q_j) |B_(j+1)| / D``."""

    @staticmethod
    def forward(ctx, x, p, q):
        ctx.x_shape = x.shape
        shape = _broadcast(x.shape, p, q)
        if shape != x.shape:
            x = x.expand(shape)
        a = x.abs()
        w = a.clamp_min(1.0).reciprocal_()
        u = x * w
        w2 = w * w
        w4 = w2 * w2
        u2 = u * u
        u4 = u2 * u2
        u2w = u2 * w
        terms = torch.stack([w4 * w, u * w4, u2w * w2, u2w * u * w, u4 * w, u4 * u])
        sizes = terms.abs()
        n = x.dim()
        num = (terms * _first(p, n)).sum(0)
        den = (sizes[1:5] * _first(q.abs(), n)).sum(0).add_(sizes[0])
        f = num / den
        ctx.save_for_backward(x, p, q, terms, sizes, den, f)
        return f

    @staticmethod
    def backward(ctx, g):
        x, p, q, terms, sizes, den, f = ctx.saved_tensors
        n = x.dim()
        r = g / den
        dx = dp = dq = None
        if ctx.needs_input_grad[0]:
            dn = (
                terms[:5] * _first(p[..., 1:] * _constant("pade powers 5", (1, 2, 3, 4, 5), p), n)
            ).sum(0)
            k4 = _constant("pade powers 4", (1, 2, 3, 4), q)
            dd = (sizes[:4] * _first(q.abs() * k4, n)).sum(0) * x.sign()
            dx = _to_shape(r * (dn - f * dd), ctx.x_shape)
        if ctx.needs_input_grad[1]:
            dp = _to_coefficients(terms * r, p)
        if ctx.needs_input_grad[2]:
            dq = _to_coefficients(sizes[1:5] * (r * f), q) * -q.sign()
        return dx, dp, dq


def pade(x: torch.Tensor, p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Safe rational ``P5(x) / (1 + sum |q_k| |x|^k)`` (see ``_Pade``)."""
    return _Pade.apply(x, _tensor(p, x), _tensor(q, x))


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


@functools.lru_cache(maxsize=16)
def _spline_table(degree: int) -> np.ndarray:
    """The linear map from the control points to every cell's polynomial:
    ``(c @ L)[j * K + k]`` is the coefficient of ``t^k`` on cell ``j`` (``K = degree + 2``),
    and ``[j * K + degree + 1]`` the slope of the straight extension leaving the first
    (left) or last (right) cell, 0 on the others."""
    d = int(degree)
    m = _piece_matrix(d)
    cells, width = SPLINE_POINTS - d, d + 2
    table = np.zeros((SPLINE_POINTS, cells * width))
    for j in range(cells):
        table[j : j + d + 1, j * width : j * width + d + 1] = m.T
    if d:
        table[: d + 1, d + 1] = m[1] / SPLINE_STEP
        last = (cells - 1) * width + d + 1
        table[cells - 1 :, last] = np.arange(d + 1) @ m / SPLINE_STEP
    return table


def _spline_entries(d: int, batch: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    """``[degree + 2, *batch]`` flat positions in the coefficient table ``[*batch, E]``
    of the first cell's entries, for every row of control points: adding ``K * cell``
    gives each x's entries. In x's float dtype, where that arithmetic is cheapest
    (exact: a table has far fewer than 2^24 entries)."""
    key = (f"spline entries {d}", batch, like.dtype, like.device)
    if key not in _CONSTANTS:
        width = d + 2
        size = (SPLINE_POINTS - d) * width
        rows = np.arange(int(np.prod(batch, dtype=int))).reshape(batch) * size
        first = (np.arange(width) - d * width).reshape(width, *[1] * len(batch))
        _CONSTANTS[key] = torch.as_tensor(rows + first, dtype=like.dtype, device=like.device)
    return _CONSTANTS[key]


class _BSpline(torch.autograd.Function):
    """Uniform B-spline through control points ``c``, extended linearly beyond its
    knots. Each x finds its cell and reads that cell's polynomial coefficients from a
    table linear in ``c`` (``_spline_table``), plus the extension's slope:
    ``f = sum_k a_k t^k + slope (x - clamp(x))``. No host sync, so a CUDA graph can
    capture it.

    Backward: ``f' = (sum_k k a_k t^(k-1)) / step`` (outside the knots this is the end
    slope, the extension's definition); ``df/dc`` adds ``g t^k`` and ``g (x - clamp(x))``
    into the table entries each x used (one ``scatter_add_``) and maps them back to
    ``c`` through the table's transpose."""

    @staticmethod
    def forward(ctx, x, c, degree):
        d = int(degree)
        batch = (1,) * (x.dim() + 1 - c.dim()) + tuple(c.shape[:-1])
        table = c @ _constant(f"spline table {d}", _spline_table(d), c)
        # NaN reads cell 0's entries; it stays NaN through x - inside below
        inside = torch.nan_to_num(x, 0.0, math.inf, -math.inf).clamp_(
            _knot(d, d), _knot(SPLINE_POINTS, d)
        )
        position = inside.sub(_knot(0, d)).mul_(1.0 / SPLINE_STEP)
        cell = position.floor().clamp_(d, SPLINE_POINTS - 1)  # rounding may leave [d, 12]
        t = position - cell
        entries = torch.add(_spline_entries(d, batch, x), cell, alpha=d + 2).long()
        near = table.reshape(-1).index_select(0, entries.view(-1)).view(entries.shape)
        y = near[d]  # near: [degree + 2, *shape], a_0 .. a_d and the extension's slope
        for k in range(d - 1, -1, -1):
            y = torch.addcmul(near[k], y, t)
        beyond = x - inside
        y = torch.addcmul(y, near[d + 1], beyond) if d else y + beyond * 0
        ctx.save_for_backward(x, c, t, beyond, near, entries)
        ctx.degree = d
        return y

    @staticmethod
    def backward(ctx, g):
        x, c, t, beyond, near, entries = ctx.saved_tensors
        d = ctx.degree
        dx = dc = None
        if ctx.needs_input_grad[0]:
            if d:
                k = _constant(f"spline slopes {d}", np.arange(1, d + 1) / SPLINE_STEP, x)
                slope = near[1 : d + 1] * k.view(d, *[1] * (near.dim() - 1))
                dy = slope[d - 1]
                for j in range(d - 2, -1, -1):
                    dy = torch.addcmul(slope[j], dy, t)
                dx = _to_shape(g * dy, x.shape)
            else:
                dx = torch.zeros_like(x)
        if ctx.needs_input_grad[1]:
            columns = [g.expand(entries.shape[1:])]
            for _ in range(d):
                columns.append(columns[-1] * t)
            columns.append(g * beyond if d else torch.zeros_like(columns[0]))
            transpose = _constant(f"spline table {d} T", _spline_table(d).T, c)
            spread = g.new_zeros(*c.shape[:-1], transpose.shape[0])
            spread.view(-1).scatter_add_(0, entries.view(-1), torch.stack(columns).view(-1))
            dc = spread @ transpose
        return dx, dc, None


def bspline(x: torch.Tensor, c: torch.Tensor, degree: int) -> torch.Tensor:
    """Uniform B-spline through learnable control points ``c``, extended linearly
    beyond its knots (value and slope of the end points), so it is finite everywhere
    (``_BSpline``)."""
    return _BSpline.apply(x, _tensor(c, x), int(degree))


def _spline_start(seed: int, width: int) -> np.ndarray:
    """Leaky ReLU (slope 0.1) at the grid: a ReLU-like start the spline can bend."""
    return np.where(SPLINE_GRID > 0, SPLINE_GRID, 0.1 * SPLINE_GRID)


# -- adaptive piecewise linear ----------------------------------------------------------

APL_HINGES = 2


class _APL(torch.autograd.Function):
    """``max(0, x) + sum_s a_s max(0, b_s - x)``, every hinge at once on a stacked first
    axis. Backward: ``f' = [x > 0] - sum_s a_s [b_s > x]``; ``df/da_s = max(0, b_s - x)``;
    ``df/db_s = a_s [b_s > x]``."""

    @staticmethod
    def forward(ctx, x, a, b):
        ctx.x_shape = x.shape
        shape = _broadcast(x.shape, a, b)
        if shape != x.shape:
            x = x.expand(shape)
        n = x.dim()
        a_s = _first(a, n)
        hinges = torch.relu(_first(b, n) - x)
        ramp = torch.relu(x)
        ctx.save_for_backward(ramp, hinges, a, b, a_s)
        ctx.x_shape = x.shape
        return ramp + (hinges * a_s).sum(0)

    @staticmethod
    def backward(ctx, g):
        ramp, hinges, a, b, a_s = ctx.saved_tensors
        active = _where_positive(g, hinges)
        sloped = active * a_s
        dx = da = db = None
        if ctx.needs_input_grad[0]:
            dx = _where_positive(g, ramp) - sloped.sum(0)
            dx = _to_shape(dx, ctx.x_shape)
        if ctx.needs_input_grad[1]:
            da = _to_coefficients(hinges * g, a)
        if ctx.needs_input_grad[2]:
            db = _to_coefficients(sloped, b)
        return dx, da, db


def apl(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``max(0, x) + sum_s a_s max(0, b_s - x)``, with ``a``, ``b`` per unit (``_APL``)."""
    return _APL.apply(x, _tensor(a, x), _tensor(b, x))


def _apl_hinges(seed: int, width: int) -> np.ndarray:
    """Hinge positions drawn per seed in [-1, 1]: distinct units start distinct."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(width, APL_HINGES))


# -- PReLU per unit ---------------------------------------------------------------------


class _PReLUUnits(torch.autograd.Function):
    """``x`` where ``x >= 0``, else ``a x``: ``x`` times its slope, which the backward
    reuses. Backward: ``f' = 1`` or ``a``; ``df/da = min(x, 0)``."""

    @staticmethod
    def forward(ctx, x, a):
        slope = torch.where(x >= 0, _constant("one", 1.0, x), a)
        ctx.save_for_backward(x, a, slope)
        return x * slope

    @staticmethod
    def backward(ctx, g):
        x, a, slope = ctx.saved_tensors
        dx = _to_shape(g * slope, x.shape) if ctx.needs_input_grad[0] else None
        da = _to_shape(g * x.clamp(max=0.0), a.shape) if ctx.needs_input_grad[1] else None
        return dx, da


def prelu_units(x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """``max(0, x) + a min(0, x)`` with ``a`` per unit (``_PReLUUnits``)."""
    return _PReLUUnits.apply(x, _tensor(a, x))


# A race calls these functions' forward and backward directly, without autograd's
# bookkeeping (docs/plugin-guide.md, "A custom backward"): arguments after x in the
# order of the activation's params.
pade.autograd_function = _Pade
bspline.autograd_function = _BSpline
apl.autograd_function = _APL
prelu_units.autograd_function = _PReLUUnits


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

"""torch's fused kernels for activations it ships, where they compute the plugin's function.

A plugin writes GELU as five tensor operations (``x * 0.5 * erfc(-x / sqrt 2)``) and its
derivative as nine; torch has one kernel for each (``gelu``, ``gelu_backward``). In a toy
network each operation costs its dispatch, so the tape-free step (``tape_free.py``)
computes an activation with its *twin* when the plugin's name is a twin's name **and**
the twin agrees with the plugin's ``fn`` and with autograd through it, at the race's
parameter values, on a probe that sweeps [-30, 30] and beyond (``act_units.py``). A
plugin that merely shares a name but computes something else fails the check and keeps
its own code.

A twin is ``forward(z, **params) -> h`` and ``backward(grad, z, h, **params) -> dz``,
both torch kernels with no Python scalars wrapped per call. torch's hardtanh, relu6,
hardsigmoid, hardswish and the shrinks are left out: they keep NaN where the built-in
plugins' ``where``/``clamp`` formulas give a number, so they would never pass the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

aten = torch.ops.aten


@dataclass(frozen=True)
class Twin:
    forward: Callable[..., torch.Tensor]
    backward: Callable[..., torch.Tensor]
    #: the float parameters the twin takes (any other parameter rules it out)
    params: tuple[str, ...] = ()
    #: parameter values the twin needs (SiLU's twin is for beta = 1 only)
    needs: tuple[tuple[str, float], ...] = ()


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _elu_backward(g: torch.Tensor, z: torch.Tensor, h: torch.Tensor, alpha: float = 1.0):
    return aten.elu_backward(g, alpha, 1.0, 1.0, False, z)


def _celu_backward(g: torch.Tensor, z: torch.Tensor, h: torch.Tensor, alpha: float = 1.0):
    return aten.elu_backward(g, alpha, 1.0, 1.0 / alpha, False, z)


TWINS: dict[str, Twin] = {
    "relu": Twin(torch.relu, lambda g, z, h: aten.threshold_backward(g, h, 0.0)),
    "tanh": Twin(torch.tanh, lambda g, z, h: aten.tanh_backward(g, h)),
    "sigmoid": Twin(torch.sigmoid, lambda g, z, h: aten.sigmoid_backward(g, h)),
    "gelu": Twin(F.gelu, lambda g, z, h: aten.gelu_backward(g, z)),
    "gelu_tanh": Twin(
        lambda z: F.gelu(z, approximate="tanh"),
        lambda g, z, h: aten.gelu_backward(g, z, approximate="tanh"),
    ),
    "silu": Twin(
        lambda z, beta=1.0: F.silu(z),
        lambda g, z, h, beta=1.0: aten.silu_backward(g, z),
        ("beta",),
        (("beta", 1.0),),
    ),
    "mish": Twin(F.mish, lambda g, z, h: aten.mish_backward(g, z)),
    "elu": Twin(lambda z, alpha=1.0: F.elu(z, alpha), _elu_backward, ("alpha",)),
    "celu": Twin(lambda z, alpha=1.0: F.celu(z, alpha), _celu_backward, ("alpha",)),
    "selu": Twin(
        F.selu,
        lambda g, z, h: aten.elu_backward(g, _SELU_ALPHA, _SELU_SCALE, 1.0, False, z),
    ),
    "softplus": Twin(
        lambda z, beta=1.0, threshold=20.0: F.softplus(z, beta, threshold),
        lambda g, z, h, beta=1.0, threshold=20.0: aten.softplus_backward(g, z, beta, threshold),
        ("beta", "threshold"),
    ),
    "leaky_relu": Twin(
        lambda z, negative_slope=0.01: F.leaky_relu(z, negative_slope),
        lambda g, z, h, negative_slope=0.01: aten.leaky_relu_backward(g, z, negative_slope, False),
        ("negative_slope",),
    ),
}


def twin_for(name: str, kwargs: dict[str, Any]) -> Twin | None:
    """The twin named like the activation, if it takes exactly these float parameters."""
    twin = TWINS.get(name)
    if twin is None:
        return None
    for key, value in kwargs.items():
        if key not in twin.params or isinstance(value, torch.Tensor) or isinstance(value, bool):
            return None
        if not isinstance(value, (int, float)):
            return None
    for key, value in twin.needs:
        if float(kwargs.get(key, value)) != value:
            return None
    return twin


# -- learnable activations ---------------------------------------------------------------


@dataclass(frozen=True)
class LearnableTwin:
    """A learnable activation's forward and its backward to the input *and* to its
    trained parameters: ``backward(grad, z, h, **params) -> (dz, {name: grad})``, each
    parameter gradient already summed to that parameter's shape."""

    forward: Callable[..., torch.Tensor]
    backward: Callable[..., tuple[torch.Tensor, dict[str, torch.Tensor]]]
    learnable: tuple[str, ...]


def _prelu_units(z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return torch.where(z >= 0, z, a * z)


def _prelu_units_backward(g: torch.Tensor, z: torch.Tensor, h: torch.Tensor, a: torch.Tensor):
    negative = z < 0
    dz = torch.where(negative, g * a, g)
    da = torch.where(negative, g * z, 0.0).sum_to_size(a.shape)
    return dz, {"a": da}


def _apl(z: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.relu(z)
    for s in range(a.shape[-1]):
        out = out + a[..., s] * torch.relu(b[..., s] - z)
    return out


def _apl_backward(g: torch.Tensor, z: torch.Tensor, h: torch.Tensor, a, b):
    dz = torch.where(z > 0, g, 0.0)
    da, db = [], []
    for s in range(a.shape[-1]):
        a_s = a[..., s]
        d = b[..., s] - z
        gs = torch.where(d > 0, g, 0.0)
        da.append((gs * d).sum_to_size(a_s.shape))
        weighted = gs * a_s
        db.append(weighted.sum_to_size(a_s.shape))
        dz = dz - weighted
    return dz, {"a": torch.stack(da, dim=-1), "b": torch.stack(db, dim=-1)}


# -- Padé (plugins/learnable.py's safe rational) ----------------------------------------------

_K5 = (1.0, 2.0, 3.0, 4.0, 5.0)
_K4 = (1.0, 2.0, 3.0, 4.0)


def _pade(z: torch.Tensor, p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """``P5(z) / (1 + sum |q_k| |z|^k)`` scaled by ``m^5``, ``m = max(1, |z|)``, by Horner's
    rule: the plugin's formula (the check compares them)."""
    m = z.abs().clamp_min(1.0)
    w = m.reciprocal()
    u = z * w
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


def _pade_terms(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``B_k = u^k w^(5-k)`` (``[6, *z.shape]``), ``C_j = |u|^(j+1) w^(4-j)``
    (``[4, *z.shape]``) and ``w^5``: the scaled monomials, power axis first (sums over it
    and over the points then run on contiguous memory)."""
    m = z.abs().clamp_min(1.0)
    w = m.reciprocal()
    u = z * w
    w2 = w * w
    w4 = w2 * w2
    u2 = u * u
    u3 = u2 * u
    u4 = u2 * u2
    u2w3 = u2 * (w2 * w)
    u4w = u4 * w
    numerator = torch.stack([w4 * w, u * w4, u2w3, u3 * w2, u4w, u4 * u])
    denominator = torch.stack([u.abs() * w4, u2w3, u3.abs() * w2, u4w])
    return numerator, denominator, numerator[0]


def _first(coefficients: torch.Tensor, ndim: int) -> torch.Tensor:
    """``[..., k]`` coefficients as ``[k, 1.., ...]`` against terms stacked over ``ndim`` axes."""
    batch = coefficients.shape[:-1]
    shape = (coefficients.shape[-1], *[1] * (ndim - len(batch)), *batch)
    return coefficients.movedim(-1, 0).reshape(shape)


def _to_coefficients(terms: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Stacked ``[k, *z.shape]`` terms summed down to a coefficient tensor shaped ``like``."""
    batch = like.shape[:-1]
    shape = (like.shape[-1], *[1] * (terms.dim() - 1 - len(batch)), *batch)
    return terms.sum_to_size(shape).reshape(like.shape[-1], *batch).movedim(0, -1)


_CONSTANTS: dict[tuple, torch.Tensor] = {}


def _constant(values: tuple[float, ...], like: torch.Tensor) -> torch.Tensor:
    """``values`` as a tensor on ``like``'s device, made once: a copy from the host inside
    a CUDA graph capture would break the capture."""
    key = (values, like.dtype, like.device)
    if key not in _CONSTANTS:
        _CONSTANTS[key] = torch.tensor(values, dtype=like.dtype, device=like.device)
    return _CONSTANTS[key]


def _pade_backward(g: torch.Tensor, z: torch.Tensor, h: torch.Tensor, p, q):
    """f' = (P'Q - PQ') / Q^2 in the scaled terms (w N1 = sum k p_k B_(k-1),
    w D1 = sign(z) sum (j+1) |q_j| [w^5, C_0, C_1, C_2]_j); df/dp_k = B_k / D;
    df/dq_j = -f C_j sign(q_j) / D."""
    n = z.dim()
    numerator, denominator, w5 = _pade_terms(z)
    b = _first(q.abs(), n)
    r = g / (w5 + (denominator * b).sum(0))
    k5 = _constant(_K5, p).view(5, *[1] * n)
    k4 = _constant(_K4, q).view(4, *[1] * n)
    w_n1 = (numerator[:5] * (_first(p, n)[1:] * k5)).sum(0)
    lower = torch.cat([w5.unsqueeze(0), denominator[:3]])
    w_d1 = (lower * (b * k4)).sum(0) * z.sign()
    dz = r * (w_n1 - h * w_d1)
    dp = _to_coefficients(r * numerator, p)
    dq = _to_coefficients((r * h) * denominator, q) * -q.sign()
    return dz, {"p": dp, "q": dq}


LEARNABLE_TWINS: dict[str, LearnableTwin] = {
    "prelu_units": LearnableTwin(_prelu_units, _prelu_units_backward, ("a",)),
    "apl": LearnableTwin(_apl, _apl_backward, ("a", "b")),
    "pade": LearnableTwin(_pade, _pade_backward, ("p", "q")),
}


def learnable_twin_for(
    name: str, kwargs: dict[str, Any], learnable: dict[str, torch.Tensor]
) -> LearnableTwin | None:
    """The twin of a learnable activation, if exactly its parameters are trained."""
    twin = LEARNABLE_TWINS.get(name)
    if twin is None or set(learnable) != set(twin.learnable) or set(kwargs) != set(learnable):
        return None
    return twin

"""f, f' and f'' of an activation sampled on a grid, ready to plot or export.

Derivatives come from the plugin's declared ``derivative`` when it has one and
from autograd otherwise; f'' is autograd of f' where f' has a graph, and central
differences of f' where it has none (piecewise-constant derivatives, e.g. ReLU's).
Vector activations are shown along a line through input space, described by
``CurveSet.view``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch

from ..api import Activation

FD_STEP = 1e-4
VECTOR_WIDTH = 3


@dataclass
class CurveSet:
    """Sampled curves of one activation (NumPy float64 arrays of equal length)."""

    name: str
    x: np.ndarray
    f: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    view: str = ""


def vector_view(act: Activation) -> str:
    """How a vector activation is reduced to a curve, in words for legends and CSV notes."""
    if act.kind == "vector":
        return f"output 1 of {VECTOR_WIDTH} as logit 1 = x, other logits = 0"
    if act.kind == "gated":
        return "both halves equal to x: out = f([x, x])"
    return ""


def _lift(act: Activation, x: torch.Tensor) -> torch.Tensor:
    """Map a 1-D grid to the input the activation expects, along the documented line."""
    if act.kind == "vector":
        z = torch.zeros(x.shape[0], VECTOR_WIDTH, dtype=x.dtype)
        return torch.cat([x[:, None], z[:, 1:]], dim=1)
    if act.kind == "gated":
        return torch.stack([x, x], dim=1)
    return x


def _first(out: torch.Tensor, act: Activation) -> torch.Tensor:
    return out[:, 0] if act.is_vector else out


def along_line(act: Activation, x: torch.Tensor, params: Mapping[str, float]) -> torch.Tensor:
    """f restricted to the view line (the plain function for elementwise activations)."""
    return _first(act.fn(_lift(act, x), **params), act)


def evaluate(
    act: Activation,
    x: np.ndarray | torch.Tensor,
    params: Mapping[str, float] | None = None,
) -> CurveSet:
    """Sample f, f', f'' of ``act`` at ``x`` with ``params`` (defaults fill the gaps)."""
    values = {**act.defaults(), **(params or {})}
    values = {  # a vector parameter's chosen values (``--param pade.p=1,0.5,0.1``)
        k: torch.tensor(v, dtype=torch.float64) if isinstance(v, (list, tuple)) else v
        for k, v in values.items()
    }
    grid = torch.as_tensor(np.asarray(x, dtype=np.float64)).reshape(-1)
    xg = grid.clone().requires_grad_(True)
    with torch.enable_grad():
        f = along_line(act, xg, values)
        if act.derivative is not None and not act.is_vector:
            d1 = act.derivative(xg, **values)
        else:
            d1 = _grad(f, xg, create_graph=True)
        if d1.requires_grad:
            d2 = _grad(d1, xg, create_graph=False)
        else:
            d2 = _central_difference(act, grid, values)
    return CurveSet(
        name=act.name,
        x=grid.numpy().copy(),
        f=f.detach().to(torch.float64).numpy().copy(),
        d1=d1.detach().to(torch.float64).numpy().copy(),
        d2=d2.detach().to(torch.float64).numpy().copy(),
        view=vector_view(act),
    )


def _grad(y: torch.Tensor, x: torch.Tensor, *, create_graph: bool) -> torch.Tensor:
    if not y.requires_grad:
        return torch.zeros_like(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=create_graph, allow_unused=True)
    return torch.zeros_like(x) if g is None else g


def _central_difference(
    act: Activation, x: torch.Tensor, values: Mapping[str, float]
) -> torch.Tensor:
    def d1(at: torch.Tensor) -> torch.Tensor:
        if act.derivative is not None and not act.is_vector:
            return act.derivative(at, **values).detach().to(torch.float64)
        at = at.clone().requires_grad_(True)
        with torch.enable_grad():
            return _grad(along_line(act, at, values), at, create_graph=False).detach()

    d2 = (d1(x + FD_STEP) - d1(x - FD_STEP)) / (2 * FD_STEP)
    # A jump in f' (a kink in f) makes a spike of height ~1/h: f'' is undefined there.
    return d2.masked_fill(d2.abs() > 0.25 / FD_STEP, float("nan"))


def grid(lo: float, hi: float, points: int) -> np.ndarray:
    """An evenly spaced grid; raises ``ValueError`` with a reason for a bad range."""
    if not np.isfinite(lo) or not np.isfinite(hi):
        raise ValueError("the x range must be finite numbers")
    if lo >= hi:
        raise ValueError(f"the x range is empty: {lo} >= {hi}")
    if points < 2:
        raise ValueError("at least 2 points are needed")
    return np.linspace(lo, hi, int(points))

"""Curves up to the affine changes a network absorbs: ``a * f(b*x + c) + d``.

A layer before the activation can scale and shift its input (b, c) and the layer after
can scale and shift its output (a, d), so two activations related that way train the
same networks. :func:`fit_affine` finds the best (a, b, c, d) by least squares;
:class:`CurveIndex` finds duplicates quickly by comparing standardised curves over a few
input scales, so a search spends no race on a formula it has already seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

Curve = Callable[[torch.Tensor], torch.Tensor]

#: where curves are compared: the range a standardised pre-activation mostly lives in
FIT_RANGE = (-4.0, 4.0)
GRID = torch.linspace(FIT_RANGE[0], FIT_RANGE[1], 161, dtype=torch.float64)
#: input scales b tried for duplicates (shifts c are left to the full fit)
SCALES = (1.0, -1.0, 0.5, -0.5, 2.0, -2.0)
#: relative RMS error under which two curves count as one (duplicates)
DUPLICATE_TOL = 0.01


def standardised(values: torch.Tensor) -> torch.Tensor | None:
    """``values`` with mean 0 and RMS 1 along the last axis; ``None`` if not finite or flat."""
    if not bool(torch.isfinite(values).all()):
        return None
    centred = values - values.mean(dim=-1, keepdim=True)
    scale = centred.pow(2).mean(dim=-1, keepdim=True).sqrt()
    if bool((scale < 1e-9).any()):
        return None
    return centred / scale


def curve_values(fn: Curve, x: torch.Tensor = GRID) -> torch.Tensor:
    with torch.no_grad():
        out = fn(x)
    return torch.as_tensor(out, dtype=torch.float64).expand_as(x)


class CurveIndex:
    """Kept curves, each under every scale in :data:`SCALES`, for duplicate look-ups."""

    def __init__(self, tol: float = DUPLICATE_TOL) -> None:
        self.tol = tol
        self._owners: list[int] = []
        self._buffer = torch.empty(256, len(GRID), dtype=torch.float64)

    def __len__(self) -> int:
        return len(set(self._owners))

    def check(self, fn: Curve) -> tuple[str, int | None]:
        """``("ok", None)``, ``("duplicate", owner)`` or ``("flat"|"not finite", None)``."""
        raw = curve_values(fn)
        z = standardised(raw)
        if z is None:
            return ("not finite" if not bool(torch.isfinite(raw).all()) else "flat"), None
        n = len(self._owners)
        if n:
            m = self._buffer[:n]
            # rows and z have mean 0 and RMS 1: mean((m -+ z)^2) = 2 -+ 2 mean(m z)
            err = (2 - 2 * (m @ z).abs() / len(z)).clamp_min(0).sqrt()
            best = int(err.argmin())
            if float(err[best]) < self.tol:
                return "duplicate", self._owners[best]
        return "ok", None

    def add(self, fn: Curve, owner: int) -> None:
        """Keep ``fn``'s curve under every scale (scales that overflow are skipped)."""
        for b in SCALES:
            z = standardised(curve_values(lambda t, b=b: fn(b * t)))
            if z is None:
                continue
            n = len(self._owners)
            if n == len(self._buffer):
                self._buffer = torch.cat([self._buffer, torch.empty_like(self._buffer)])
            self._buffer[n] = z
            self._owners.append(owner)


@dataclass(frozen=True)
class AffineFit:
    """``a * f(b*x + c) + d`` fitted to a target; ``error`` is RMS residual / std(target)."""

    a: float
    b: float
    c: float
    d: float
    error: float

    def to_dict(self) -> dict[str, float]:
        return {"a": self.a, "b": self.b, "c": self.c, "d": self.d, "error": self.error}


_B = torch.tensor([s * v for v in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0) for s in (1, -1)])
_C = torch.tensor([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])


def fit_affine(fn: Curve, target: torch.Tensor, x: torch.Tensor = GRID) -> AffineFit:
    """The best ``a * fn(b*x + c) + d`` for ``target`` at ``x``, by least squares.

    A grid over (b, c) with the linear (a, d) solved exactly picks the start; scipy's
    least squares then refines all four. Curves that do not stay finite lose.
    """
    x = x.to(torch.float64)
    y = target.to(torch.float64)
    spread = float(y.std())
    if not np.isfinite(spread) or spread < 1e-12:
        raise ValueError("the target curve is flat or not finite")
    b = _B.to(torch.float64)[:, None, None]
    c = _C.to(torch.float64)[None, :, None]
    with torch.no_grad():
        g = torch.as_tensor(fn(b * x + c), dtype=torch.float64).expand(len(_B), len(_C), len(x))
    best = _linear_best(g.reshape(-1, len(x)), y)
    if best is None:
        return AffineFit(0.0, 1.0, 0.0, float(y.mean()), 1.0)
    index, a0, d0, err0 = best
    b0, c0 = float(_B[index // len(_C)]), float(_C[index % len(_C)])
    params, err = _refine(fn, x.numpy(), y.numpy(), np.array([a0, b0, c0, d0]))
    if err is None or err > err0:
        params, err = np.array([a0, b0, c0, d0]), err0
    return AffineFit(*(float(p) for p in params), error=float(err) / spread)


def _linear_best(g: torch.Tensor, y: torch.Tensor) -> tuple[int, float, float, float] | None:
    """For each row of ``g``, the exact least-squares a, d in ``a*g + d ~ y``; the best row."""
    finite = torch.isfinite(g).all(-1)
    g = torch.where(finite[:, None], g, torch.zeros_like(g))
    gm = g.mean(-1, keepdim=True)
    gc = g - gm
    var = gc.pow(2).mean(-1)
    yc = y - y.mean()
    a = (gc * yc).mean(-1) / var.clamp_min(1e-12)
    d = y.mean() - a * gm.squeeze(-1)
    rss = (a[:, None] * g + d[:, None] - y).pow(2).mean(-1).sqrt()
    rss = torch.where(finite & (var > 1e-12), rss, torch.full_like(rss, float("inf")))
    i = int(rss.argmin())
    if not bool(torch.isfinite(rss[i])):
        return None
    return i, float(a[i]), float(d[i]), float(rss[i])


def _refine(fn: Curve, x: np.ndarray, y: np.ndarray, start: np.ndarray):
    from scipy.optimize import least_squares

    def residual(p: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            v = torch.as_tensor(fn(torch.as_tensor(p[1] * x + p[2])), dtype=torch.float64)
        r = p[0] * v.expand(len(x)).numpy() + p[3] - y
        return np.where(np.isfinite(r), r, 1e6)

    try:
        out = least_squares(residual, start, max_nfev=200)
    except (ValueError, FloatingPointError):
        return start, None
    err = float(np.sqrt(np.mean(residual(out.x) ** 2)))
    return out.x, err if np.isfinite(err) else None


def curve_error(fn: Curve, reference: Curve, x: torch.Tensor = GRID) -> float:
    """How far ``fn`` is from ``reference`` after the best affine change (relative RMS)."""
    return fit_affine(fn, curve_values(reference, x), x).error

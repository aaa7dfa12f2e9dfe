"""Fast sampling of f, f' (and f'' only when shown) for live plots, with a small cache.

Redraws happen on every slider step, so the cheapest correct path is taken: a declared
derivative is evaluated under ``torch.no_grad``; autograd is used only where it is needed;
f'' is computed only while its plot is visible (through :func:`actviz.analysis.curves.evaluate`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch

from ..api import Activation
from .curves import along_line, evaluate


@dataclass
class Sampled:
    """f, f' and (maybe) f'' at ``x``; read-only NumPy arrays shared with the plots."""

    x: np.ndarray
    f: np.ndarray
    d1: np.ndarray
    d2: np.ndarray | None


def _numpy(t: torch.Tensor, shape: tuple[int, ...]) -> np.ndarray:
    out = t.detach().to(torch.float64).cpu().numpy()
    if out.shape != shape:
        out = np.broadcast_to(out, shape)
    return np.ascontiguousarray(out)


def sample(
    act: Activation, x: np.ndarray, params: Mapping[str, float], *, with_d2: bool
) -> Sampled:
    """Evaluate ``act`` on ``x``; raises whatever the plugin raises (callers report it)."""
    params = {**act.defaults(), **params}  # vector and per-unit values have no slider
    if with_d2:
        cs = evaluate(act, x, params)
        return Sampled(cs.x, cs.f, cs.d1, cs.d2)
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    if act.derivative is not None and not act.is_vector:
        with torch.no_grad():
            f = act.fn(xt, **params)
            d1 = act.derivative(xt, **params)
    else:
        xg = xt.clone().requires_grad_(True)
        with torch.enable_grad():
            y = along_line(act, xg, params)
            if y.requires_grad:
                (g,) = torch.autograd.grad(y.sum(), xg, allow_unused=True)
            else:
                g = None
        f = y
        d1 = torch.zeros_like(xt) if g is None else g
    return Sampled(x, _numpy(f, x.shape), _numpy(d1, x.shape), None)


class SampleCache:
    """LRU cache of :class:`Sampled` keyed by activation, parameters, grid and f'' need.

    Moving one slider re-evaluates one activation; the others come from here.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Sampled] = OrderedDict()

    def clear(self) -> None:
        self._items.clear()

    def get(
        self,
        act: Activation,
        x: np.ndarray,
        grid_key: tuple,
        params: Mapping[str, float],
        *,
        with_d2: bool,
    ) -> Sampled:
        key = (act.name, id(act), grid_key, tuple(sorted(params.items())))
        hit = self._items.get((*key, True))
        if hit is None and not with_d2:
            hit = self._items.get((*key, False))
        if hit is not None:
            self._items.move_to_end((*key, hit.d2 is not None))
            return hit
        value = sample(act, x, params, with_d2=with_d2)
        self._items[(*key, with_d2)] = value
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

"""A signal pushed through a deep random network: what happens to activations and gradients.

A 50-layer MLP (width 256, no biases, LeCun-normal weights N(0, 1/fan_in), fixed seed,
the same weights for every activation) is fed standard-normal inputs. Per layer we record
the mean and variance of the activations on the way forward and of the gradients on the
way back (the loss is a fixed random projection of the last layer). This is where SELU's
fixed point (variance stays near 1) and sigmoid's vanishing gradient become visible.
Float64 keeps a gradient that shrinks by 1e-60 from underflowing to zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ..api import Activation

DEPTH = 50
WIDTH = 256
BATCH = 128
SEED = 0


@dataclass
class DeepSignal:
    """Per-layer statistics; index 0 is the first hidden layer, -1 the last."""

    name: str
    act_mean: np.ndarray
    act_var: np.ndarray
    grad_mean: np.ndarray
    grad_var: np.ndarray

    @property
    def layers(self) -> np.ndarray:
        return np.arange(1, len(self.act_mean) + 1)

    def columns(self) -> dict[str, np.ndarray]:
        """The statistics as named columns (for CSV export)."""
        return {
            "layer": self.layers.astype(np.float64),
            f"{self.name} activation mean": self.act_mean,
            f"{self.name} activation variance": self.act_var,
            f"{self.name} gradient mean": self.grad_mean,
            f"{self.name} gradient variance": self.grad_var,
        }


@lru_cache(maxsize=4)
def _weights(
    depth: int, width: int, out_factor: int, seed: int
) -> tuple[torch.Tensor, tuple[torch.Tensor, ...], torch.Tensor]:
    """Input batch, LeCun-normal weights and the loss projection, fixed by ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(BATCH, width, generator=gen, dtype=torch.float64)
    weights = tuple(
        torch.randn(width, width * out_factor, generator=gen, dtype=torch.float64) / width**0.5
        for _ in range(depth)
    )
    projection = torch.randn(BATCH, width, generator=gen, dtype=torch.float64)
    return x, weights, projection


def deep_signal(
    act: Activation,
    params: Mapping[str, float] | None = None,
    *,
    depth: int = DEPTH,
    width: int = WIDTH,
    seed: int = SEED,
) -> DeepSignal:
    """Forward and backward statistics of ``act`` through a ``depth``-layer random MLP.

    A gated activation (GLU) halves its input, so its layers are built twice as wide
    before the gate; the fan-in, and so the weight scale, is the same as for the others.
    """
    values = {**act.defaults(), **(params or {})}
    out_factor = 2 if act.kind == "gated" else 1
    x, weights, projection = _weights(depth, width, out_factor, seed)
    outputs: list[torch.Tensor] = []
    with torch.enable_grad():
        h = x.detach().requires_grad_(True)
        for w in weights:
            a = act.fn(h @ w, **values).to(torch.float64)
            if a.requires_grad:
                a.retain_grad()
            outputs.append(a)
            h = a
        loss = (h * projection).sum()
        if loss.requires_grad:
            loss.backward()
    grads = [a.grad if a.grad is not None else torch.zeros_like(a) for a in outputs]
    return DeepSignal(
        name=act.name,
        act_mean=np.array([float(a.detach().mean()) for a in outputs]),
        act_var=np.array([float(a.detach().var()) for a in outputs]),
        grad_mean=np.array([float(g.mean()) for g in grads]),
        grad_var=np.array([float(g.var()) for g in grads]),
    )

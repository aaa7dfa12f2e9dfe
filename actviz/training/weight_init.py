"""Initial weights: drawn once per seed and shared by every activation in the race.

Each layer's weights are drawn as unit noise from a generator seeded by the run's
seed, then scaled by the scheme. Every activation therefore starts from the same
numbers for a given seed (SIREN's later layers differ only by the factor 1/w0), and
differences in the race come from the activation alone. Weights use the
``nn.Linear`` convention, ``W`` of shape ``[out, in]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from ..api import Activation

W0_NAMES = ("w0", "omega0", "omega_0", "omega")


def siren_w0(activation: Activation, params: dict[str, float]) -> float:
    """The SIREN frequency of an activation: its ``w0`` parameter, else 1."""
    for name in W0_NAMES:
        if name in params:
            return float(params[name])
        for p in activation.params:
            if p.name == name:
                return float(p.default)
    return 1.0


def _bounds(scheme: str, layer: int, fan_in: int, fan_out: int, w0: float) -> tuple[str, float]:
    """(distribution, scale) of a layer's weights.

    ``("u", b)`` means U(-b, b) and ``("n", s)`` means N(0, s^2).
    """
    if scheme == "default":
        return "u", 1.0 / math.sqrt(fan_in)
    if scheme == "he":
        return "n", math.sqrt(2.0 / fan_in)
    if scheme == "xavier":
        return "u", math.sqrt(6.0 / (fan_in + fan_out))
    if scheme == "lecun":
        return "n", math.sqrt(1.0 / fan_in)
    if scheme == "siren":
        if layer == 0:
            return "u", 1.0 / fan_in
        return "u", math.sqrt(6.0 / fan_in) / w0
    raise ValueError(f"unknown init {scheme!r}")


def initial_layers(
    seed: int,
    widths: Sequence[int],
    scheme: str = "default",
    *,
    gated: bool = False,
    w0: float = 1.0,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``[(W, b), ...]`` for an MLP with layer widths ``widths`` (inputs first).

    With ``gated`` the hidden layers feed a GLU-like activation, so each hidden
    pre-activation layer has twice the width: its first half (the values) is the same
    as a non-gated model's layer and the second half (the gates) is drawn afterwards.
    """
    gen = torch.Generator().manual_seed(int(seed))
    pairs = list(zip(widths[:-1], widths[1:], strict=False))
    n_hidden = len(pairs) - 1
    draws: list[tuple[torch.Tensor, torch.Tensor]] = []
    for layer, (fan_in, fan_out) in enumerate(pairs):
        draws.append(_draw(gen, scheme, layer, fan_in, fan_out, w0))
    if not gated:
        return draws
    layers = []
    for layer, (fan_in, fan_out) in enumerate(pairs):
        w, b = draws[layer]
        if layer < n_hidden:
            gw, gb = _draw(gen, scheme, layer, fan_in, fan_out, w0)
            w, b = torch.cat([w, gw], dim=0), torch.cat([b, gb])
        layers.append((w, b))
    return layers


def _draw(
    gen: torch.Generator, scheme: str, layer: int, fan_in: int, fan_out: int, w0: float
) -> tuple[torch.Tensor, torch.Tensor]:
    kind, scale = _bounds(scheme, layer, fan_in, fan_out, w0)
    if kind == "u":
        w = (torch.rand(fan_out, fan_in, generator=gen, dtype=torch.float32) * 2 - 1) * scale
    else:
        w = torch.randn(fan_out, fan_in, generator=gen, dtype=torch.float32) * scale
    bias_bound = 1.0 / math.sqrt(fan_in)
    b = (torch.rand(fan_out, generator=gen, dtype=torch.float32) * 2 - 1) * bias_bound
    if scheme in ("he", "xavier", "lecun"):
        b = torch.zeros(fan_out, dtype=torch.float32)
    return w, b

"""A small pre-norm transformer over patches of a 1-D signal.

The signal is cut into patches (tokens), embedded with a learned position, passed through
``blocks`` pre-norm blocks ``h = h + attn(LN(h)); h = h + W2 f(W1 LN(h))`` and read out
from the mean token. All models' attention runs as one einsum over a models axis.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F

from .base import Architecture, Option, Shape
from .layers import layer_norm, linear, linear_init
from .sites import Sites


def _tokens(shape: Shape, options: Mapping[str, Any]) -> int:
    return shape[-1] // int(options["patch"])


def _sites(shape: Shape, options: Mapping[str, Any]) -> list[int]:
    return [int(options["width"]) * int(options["mlp_ratio"])] * int(options["blocks"])


def _ln(d: int, name: str) -> dict[str, torch.Tensor]:
    return {f"gain{name}": torch.ones(d, 1), f"shift{name}": torch.zeros(d, 1)}


def _init(
    shape: Shape,
    outputs: int,
    options: Mapping[str, Any],
    gen: torch.Generator,
    gated: bool = False,
):
    """One model's parameters. With ``gated`` (a GLU-family activation) every block's
    first MLP layer has twice the units: its first half (the values) is what a plain
    model draws, the second half (the gates) is drawn after everything else, so a gated
    model shares every other weight with the plain models of its seed."""
    d, patch = int(options["width"]), int(options["patch"])
    hidden = d * int(options["mlp_ratio"])
    groups = []
    for i in range(int(options["blocks"])):
        g: dict[str, torch.Tensor] = {}
        if i == 0:
            g.update(linear_init(gen, patch * shape[0], d, "_embed"))
            g["pos"] = 0.02 * torch.randn((d, _tokens(shape, options)), generator=gen)
        g.update(_ln(d, f"_a#{i}"))
        g.update(linear_init(gen, d, 3 * d, f"_qkv#{i}"))
        g.update(linear_init(gen, d, d, f"_o#{i}"))
        g.update(_ln(d, f"_m#{i}"))
        g.update(linear_init(gen, d, hidden, f"_1#{i}"))
        g.update(linear_init(gen, hidden, d, f"_2#{i}"))
        groups.append(g)
    out = _ln(d, "_f")
    out.update(linear_init(gen, d, outputs, "_out"))
    groups.append(out)
    if gated:
        for i, g in enumerate(groups[:-1]):
            gates = linear_init(gen, d, hidden)
            g[f"w_1#{i}"] = torch.cat([g[f"w_1#{i}"], gates["w"]])
            g[f"b_1#{i}"] = torch.cat([g[f"b_1#{i}"], gates["b"]])
    return groups


def _attention(p: dict, h: torch.Tensor, i: int, heads: int) -> torch.Tensor:
    """Multi-head self-attention over the tokens of ``h`` ``[models, d, points, tokens]``."""
    m, d, n, t = h.shape
    c = d // heads
    qkv = linear(p[f"w_qkv#{i}"], p[f"b_qkv#{i}"], h).reshape(m, 3, heads, c, n, t)
    # tokens and channels last, contiguous: [models * heads, points, tokens, channels].
    # softmax(q k^T / sqrt(c)) v as torch's fused attention: measured faster than two
    # einsums, whose softmax ran over a strided last axis (bench/bench_architectures.py)
    q, k, v = qkv.permute(1, 0, 2, 4, 5, 3).reshape(3, m * heads, n, t, c).unbind(0)
    mixed = F.scaled_dot_product_attention(q, k, v)  # [m * heads, n, t, c]
    mixed = mixed.reshape(m, heads, n, t, c).permute(0, 1, 4, 2, 3).reshape(m, d, n, t)
    return linear(p[f"w_o#{i}"], p[f"b_o#{i}"], mixed)


def _forward(p, x, act: Sites, options, shape):
    patch, heads = int(options["patch"]), int(options["heads"])
    tokens = _tokens(shape, options)
    m = p["w_out"].shape[0]
    n = x.shape[0]
    seq = x.reshape(n, -1)[:, : tokens * patch].reshape(n, tokens, patch)
    inputs = seq.permute(2, 0, 1).unsqueeze(0).expand(m, -1, -1, -1)  # [m, patch, n, t]
    h = linear(p["w_embed"], p["b_embed"], inputs) + p["pos"].unsqueeze(2)
    for i in range(int(options["blocks"])):
        h = h + _attention(p, layer_norm(h, p[f"gain_a#{i}"], p[f"shift_a#{i}"]), i, heads)
        u = linear(p[f"w_1#{i}"], p[f"b_1#{i}"], layer_norm(h, p[f"gain_m#{i}"], p[f"shift_m#{i}"]))
        h = h + linear(p[f"w_2#{i}"], p[f"b_2#{i}"], act.units(i, u))
    pooled = layer_norm(h, p["gain_f"], p["shift_f"]).mean(dim=3)
    return linear(p["w_out"], p["b_out"], pooled)


def _check(options: Mapping[str, Any]) -> str | None:
    if int(options["width"]) % int(options["heads"]):
        return f"heads: width {options['width']} is not a multiple of {options['heads']} heads"
    return None


TRANSFORMER = Architecture(
    name="transformer",
    description=(
        "A small pre-norm transformer: the signal cut into patches (tokens) with learned "
        "positions, `blocks` blocks of self-attention and an MLP, a mean-token readout."
    ),
    site=(
        "inside every block's MLP, W2 f(W1 LN(h)) (GELU in most transformers); a GLU-family "
        "activation makes it a gated MLP, W2 GLU(W1 LN(h)) with W1 twice as wide"
    ),
    inputs="signal",
    options=(
        Option("width", 32, 4, 1024, description="token width d"),
        Option("blocks", 2, 1, 24, description="transformer blocks"),
        Option("heads", 2, 1, 16, description="attention heads"),
        Option("patch", 4, 1, 64, description="signal values per token"),
        Option("mlp_ratio", 2, 1, 8, description="MLP hidden units per token unit"),
    ),
    sites=_sites,
    init=_init,
    forward=_forward,
    references=("arXiv:1706.03762", "arXiv:2010.11929"),
    extra={"check": _check, "gated": True},
)

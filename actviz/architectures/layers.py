"""Batched building blocks: torch.nn's default initialisation, one model at a time, and
stacked linear, convolution and layer-norm over a leading models axis."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def uniform(gen: torch.Generator, shape: tuple[int, ...], fan_in: int) -> torch.Tensor:
    """``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: torch.nn's default for Linear, Conv and GRU."""
    bound = 1.0 / math.sqrt(max(1, fan_in))
    return (torch.rand(shape, generator=gen) * 2 - 1) * bound


def linear_init(gen: torch.Generator, n_in: int, n_out: int, prefix: str = "") -> dict:
    """A Linear layer's weight ``[out, in]`` and bias ``[out, 1]``."""
    return {
        f"w{prefix}": uniform(gen, (n_out, n_in), n_in),
        f"b{prefix}": uniform(gen, (n_out, 1), n_in),
    }


def linear(w: torch.Tensor, b: torch.Tensor | None, h: torch.Tensor) -> torch.Tensor:
    """``[models, out, in]`` x ``[models, in, ...]`` (+ bias ``[models, out, 1]``)."""
    shape = h.shape
    flat = h.reshape(shape[0], shape[1], -1)
    out = torch.bmm(w, flat) if b is None else torch.baddbmm(b, w, flat)
    return out.reshape(shape[0], w.shape[1], *shape[2:])


def layer_norm(h: torch.Tensor, gain: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """Layer normalisation over the units axis of ``[models, units, ...]``."""
    # centred first, then the mean square: measured 1.3-1.7x faster than h.var over this
    # strided axis on a CPU (bench/bench_architectures.py), and as stable
    centred = h - h.mean(dim=1, keepdim=True)
    var = centred.square().mean(dim=1, keepdim=True)
    g = gain.reshape(*gain.shape[:2], *([1] * (h.ndim - 2)))
    b = bias.reshape(*bias.shape[:2], *([1] * (h.ndim - 2)))
    return centred * torch.rsqrt(var + 1e-5) * g + b


def conv(
    x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, models: int, stride: int, padding: int
) -> torch.Tensor:
    """Every model's convolution as one grouped convolution.

    ``x`` is ``[points, models * c_in, *spatial]``, or ``[points, c_in, *spatial]`` shared
    by all models (the input); ``w`` ``[models, c_out, c_in, *kernel]``; ``b``
    ``[models, c_out, 1]``. Returns ``[points, models * c_out, *spatial']``.
    """
    c_in = w.shape[2]
    kernel = w.reshape(models * w.shape[1], c_in, *w.shape[3:])
    groups = 1 if x.shape[1] == c_in else models
    fn = F.conv1d if w.ndim == 4 else F.conv2d
    if groups > 1 and x.device.type == "cpu" and not torch.is_grad_enabled():
        # evaluation on a CPU: one plain convolution per model ran about 2x faster than
        # one grouped convolution on 256 and 1,024 points (same numbers; training keeps
        # grouped, where the two measured alike)
        parts = x.split(c_in, dim=1)
        return torch.cat(
            [
                fn(p, w[i], b[i].reshape(-1), stride=stride, padding=padding)
                for i, p in enumerate(parts)
            ],
            dim=1,
        )
    return fn(x, kernel, b.reshape(-1), stride=stride, padding=padding, groups=groups)


def readout(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor, models: int) -> torch.Tensor:
    """A linear readout of the flattened ``[points, models * features...]`` to
    ``[models, outputs, points]`` (``w`` ``[models, outputs, features]``)."""
    flat = h.reshape(h.shape[0], models, -1)  # [n, m, f]
    return torch.baddbmm(b, w, flat.permute(1, 2, 0))

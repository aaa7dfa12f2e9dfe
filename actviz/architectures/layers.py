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
    mean = h.mean(dim=1, keepdim=True)
    var = h.var(dim=1, keepdim=True, unbiased=False)
    g = gain.reshape(*gain.shape[:2], *([1] * (h.ndim - 2)))
    b = bias.reshape(*bias.shape[:2], *([1] * (h.ndim - 2)))
    return (h - mean) * torch.rsqrt(var + 1e-5) * g + b


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
    return fn(x, kernel, b.reshape(-1), stride=stride, padding=padding, groups=groups)


def readout(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor, models: int) -> torch.Tensor:
    """A linear readout of the flattened ``[points, models * features...]`` to
    ``[models, outputs, points]`` (``w`` ``[models, outputs, features]``)."""
    flat = h.reshape(h.shape[0], models, -1)  # [n, m, f]
    return torch.baddbmm(b, w, flat.permute(1, 2, 0))

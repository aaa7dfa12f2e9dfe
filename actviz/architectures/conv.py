"""Convolutional networks: MNIST-1D's published 1-D CNN and a small 2-D CNN for images.

Every model's convolution runs as one grouped convolution (``groups=models``); the first
layer reads the shared input once with ``models * channels`` output channels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from .base import Architecture, Option, Shape
from .layers import conv, linear_init, readout, uniform
from .sites import Sites


def _out_len(n: int, kernel: int, stride: int, padding: int) -> int:
    return (n + 2 * padding - kernel) // stride + 1


def _kernels1d(options: Mapping[str, Any]) -> list[int]:
    return [int(k) for k in str(options["kernels"]).split(",")]


def _lengths1d(shape: Shape, options: Mapping[str, Any]) -> list[int]:
    lengths, n = [], shape[-1]
    for k in _kernels1d(options):
        n = _out_len(n, k, int(options["stride"]), 1)
        lengths.append(n)
    return lengths


def _cnn1d_sites(shape: Shape, options: Mapping[str, Any]) -> list[int]:
    return [int(options["channels"])] * len(_kernels1d(options))


def _cnn1d_init(shape: Shape, outputs: int, options: Mapping[str, Any], gen: torch.Generator):
    c, c_in = int(options["channels"]), shape[0]
    groups = []
    for i, k in enumerate(_kernels1d(options)):
        fan_in = c_in * k
        groups.append(
            {f"w#{i}": uniform(gen, (c, c_in, k), fan_in), f"b#{i}": uniform(gen, (c, 1), fan_in)}
        )
        c_in = c
    groups.append(linear_init(gen, c * _lengths1d(shape, options)[-1], outputs, "_out"))
    return groups


def _cnn1d_forward(p, x, act: Sites, options, shape):
    models = p["w_out"].shape[0]
    h = x
    for i in range(len(_kernels1d(options))):
        z = conv(h, p[f"w#{i}"], p[f"b#{i}"], models, int(options["stride"]), 1)
        h = act.channels(i, z)
    return readout(h, p["w_out"], p["b_out"], models)


def _problem_kernels(options: Mapping[str, Any]) -> str | None:
    try:
        kernels = _kernels1d(options)
    except ValueError:
        return f"kernels: give odd sizes like 5,3,3, not {options['kernels']!r}"
    if not kernels or len(kernels) > 8 or any(k < 1 or k > 15 for k in kernels):
        return f"kernels: 1 to 8 layers of sizes 1..15, got {options['kernels']!r}"
    return None


CNN1D = Architecture(
    name="cnn1d",
    description=(
        "A 1-D CNN: conv layers (padding 1, stride 2 by default) of `channels` channels, "
        "then a linear readout of the flattened maps. The defaults are MNIST-1D's published "
        "CNN: 3 layers of 25 channels, kernels 5, 3, 3, stride 2."
    ),
    site="after every convolution, on each channel at each position",
    inputs="signal",
    options=(
        Option("channels", 25, 1, 512, description="channels of every conv layer"),
        Option("kernels", "5,3,3", description="kernel size of each conv layer"),
        Option("stride", 2, 1, 4, description="stride of every conv layer"),
    ),
    sites=_cnn1d_sites,
    init=_cnn1d_init,
    forward=_cnn1d_forward,
    references=("arXiv:2011.14439",),
    extra={"check": _problem_kernels, "lengths": _lengths1d},
)


def _cnn2d_sites(shape: Shape, options: Mapping[str, Any]) -> list[int]:
    return [int(options["channels"])] * int(options["layers"])


def _sizes2d(shape: Shape, options: Mapping[str, Any]) -> list[tuple[int, int]]:
    hw = tuple(shape[1:])
    out = []
    for _ in range(int(options["layers"])):
        hw = tuple(_out_len(n, 3, 2, 1) for n in hw)
        out.append(hw)
    return out


def _cnn2d_init(shape: Shape, outputs: int, options: Mapping[str, Any], gen: torch.Generator):
    c, c_in = int(options["channels"]), shape[0]
    groups = []
    for i in range(int(options["layers"])):
        fan_in = c_in * 9
        groups.append(
            {
                f"w#{i}": uniform(gen, (c, c_in, 3, 3), fan_in),
                f"b#{i}": uniform(gen, (c, 1), fan_in),
            }
        )
        c_in = c
    h, w = _sizes2d(shape, options)[-1]
    groups.append(linear_init(gen, c * h * w, outputs, "_out"))
    return groups


def _cnn2d_forward(p, x, act: Sites, options, shape):
    models = p["w_out"].shape[0]
    h = x
    for i in range(int(options["layers"])):
        h = act.channels(i, conv(h, p[f"w#{i}"], p[f"b#{i}"], models, 2, 1))
    return readout(h, p["w_out"], p["b_out"], models)


CNN2D = Architecture(
    name="cnn2d",
    description=(
        "A 2-D CNN for small images: `layers` 3x3 convolutions of stride 2 and `channels` "
        "channels, then a linear readout (8x8 digits: 8x8 -> 4x4 -> 2x2)."
    ),
    site="after every convolution, on each channel at each pixel",
    inputs="image",
    options=(
        Option("channels", 16, 1, 512, description="channels of every conv layer"),
        Option("layers", 2, 1, 6, description="conv layers"),
    ),
    sites=_cnn2d_sites,
    init=_cnn2d_init,
    forward=_cnn2d_forward,
)

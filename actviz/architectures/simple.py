"""The MLP (the engine's own stacked network), logistic regression and a residual MLP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from .base import Architecture, Option, Shape
from .layers import layer_norm, linear, linear_init
from .sites import Sites

MLP = Architecture(
    name="mlp",
    description="A fully connected network of the widths --hidden sets (the default race).",
    site="after every hidden layer's affine map: h = f(W h + b)",
)


def _n_in(shape: Shape) -> int:
    return int(torch.Size(shape).numel())


def _linear_init(shape: Shape, outputs: int, options: Mapping[str, Any], gen: torch.Generator):
    return [linear_init(gen, _n_in(shape), outputs)]


def _linear_forward(p, x, act: Sites, options, shape):
    h = x.reshape(x.shape[0], -1).t().unsqueeze(0).expand(p["w"].shape[0], -1, -1)
    return linear(p["w"], p["b"], h)


LINEAR = Architecture(
    name="linear",
    description="Logistic (or linear) regression: one affine map from inputs to outputs.",
    site="nowhere: it has no hidden layer, so every activation gives the same model",
    sites=lambda shape, options: [],
    init=_linear_init,
    forward=_linear_forward,
)


def _res_sites(shape: Shape, options: Mapping[str, Any]) -> list[int]:
    return [int(options["width"])] * (1 + int(options["depth"]))


def _res_init(shape: Shape, outputs: int, options: Mapping[str, Any], gen: torch.Generator):
    width, depth = int(options["width"]), int(options["depth"])
    groups = [linear_init(gen, _n_in(shape), width)]
    for block in range(1, depth + 1):
        group = linear_init(gen, width, width, f"#{block}")
        if options["norm"] == "layer":
            group[f"gain#{block}"] = torch.ones(width, 1)
            group[f"shift#{block}"] = torch.zeros(width, 1)
        groups.append(group)
    groups.append(linear_init(gen, width, outputs, "_out"))
    return groups


def _res_forward(p, x, act: Sites, options, shape):
    models = p["w_out"].shape[0]
    depth = int(options["depth"])
    h = x.reshape(x.shape[0], -1).t().unsqueeze(0).expand(models, -1, -1)
    h = act.units(0, linear(p["w"], p["b"], h))
    for block in range(1, depth + 1):
        u = h
        if options["norm"] == "layer":
            u = layer_norm(h, p[f"gain#{block}"], p[f"shift#{block}"])
        h = h + act.units(block, linear(p[f"w#{block}"], p[f"b#{block}"], u))
    return linear(p["w_out"], p["b_out"], h)


RESMLP = Architecture(
    name="resmlp",
    description=(
        "A residual MLP: an input layer, then `depth` blocks h = h + f(W norm(h) + b) of "
        "`width` units, then a linear readout. depth 1, width 100 is MNIST-1D's published MLP "
        "(40-100-100-10 with a residual second layer)."
    ),
    site="after the input layer and inside every residual block, before the skip is added",
    options=(
        Option("depth", 1, 1, 64, description="residual blocks after the input layer"),
        Option("width", 100, 1, 4096, description="units of every layer"),
        Option("norm", "none", choices=("none", "layer"), description="layer norm in blocks"),
    ),
    sites=_res_sites,
    init=_res_init,
    forward=_res_forward,
    references=("arXiv:2011.14439", "arXiv:1603.05027"),
)

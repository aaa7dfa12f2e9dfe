"""A GRU over a 1-D signal (one input per time step), MNIST-1D's published recurrent model.

The raced activation replaces tanh in the candidate state; the reset and update gates
stay sigmoid (Cho et al. 2014, as torch.nn.GRU):

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    u = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = f(W_in x + b_in + r * (W_hn h + b_hn))
    h = (1 - u) * n + u * h

All models step together: the hidden state is ``[models, hidden, points]`` and each step
is one batched product per direction. The readout sees every step's state (flattened), as
the published model does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from .base import Architecture, Option, Shape
from .layers import linear_init, uniform
from .sites import Sites


def _directions(options: Mapping[str, Any]) -> int:
    return 2 if options["bidirectional"] else 1


def _sites(shape: Shape, options: Mapping[str, Any]) -> list[int]:
    return [int(options["hidden"])]


def _init(shape: Shape, outputs: int, options: Mapping[str, Any], gen: torch.Generator):
    hidden, steps = int(options["hidden"]), shape[-1]
    group: dict[str, torch.Tensor] = {}
    for d in range(_directions(options)):
        group[f"w_ih#{d}"] = uniform(gen, (3 * hidden, 1), hidden)
        group[f"w_hh#{d}"] = uniform(gen, (3 * hidden, hidden), hidden)
        group[f"b_ih#{d}"] = uniform(gen, (3 * hidden, 1), hidden)
        group[f"b_hh#{d}"] = uniform(gen, (3 * hidden, 1), hidden)
    features = _directions(options) * hidden * steps
    return [group, linear_init(gen, features, outputs, "_out")]


def _run(p: dict, x: torch.Tensor, act: Sites, d: int, hidden: int, reverse: bool):
    """One direction over ``x`` ``[points, steps]``: states ``[models, hidden, points]``."""
    w_ih, w_hh, b_ih, b_hh = (p[f"{k}#{d}"] for k in ("w_ih", "w_hh", "b_ih", "b_hh"))
    models, n, steps = w_ih.shape[0], x.shape[0], x.shape[1]
    # input gates of every step at once: [models, 3 * hidden, points, steps]
    gi = w_ih.unsqueeze(-1) * x.unsqueeze(0).unsqueeze(0) + b_ih.unsqueeze(-1)
    h = x.new_zeros(models, hidden, n)
    states: list[torch.Tensor] = [h] * steps
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        gh = torch.baddbmm(b_hh, w_hh, h)
        i_r, i_z, i_n = gi[..., t].split(hidden, dim=1)
        h_r, h_z, h_n = gh.split(hidden, dim=1)
        r = torch.sigmoid(i_r + h_r)
        u = torch.sigmoid(i_z + h_z)
        cand = act.units(0, i_n + r * h_n)
        h = cand + u * (h - cand)
        states[t] = h
    return states


def _forward(p, x, act: Sites, options, shape):
    hidden = int(options["hidden"])
    seq = x.reshape(x.shape[0], -1)
    per_dir = [_run(p, seq, act, d, hidden, reverse=d == 1) for d in range(_directions(options))]
    # [models, steps, directions, hidden, points]: the published flattening (time-major)
    h = torch.stack([torch.stack(states, dim=1) for states in per_dir], dim=2)
    models, n = h.shape[0], h.shape[-1]
    flat = h.reshape(models, -1, n)
    return torch.baddbmm(p["b_out"], p["w_out"], flat)


GRU = Architecture(
    name="gru",
    description=(
        "A GRU reading the signal one value per step (bidirectional by default), then a "
        "linear readout of every step's state. hidden 6, bidirectional is MNIST-1D's "
        "published GRU."
    ),
    site="the candidate state n = f(W_in x + r * W_hn h) (tanh in a standard GRU); "
    "the reset and update gates stay sigmoid",
    inputs="signal",
    options=(
        Option("hidden", 6, 1, 256, description="units of the hidden state"),
        Option("bidirectional", True, description="also read the signal backwards"),
    ),
    sites=_sites,
    init=_init,
    forward=_forward,
    references=("arXiv:1406.1078", "arXiv:2011.14439"),
)

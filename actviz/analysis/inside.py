"""Inside one network of a race: what each hidden unit computes, which units are dead,
and where each layer's inputs land on its activation.

From a :class:`~actviz.training.snapshots.Snapshot` (any recorded step) and one run:

* each hidden unit's output over the decision grid: ``[units, rows, cols]`` on the
  input plane of a 2-D task (rows follow ``x2``, as the decision grids do), or
  ``[units, n]`` along the input of a 1-D task;
* which units are dead, by the race's own definition (``engine.dead_masks``: the
  output is the same at every training input, or the slope is 0 at every one);
* per layer, a histogram of the pre-activations ``z`` over the training inputs, and
  ``f`` and ``f'`` sampled over the histogram's range, so one sees where the inputs
  land on the curve (on a flat tail, in the kink, in the linear part).

The network is evaluated by the snapshot's own one-model stack (the code the race
trained with), on inputs built by ``features.network_inputs``, so extra input
features chosen for the race are fed exactly as in training.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..training.features import network_inputs
from ..training.model import ActivationError, ModelStack, Segment
from ..training.snapshot_grid import grid_points
from ..training.snapshots import Snapshot
from ..training.unit_stats import dead_masks

#: Histogram bins of the pre-activations and samples of the f / f' curves.
BINS = 40
CURVE_POINTS = 201


@dataclass
class LayerInside:
    """One hidden layer of one network at one step."""

    #: each unit's output over the grid: ``[units, rows, cols]`` (2-D) or ``[units, n]``
    maps: np.ndarray
    #: ``[units]``: the unit is dead (see :attr:`why`)
    dead: np.ndarray
    #: per unit, why it is dead ("" when it is not)
    why: list[str]
    #: histogram of the pre-activations over the training inputs (all units together)
    counts: np.ndarray
    edges: np.ndarray
    #: ``f`` and ``f'`` sampled at ``curve_x`` over the histogram's range (``None`` when
    #: the activation has no scalar curve: see :attr:`note`)
    curve_x: np.ndarray
    f: np.ndarray | None
    df: np.ndarray | None
    #: what the figure must say about this layer (gated, vector, per-unit parameters…)
    note: str = ""

    @property
    def units(self) -> int:
        return int(self.maps.shape[0])


@dataclass
class Inside:
    """Every hidden layer of run ``run`` after ``step`` steps."""

    run: int
    activation: str
    step: int
    #: the grid's axes: ``[x1, x2]`` (2-D) or ``[x]`` (1-D)
    axes: list[np.ndarray]
    layers: list[LayerInside] = field(default_factory=list)


def features_of(config: Any) -> list[str]:
    """The race's extra input features, from a ``RaceConfig`` or its dict."""
    if isinstance(config, Mapping):
        return list(config.get("features", []) or [])
    return list(getattr(config, "features", []) or [])


@torch.no_grad()
def inside(
    snapshot: Snapshot,
    run: int,
    config: Any,
    x_train: Any,
    grid_axes: Sequence[np.ndarray],
    bins: int = BINS,
) -> Inside:
    """Look inside run ``run`` of ``snapshot``; see the module docstring.

    ``x_train`` is ``[points, dims]`` (``Started.data["x_train"]``), ``grid_axes`` the
    race's decision-grid axes (``Started.grid_axes``). Raises ``ValueError`` with a
    reason when the inputs do not fit the network.
    """
    axes = [np.asarray(a, dtype=float) for a in grid_axes]
    if len(axes) not in (1, 2):
        raise ValueError("the inside view needs a 1-D or 2-D task with a decision grid")
    x = torch.as_tensor(np.asarray(x_train), dtype=torch.float32)
    if x.ndim != 2 or x.shape[1] != len(axes):
        raise ValueError(
            f"training inputs have shape {tuple(x.shape)}; expected [points, {len(axes)}]"
        )
    features = features_of(config)
    grid = grid_points(axes)
    points = network_inputs(torch.cat([x.t(), grid], dim=1), features)
    model = snapshot.model(run)
    wanted = int(model.weights[0].shape[2])
    if points.shape[0] != wanted:
        raise ValueError(
            f"the network takes {wanted} inputs but the task and features "
            f"({', '.join(features) or 'none'}) give {points.shape[0]}"
        )
    n = x.shape[0]
    _, layers = model.forward(points, train=False, record=True)
    train_part = [(z[:, :, :n], h[:, :, :n]) for z, h in layers]
    masks = dead_masks(model, train_part)
    seg = model.segments[0]
    shape = (len(axes[1]), len(axes[0])) if len(axes) == 2 else (len(axes[0]),)
    result = Inside(run, seg.name, snapshot.step, axes)
    for layer, ((z, _), (constant, zero)) in enumerate(zip(train_part, masks, strict=True)):
        maps = layers[layer][1][0, :, n:].reshape(-1, *shape).numpy().astype(np.float32)
        const, flat = constant[0].numpy(), zero[0].numpy()
        why = [
            "constant output over the training inputs"
            if c
            else ("zero slope at every training input" if s else "")
            for c, s in zip(const, flat, strict=True)
        ]
        counts, edges, note = _histogram(z[0], bins)
        curve_x = np.linspace(edges[0], edges[-1], CURVE_POINTS)
        f, df, curve_note = _curves(seg, layer, curve_x, model)
        result.layers.append(
            LayerInside(
                maps=maps,
                dead=const | flat,
                why=why,
                counts=counts,
                edges=edges,
                curve_x=curve_x,
                f=f,
                df=df,
                note="; ".join(p for p in (note, curve_note) if p),
            )
        )
    return result


def _histogram(z: torch.Tensor, bins: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Counts of every finite pre-activation ``z`` ``[units, points]`` over its range."""
    values = z.reshape(-1).double().numpy()
    finite = values[np.isfinite(values)]
    note = ""
    if finite.size < values.size:
        note = f"{values.size - finite.size} non-finite pre-activations left out"
    if finite.size == 0:
        low, high = -1.0, 1.0
    else:
        low, high = float(finite.min()), float(finite.max())
        if high - low < 1e-6:  # one value: a visible range around it
            low, high = low - 1.0, high + 1.0
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    return counts, edges, note


def _curves(
    seg: Segment, layer: int, xs: np.ndarray, model: ModelStack
) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """``f`` and ``f'`` (autograd) at ``xs`` with this layer's parameter values.

    The curve goes through the race's own ``Segment.call`` with every unit fed the same
    ``xs``; per-unit parameters (learnable or drawn per seed) then give one curve per
    unit, and the figure shows their mean over the units (noted).
    """
    act = seg.activation
    if act.kind == "gated":
        return None, None, "gated: each unit has two pre-activations (value and gate), both counted"
    if act.kind != "elementwise":
        return None, None, f"{act.kind} activation: a unit's output depends on the others"
    units = int(model.weights[layer].shape[1])
    per_unit = any(
        isinstance(v, torch.Tensor) and v.ndim >= 2 and v.shape[1] > 1
        for v in seg.kwargs(layer).values()
    )
    rows = units if per_unit else 1
    grid = torch.as_tensor(xs, dtype=torch.float32).expand(1, rows, -1).contiguous()
    with torch.enable_grad():
        zz = grid.clone().requires_grad_()
        try:
            out = seg.call(zz, layer, train=False)
            (slope,) = torch.autograd.grad(out.sum(), zz, allow_unused=True)
        except (ActivationError, RuntimeError) as exc:
            return None, None, f"f could not be evaluated: {exc}"
    f = out.detach()[0].double().mean(dim=0).numpy()
    df = np.zeros_like(f) if slope is None else slope[0].double().mean(dim=0).numpy()
    note = "per-unit parameters: f and f' are the mean over the units" if per_unit else ""
    return f, df, note

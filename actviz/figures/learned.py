"""Learned shapes out of actviz: a CSV table, a figure (matplotlib, no Qt), and a fixed
plugin file that races the learned shape again as an ordinary activation."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..analysis.learned_shapes import (
    LearnedShape,
    call_values,
    layer_values,
    learned_shapes,
    part_at,
    row_at,
    shapes_table,
)
from ..api import Activation
from ..paths import user_plugin_dir
from .files import ExportError, check_writable, export_table, write_bytes
from .palette import colour_for

#: The saved plugin samples the learned shape here and interpolates linearly between
#: samples; outside it continues the end segments' lines.
PLUGIN_RANGE = (-8.0, 8.0)
PLUGIN_POINTS = 1601
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def export_shapes_csv(shapes: Sequence[LearnedShape], path: str | Path) -> Path:
    """One row per (curve, x): activation, seed, layer, unit, step, x, initial, learned."""
    if not shapes:
        raise ExportError("there is no learned shape to export")
    return export_table(shapes_table(shapes), path)


def export_shapes_figure(
    shapes: Sequence[LearnedShape], path: str | Path, dark: bool = False
) -> Path:
    """Learned curves (solid) over initial ones (dashed), one panel per layer; PNG or SVG."""
    if not shapes:
        raise ExportError("there is no learned shape to export")
    path = check_writable(Path(path).expanduser())
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ExportError(f"unknown figure type '.{fmt}': use .png, .svg or .pdf")
    from matplotlib.figure import Figure

    layers = sorted({s.layer for s in shapes})
    fig = Figure(figsize=(4.2 * len(layers), 3.6), layout="constrained")
    axes = fig.subplots(1, len(layers), squeeze=False)[0]
    colour = colour_for(shapes[0].activation, dark)
    for ax, layer in zip(axes, layers, strict=True):
        mine = [s for s in shapes if s.layer == layer]
        alpha = max(0.15, 1.0 / len(mine) ** 0.5)
        for i, s in enumerate(mine):
            ax.plot(
                s.x, s.initial, color="0.55", ls="--", lw=1, label="initial" if i == 0 else None
            )
            ax.plot(
                s.x,
                s.learned,
                color=colour,
                lw=1.4,
                alpha=alpha,
                label=f"step {s.step}" if i == 0 else None,
            )
        ax.set_title(f"{shapes[0].activation}, layer {layer + 1}")
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize="small")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=150)
    write_bytes(path, buffer.getvalue())
    return path


def learned_plugin_source(
    shape: LearnedShape, act: Activation, kwargs: Mapping[str, Any], name: str
) -> str:
    """A self-contained plugin file: the learned curve sampled on ``PLUGIN_RANGE`` and
    linearly interpolated (fixed, nothing learnable), with where it came from."""
    x = torch.linspace(*PLUGIN_RANGE, PLUGIN_POINTS, dtype=torch.float64)
    with torch.no_grad():
        y = act.fn(x, **kwargs).to(torch.float64).numpy()
    if not np.isfinite(y).all():
        raise ExportError(f"{act.name} is not finite on {PLUGIN_RANGE}: nothing to save")
    unit = f", unit {shape.unit + 1}" if shape.unit is not None else ""
    origin = (
        f"{act.name} after {shape.step} steps (seed {shape.seed}, layer {shape.layer + 1}{unit})"
    )
    values = ",\n".join(f"    {v!r}" for v in y.tolist())
    low, high = PLUGIN_RANGE
    step = (high - low) / (PLUGIN_POINTS - 1)
    return f'''"""{name}: the shape {origin} learned, saved as a fixed activation.

Written by actviz ("save this learned shape as a plugin"). The curve is sampled at
{PLUGIN_POINTS} points on [{low:g}, {high:g}] and interpolated linearly; beyond that range
it continues the end segments' lines.
"""

import torch

from actviz import Activation, hookimpl

LOW = {low!r}
STEP = {step!r}
VALUES = [
{values},
]
_TABLES = {{}}


def _table(x):
    key = (x.dtype, x.device)
    if key not in _TABLES:
        _TABLES[key] = torch.tensor(VALUES, dtype=x.dtype, device=x.device)
    return _TABLES[key]


def {name}(x):
    values = _table(x)
    position = (x - LOW) / STEP
    index = position.floor().clamp(0, len(VALUES) - 2)
    t = position - index
    index = index.long()
    return values[index] * (1 - t) + values[index + 1] * t


@hookimpl
def actviz_activations():
    return [
        Activation(
            name={name!r},
            fn={name},
            description={("Learned by " + origin + ".")!r},
            family="learned",
            smoothness="C0",
        )
    ]
'''


def save_learned_plugin(
    act: Activation,
    run: Mapping[str, Any],
    *,
    seed: int,
    layer: int,
    unit: int | None = None,
    step: int | None = None,
    name: str | None = None,
    folder: str | Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``NAME.py`` (default ``<activation>_learned_s<seed>_l<layer>``) into the
    user's plugin folder (or ``folder``) and return its path; bad input raises
    :class:`ExportError` with a one-line reason."""
    shapes = [
        s
        for s in learned_shapes(act, run, step, layers=[layer])
        if s.seed == seed and s.unit == unit
    ]
    if not shapes:
        raise ExportError(
            f"{act.name}: no learned shape for seed {seed}, layer {layer + 1}"
            + (f", unit {unit + 1}" if unit is not None else "")
        )
    shape = shapes[0]
    part = part_at(act, layer)  # a per-layer race (prelu>tanh): that layer's activation
    suffix = f"_u{unit + 1}" if unit is not None else ""
    name = name or f"{part.name}_learned_s{seed}_l{layer + 1}{suffix}"
    if not NAME.match(name):
        raise ExportError(f"{name!r} is not a plugin name: use lower-case letters, digits and _")
    target = Path(folder) if folder is not None else user_plugin_dir()
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}.py"
    if path.exists() and not overwrite:
        raise ExportError(f"{path} already exists: choose another name")
    member = next(m for m in run["runs"] if m["activation"] == act.name and int(m["seed"]) == seed)
    recorded = layer_values(row_at(member["history"], shape.step), layer)
    chosen = ((run.get("config") or {}).get("params") or {}).get(part.name, {})
    width = max(
        (len(v) for p in part.params if p.per_unit and (v := recorded.get(p.name))), default=1
    )
    kwargs = call_values(part, recorded, chosen, seed, width, unit)
    write_bytes(path, learned_plugin_source(shape, part, kwargs, name).encode("utf-8"))
    return path

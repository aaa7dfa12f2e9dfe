"""From a race's configuration to an :class:`ArchStack`: input shape, checks, weights.

The race engine calls :func:`problems` before it starts (one line per reason the
architecture cannot train this task with these options) and :func:`build_stack` for each
group of models; the same seed draws the same initial weights for every activation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from ..api import Activation
from ..training.learned_params import segment_params
from ..training.model import Segment
from .base import Architecture, Shape
from .stack import ArchStack

#: Points of the training set each activation site records for its statistics.
RECORD_POINTS = 256


def input_shape(architecture: Architecture, task: Any) -> Shape | None:
    """The shape one input has for ``architecture`` on ``task`` (``None``: does not fit)."""
    extras = getattr(task, "extras", {}) or {}
    dim = int(task.input_dim)
    if architecture.inputs == "signal":
        length = extras.get("signal_length")
        if not length or dim % int(length):
            return None
        return (dim // int(length), int(length))
    if architecture.inputs == "image":
        shape = extras.get("image_shape")
        if not shape or int(torch.Size(shape).numel()) != dim:
            return None
        return tuple(int(s) for s in shape)
    return (dim,)


def problems(
    architecture: Architecture,
    options: Mapping[str, Any],
    task: Any,
    activations: Mapping[str, Activation] | None = None,
    features: Sequence[str] = (),
) -> list[str]:
    """Every reason this architecture cannot race on ``task``, one line each."""
    name = architecture.name
    found: list[str] = []
    known = {o.name: o for o in architecture.options}
    for key, value in dict(options or {}).items():
        if key not in known:
            choices = ", ".join(known) or "none"
            found.append(f"arch: {name} has no option {key!r} (its options: {choices})")
            continue
        problem = known[key].problem(value)
        if problem:
            found.append(f"arch: {name} {key} {problem}")
    if found:
        return found
    resolved = architecture.resolved(options)
    check = architecture.extra.get("check")
    problem = check(resolved) if check is not None else None
    if problem:
        return [f"arch: {name} {problem}"]
    if architecture.native:
        return found
    if task is not None and input_shape(architecture, task) is None:
        what = {"signal": "a 1-D signal", "image": "an image"}[architecture.inputs]
        return [
            f"arch: {name} needs {what} as input, and task {task.name!r} gives a table of "
            f"{task.input_dim} numbers (try mlp or resmlp)"
        ]
    if features:
        found.append(f"features: extra inputs are for the mlp architecture, not {name}")
    lengths = architecture.extra.get("lengths")
    if task is not None and lengths is not None:
        shape = input_shape(architecture, task)
        if shape is not None and min(lengths(shape, resolved)) < 1:
            found.append(f"arch: {name}'s layers shrink a length-{shape[-1]} signal to nothing")
    gated_ok = bool(architecture.extra.get("gated"))
    for act_name, act in (activations or {}).items():
        parts = list(getattr(act, "parts", ()))
        kinds = [p.kind for p in parts] or [act.kind]
        if "gated" in kinds and (parts or not gated_ok):
            takes = "gated ones whole, as gated MLPs" if gated_ok else "vector activations"
            found.append(
                f"activations: {act_name} is gated (it halves a layer's width); "
                f"{name} takes elementwise and {takes}"
            )
    return found


def is_gated(act: Activation) -> bool:
    """Whether ``act`` halves its layer (GLU): its models need twice the pre-activations."""
    return getattr(act, "kind", "") == "gated"


def build_stack(
    architecture: Architecture,
    options: Mapping[str, Any],
    task: Any,
    group: Sequence[tuple[Activation, list[int], list[int], Mapping[str, Any]]],
    device: torch.device,
    n_train: int,
) -> ArchStack:
    """One stack for ``group``: ``(activation, seeds, run ids, chosen params)`` per
    activation. Seed ``s`` draws the same weights whatever the activation."""
    shape = input_shape(architecture, task)
    assert shape is not None, "problems() refuses a task that does not fit"
    resolved = architecture.resolved(options)
    widths = architecture.sites(shape, resolved)
    outputs = int(task.output_dim)
    per_model: list[list[dict[str, torch.Tensor]]] = []
    segments: list[Segment] = []
    start = 0
    gated = {is_gated(act) for act, *_ in group}
    if len(gated) > 1:
        raise ValueError("a stack holds gated or plain activations, not both (see stacks())")
    extra = {"gated": True} if True in gated else {}
    for act, seeds, ids, chosen in group:
        for seed in seeds:
            gen = torch.Generator().manual_seed(int(seed))
            per_model.append(architecture.init(shape, outputs, resolved, gen, **extra))
        fixed, constants, learnable = segment_params(act, seeds, widths, chosen, device)
        stop = start + len(seeds)
        segments.append(Segment(act, start, stop, list(ids), fixed, learnable, constants))
        start = stop
    groups = [
        {
            key: torch.stack([m[g][key] for m in per_model]).to(device).requires_grad_()
            for key in per_model[0][g]
        }
        for g in range(len(per_model[0]))
    ]
    names = [k for g in groups for k in g]
    if len(set(names)) != len(names):
        raise ValueError(f"architecture {architecture.name!r}: parameter names repeat: {names}")
    return ArchStack(
        architecture, resolved, shape, segments, groups, min(RECORD_POINTS, max(1, n_train))
    )

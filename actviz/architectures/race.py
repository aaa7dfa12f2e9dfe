"""The seam between the race engine and an architecture: checks and the batched stacks.

The engine keeps its own stacked MLP for ``arch="mlp"``; for any other architecture it
asks :func:`check` for problems before the race and :func:`stacks` for the models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from ..api import Activation
from .base import Architecture
from .build import build_stack, is_gated, problems


def lookup(name: str, catalogue: Any) -> Architecture | None:
    """The loaded architecture ``name`` (``None`` for the MLP when no plugin provides it);
    ``ValueError`` naming close matches otherwise."""
    import difflib

    known = getattr(catalogue, "architectures", {}) or {}
    if name in known:
        return known[name]
    if name == "mlp":
        return None
    close = difflib.get_close_matches(name, sorted(known), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ValueError(f"unknown architecture {name!r}{hint}; known: {', '.join(sorted(known))}")


def native(architecture: Architecture | None) -> bool:
    """Whether the race trains the engine's own MLP."""
    return architecture is None or architecture.native


def check(
    config: Any,
    architecture: Architecture | None,
    task: Any,
    activations: Mapping[str, Activation],
    initial: Any = None,
) -> list[str]:
    """Problems of ``config.arch`` with this task and these activations, one line each."""
    name = getattr(config, "arch", "mlp") or "mlp"
    options = dict(getattr(config, "arch_options", {}) or {})
    if architecture is None:
        if name == "mlp" and not options:
            return []
        return [f"arch: no architecture {name!r} was given to the race (is its plugin loaded?)"]
    if architecture.name != name:
        return [f"arch: the config names {name!r} but the architecture is {architecture.name!r}"]
    raced = {a: activations[a] for a in config.activations if a in activations}
    found = problems(architecture, options, task, raced, getattr(config, "features", ()))
    if not found and not architecture.native and task is not None and raced:
        found += _memory(config, architecture, task, raced)
    if not architecture.native and config.init != "default":
        found.append(
            f"init: {name} starts from torch.nn's default initialisation; "
            "--init is for the mlp architecture"
        )
    return found


def stacks(
    config: Any,
    architecture: Architecture,
    activations: Mapping[str, Activation],
    task: Any,
    device: torch.device,
    n_train: int,
    per_seed: bool = False,
) -> list:
    """The race's models as :class:`~.stack.ArchStack` s: all in one stack, one per seed
    when each seed draws its own data (``per_seed``: every model of a stack then sees one
    draw), or one per model with ``strategy="loop"``."""
    seeds = config.seed_list()
    per_act = len(seeds)
    entries = []
    for k, name in enumerate(config.activations):
        act = activations[name]
        chosen = config.params if getattr(act, "parts", None) else config.params_for(name)
        entries.append((act, seeds, list(range(k * per_act, (k + 1) * per_act)), chosen))
    if config.strategy == "loop":
        groups: Sequence[list] = [
            [(act, [seed], [ids[i]], chosen)]
            for act, s, ids, chosen in entries
            for i, seed in enumerate(s)
        ]
    elif per_seed:
        groups = [
            [(act, [seed], [ids[i]], chosen) for act, _, ids, chosen in entries]
            for i, seed in enumerate(seeds)
        ]
    else:
        groups = [entries]
    # gated activations (GLU) need twice the pre-activations: their own stacks
    groups = [
        part
        for g in groups
        for part in ([e for e in g if not is_gated(e[0])], [e for e in g if is_gated(e[0])])
        if part
    ]
    options = getattr(config, "arch_options", {}) or {}
    return [build_stack(architecture, options, task, g, device, n_train) for g in groups]


def _memory(config: Any, architecture: Architecture, task: Any, raced: Mapping) -> list[str]:
    from ..training.device import pick_device
    from .memory import memory_problem

    try:
        models = len(config.activations) * len(config.seed_list())
    except (TypeError, ValueError):
        return []  # the config's own check names bad seeds
    batch = config.batch_size or config.points or task.default_points
    act = next(iter(raced.values()))
    if getattr(act, "parts", None):
        act = act.parts[0]
    options = getattr(config, "arch_options", {}) or {}
    try:
        device = pick_device(config.device)
    except (RuntimeError, ValueError):
        return []  # the config's own check names a bad device
    problem = memory_problem(architecture, options, task, act, batch, models, device)
    return [problem] if problem else []

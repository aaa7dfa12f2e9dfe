"""What a stored run is: a name that describes its configuration, which runs can be ranked
together, and how two runs' configurations differ.

Runs of different tasks measure different things (accuracy on moons is not accuracy
on digits), so a leaderboard ranks only within a group of one task and one training
configuration and says why it keeps groups apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .replicates import label as replicate_label

#: Config fields that do not change what a run measures (where and how fast it ran).
NOT_COMPARED = {"device", "strategy", "threads", "boundary_grid"}
#: Config fields that differ between the rows of one leaderboard group.
PER_ROW = {"activations", "params", "seeds"}
#: Fields added later: a stored config without them had these values.
LATER_DEFAULTS: dict[str, Any] = {
    "l1": 0.0,
    "l2": 0.0,
    "features": [],
    "vary": "init",  # runs stored before the choice varied only the initial weights
    "arch": "mlp",  # runs stored before architectures were MLPs
    "arch_options": {},
}


def describe_config(config: Mapping[str, Any], task: str | None = None) -> str:
    """``moons: relu, tanh · 8x8 adam lr 0.01 · 1000 steps · seeds 0-2 · data 0 · varies:
    data and init`` (a run stored before the choice existed varied init only)."""
    acts = list(config.get("activations") or [])
    shown = ", ".join(acts[:4]) + (f" +{len(acts) - 4}" if len(acts) > 4 else "")
    hidden = "x".join(str(w) for w in config.get("hidden") or []) or "linear"
    init = config.get("init", "default")
    net = hidden if init in (None, "default") else f"{hidden} {init}"
    lr = config.get("lr")
    lr_text = f"{lr:g}" if isinstance(lr, (int, float)) else "?"
    opt = f"{config.get('optimizer', '?')} lr {lr_text}"
    for name in ("l1", "l2"):
        value = config.get(name)
        if isinstance(value, (int, float)) and value:
            opt += f" {name.upper()} {value:g}"
    arch = config.get("arch") or "mlp"
    if arch != "mlp":
        options = config.get("arch_options") or {}
        net = arch + "".join(f" {k} {v}" for k, v in options.items())
    features = config.get("features") or []
    if features:
        net += " +" + ",".join(str(f) for f in features)
    return (
        f"{task or config.get('task', '?')}: {shown} · {net} {opt} · "
        f"{config.get('steps', '?')} steps · {_seeds(config.get('seeds', 3))} · "
        f"data {config.get('data_seed', 0)} · {replicate_label(config.get('vary'))}"
    )


def unique_name(name: str, taken: Iterable[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` ... whichever is not ``taken`` yet."""
    used = set(taken)
    if name not in used:
        return name
    n = 2
    while f"{name} ({n})" in used:
        n += 1
    return f"{name} ({n})"


def comparable_key(run: Mapping[str, Any]) -> tuple[str, str]:
    """(task, configuration) of a run: runs with the same key can be ranked together."""
    config = {**LATER_DEFAULTS, **(run.get("config") or {})}
    rest = {k: v for k, v in sorted(config.items()) if k not in NOT_COMPARED | PER_ROW | {"task"}}
    return str(run.get("task") or config.get("task")), repr(rest)


def group_runs(
    runs: Sequence[Mapping[str, Any]],
) -> tuple[list[list[Mapping[str, Any]]], str | None]:
    """Runs split into groups that may be ranked together, and why there are several.

    Groups keep the order in which their first run appears; the reason is ``None``
    when there is one group.
    """
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for run in runs:
        groups.setdefault(comparable_key(run), []).append(run)
    if len(groups) < 2:
        return list(groups.values()), None
    tasks = list(dict.fromkeys(task for task, _ in groups))
    if len(tasks) > 1:
        reason = (
            f"not ranked together: runs of different tasks ({', '.join(tasks)}) measure "
            "different things; each group is ranked on its own"
        )
    else:
        first, *others = list(groups.values())
        fields = sorted({k for run in others for k, *_ in config_diff(first[0], run[0])})
        reason = (
            f"not ranked together: the runs differ in {', '.join(fields)}; each "
            "configuration is ranked on its own"
        )
    return list(groups.values()), reason


def config_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(field, value in a, value in b)`` for every configuration field that differs."""
    ca = {"task": a.get("task"), **LATER_DEFAULTS, **(a.get("config") or {})}
    cb = {"task": b.get("task"), **LATER_DEFAULTS, **(b.get("config") or {})}
    keys = list(dict.fromkeys([*ca, *cb]))
    return [(k, ca.get(k), cb.get(k)) for k in keys if ca.get(k) != cb.get(k)]


def _seeds(seeds: Any) -> str:
    if isinstance(seeds, int):
        return f"seeds 0-{seeds - 1}" if seeds > 1 else "seed 0"
    seeds = list(seeds)
    if len(seeds) > 1 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"seeds {seeds[0]}-{seeds[-1]}"
    return f"seed{'s' if len(seeds) != 1 else ''} {','.join(str(s) for s in seeds)}"

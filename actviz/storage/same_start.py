"""'Same start again': a stored race's configuration and initial networks, one setting changed.

A class sees what one change does when everything else is equal: the same task and
data (task, data seed, points, noise, test fraction come from the stored config), the
same network and the very same initial weights (from ``RunStore.initial_states``),
only the learning rate, the number of steps or the optimiser (or any other training
setting given) differ. The CLI's ``actviz train --same-start`` and the Playground's
"Same start again…" both build their race here, so they cannot disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..training.config import RaceConfig
from .initial_states import UnreadableInitialState
from .store import RunStore

#: What a re-run may change: training settings only. Everything that shapes the data or
#: the networks (task, hidden widths, activations, init, features) is the stored run's.
CHANGEABLE = ("lr", "steps", "optimizer", "l1", "l2", "batch_size", "eval_every", "device")


class SameStartError(ValueError):
    """The run cannot be re-run from its start (none with that id, no stored networks)."""


@dataclass
class SameStart:
    """What to race: the changed config, the stored networks and the new run's name."""

    run_id: int
    config: RaceConfig
    initial: dict[tuple[str, int], Any]
    name: str
    original: RaceConfig
    #: the stored run's own name
    stored_name: str = ""


def same_start(store: RunStore, run_id: int, changes: Mapping[str, Any] | None = None) -> SameStart:
    """The re-run of ``run_id`` with ``changes`` (``{"lr": 0.1, ...}``; ``None`` values
    keep the stored setting). Raises :class:`SameStartError` with one line."""
    try:
        stored = store.load_run(run_id)
    except KeyError:
        raise SameStartError(f"there is no run #{run_id} in {store.path}") from None
    try:
        initial = store.initial_states(run_id)
    except UnreadableInitialState as exc:
        raise SameStartError(str(exc)) from None
    if not initial:
        raise SameStartError(
            f"run #{run_id} was stored without its initial networks (older actviz, or it "
            "failed before the first evaluation): it cannot be re-run from the same start"
        )
    original = RaceConfig.from_dict(stored["config"])
    wanted = {k: v for k, v in (changes or {}).items() if v is not None}
    unknown = [k for k in wanted if k not in CHANGEABLE]
    if unknown:
        raise SameStartError(
            f"a same-start re-run can change only {', '.join(CHANGEABLE)}; not {', '.join(unknown)}"
        )
    known = {f.name for f in dataclasses.fields(RaceConfig)}
    missing = [k for k in wanted if k not in known]
    if missing:
        raise SameStartError(f"this actviz has no setting {', '.join(missing)}")
    config = dataclasses.replace(original, **wanted)
    problems = config.validate()
    if problems:
        raise SameStartError("; ".join(problems))
    name = rerun_name(run_id, original, config)
    return SameStart(run_id, config, initial, name, original, str(stored.get("name", "")))


def rerun_name(run_id: int, original: RaceConfig, config: RaceConfig) -> str:
    """``"same start as #3: lr 0.01 → 0.1"``: what changed, so the run list tells."""
    before, after = original.to_dict(), config.to_dict()
    changed = [
        f"{key} {_show(key, before.get(key))} → {_show(key, after.get(key))}"
        for key in CHANGEABLE
        if key in after and before.get(key) != after.get(key)
    ]
    return f"same start as #{run_id}" + (f": {', '.join(changed)}" if changed else "")


#: How an unset value reads in a name: the full batch, the fixed evaluation grid.
_UNSET = {"batch_size": "full", "eval_every": "grid"}


def _show(key: str, value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return _UNSET.get(key, "auto") if value is None else str(value)

"""What a seed varies: a replicate of a race resamples the data, the initial weights, or both.

A race's seeds are its replicates. With ``vary="all"`` (the default) seed ``s`` draws its
own data set (and so its own train/test split and minibatch order) and its own initial
weights; with ``"init"`` every seed shares the data of ``data_seed`` and only the initial
weights change (what actviz did before the choice existed, and how older stored runs
read); with ``"data"`` every seed starts from the same initial weights and only the data
changes. Every activation of a race gets the same replicate for a seed, so comparisons
stay paired. Intervals over seeds then describe the task (all), the initialisation on one
draw of the data (init), or one initialisation over draws (data).

A nested race (``inits_per_draw`` M > 1, with ``vary="all"``) groups its seeds, in
order, M at a time: a group shares the data draw of its first seed, and each seed keeps
its own initial weights. K draws x M initialisations then say how much of the spread
comes from each (:mod:`actviz.stats.nested`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

VARY = ("all", "init", "data")
#: What a stored race without the field varied (races before the choice existed).
LEGACY_VARY = "init"
#: The initial weights every replicate shares under ``vary="data"``.
FIXED_INIT_SEED = 0

DESCRIPTIONS = {
    "all": "each seed draws its own data, split, minibatch order and initial weights",
    "init": "each seed draws its own initial weights; all seeds share one data draw",
    "data": "each seed draws its own data, split and minibatch order; same initial weights",
}


def data_varies(vary: str) -> bool:
    return vary in ("all", "data")


def data_seed_of(vary: str, data_seed: int, seed: int) -> int:
    """The data seed replicate ``seed`` trains on: ``data_seed`` itself when only the
    initial weights vary, else a seed derived from both (fresh for every pair)."""
    if not data_varies(vary):
        return int(data_seed)
    digest = hashlib.sha256(f"actviz-replicate:{int(data_seed)}:{int(seed)}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def draw_key(seeds: Sequence[int], seed: int, inits_per_draw: int = 1) -> int:
    """The seed whose data draw replicate ``seed`` trains on: itself, or in a nested race
    the first seed of its group of ``inits_per_draw``."""
    if inits_per_draw <= 1:
        return int(seed)
    position = list(seeds).index(int(seed))
    return int(seeds[position - position % inits_per_draw])


def race_data_seed(config: Any, seed: int) -> int:
    """The data seed of replicate ``seed`` of the race ``config`` (a :class:`RaceConfig`)."""
    key = draw_key(config.seed_list(), seed, getattr(config, "inits_per_draw", 1))
    return data_seed_of(config.vary, config.data_seed, key)


def init_seed_of(vary: str, seed: int) -> int:
    """The seed of replicate ``seed``'s initial weights."""
    return FIXED_INIT_SEED if vary == "data" else int(seed)


def label(vary: str | None) -> str:
    """``varies: data and init`` etc., for tables and titles."""
    words = {"all": "data and init", "init": "init only", "data": "data only"}
    return "varies: " + words.get(vary or LEGACY_VARY, str(vary))

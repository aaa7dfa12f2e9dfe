"""The error rate of seeds-until-decided, measured through actviz's own loop.

Simulated seed batches with no true difference (:mod:`.simulate`) are fed to
:func:`.until_decided.race_until_decided`, exactly as a race's batches are, and we count
the experiments that end with any comparison decided. Next to it, the same data judged
by testing at 0.05 at every look (what the loop did before) and once at the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import paired
from .simulate import draw
from .until_decided import race_until_decided

DESIGNS = [  # (scenario, first batch, cap, comparisons)
    ("normal", 6, 24, 1),
    ("skewed", 6, 24, 1),
    ("quantised", 6, 24, 1),
    ("outlier", 6, 24, 1),
    ("outlier", 6, 24, 2),
    ("failure", 6, 24, 1),
    ("normal", 6, 24, 3),
    ("normal", 3, 24, 1),
    ("normal", 3, 30, 1),
]


def _batches(scenario: str, rng: np.random.Generator, names: list[str]) -> Any:
    """A ``run_batch`` that returns simulated results for the batch's seeds."""
    from ..training.results import RaceResult, RunRecord

    def run_batch(config: Any) -> Any:
        seeds = config.seed_list()
        d = draw(scenario, rng, len(names) - 1, len(seeds), 0.0)
        values = {names[0]: d.b[0]}
        for j, name in enumerate(names[1:]):
            values[name] = d.b[0] + (d.a[j] - d.b[j])  # each candidate's own differences
        runs = []
        for name in names:
            for seed, value in zip(seeds, values[name], strict=True):
                history = [{"step": 1, "test_metric": float(value), "train_loss": 0.0}]
                record = RunRecord(len(runs), name, seed, "accuracy", "finished")
                record.history = history
                runs.append(record)
        return RaceResult(config.to_dict(), "sim", "accuracy", "sim", "sim", runs, "finished")

    return run_batch


def experiment(
    scenario: str, first: int, cap: int, comparisons: int, rng: np.random.Generator
) -> dict[str, bool]:
    """One seeds-until-decided experiment: decided by actviz's rule, by 0.05 at every
    look, and at the cap alone."""
    from ..training.config import RaceConfig

    names = ["base"] + [f"c{j}" for j in range(comparisons)]
    config = RaceConfig(task="sim", activations=names, seeds=first)
    looks: list[list[dict[str, Any]]] = []
    result, summary = race_until_decided(
        config, "base", cap, _batches(scenario, rng, names), lambda _n, s: looks.append(s)
    )
    compared = [e["vs_baseline"] for e in summary if "vs_baseline" in e]
    every_look = any(
        e["vs_baseline"]["p_holm"] is not None and e["vs_baseline"]["p_holm"] < paired.ALPHA
        for s in looks
        for e in s
        if "vs_baseline" in e
    )
    return {
        "sequential": any(v["decided"] for v in compared),
        "every_look": every_look,
        "seeds": len(result.config["seeds"]),
    }


def table(experiments: int, designs: Sequence[tuple[str, int, int, int]] = DESIGNS) -> list:
    """One row per design: the share of experiments that end decided."""
    rows = []
    for scenario, first, cap, m in designs:
        rng = np.random.default_rng([first, cap, m, len(scenario)])
        found = [experiment(scenario, first, cap, m, rng) for _ in range(experiments)]
        rows.append(
            {
                "scenario": scenario,
                "looks": len(range(first, cap + 1, first)) + (cap % first != 0),
                "seeds": f"{first}..{cap}",
                "comparisons": m,
                "experiments": experiments,
                "sequential": float(np.mean([f["sequential"] for f in found])),
                "every_look": float(np.mean([f["every_look"] for f in found])),
                "mean_seeds": float(np.mean([f["seeds"] for f in found])),
            }
        )
    return rows


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| scenario | seeds | looks | comparisons | decided (group-sequential) "
        "| decided (0.05 at every look, before) | mean seeds used |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['seeds']} | {r['looks']} | {r['comparisons']} "
            f"| {r['sequential']:.3f} | {r['every_look']:.3f} | {r['mean_seeds']:.1f} |"
        )
    return "\n".join(lines)

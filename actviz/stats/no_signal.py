"""End-to-end error rates: race the built-in ``noise`` task through :func:`actviz.race`.

The ``noise`` task's labels are coin flips independent of the inputs, so every
activation's true test accuracy is 0.5 and every true difference is 0. Each experiment
is a fresh race (fresh data seed and fresh seeds, each seed its own data draw); we count
the races that end with any comparison decided and the intervals that hold the truth.
This checks the whole pipeline (data per replicate, training, pairing, statistics),
not the statistics alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

TRUE_ACCURACY = 0.5


def no_signal_rates(
    experiments: int,
    race: Callable[..., Any],
    *,
    activations: Sequence[str] = ("relu", "tanh", "gelu"),
    seeds: int = 8,
    steps: int = 20,
    hidden: tuple[int, ...] = (4,),
    until_decided: bool = False,
    max_seeds: int = 24,
    first: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Race ``noise`` ``experiments`` times with ``race`` (:func:`actviz.race`: the
    statistics sit below the API that trains, so the caller hands it over); the share
    decided and the coverages."""
    decided = mean_hits = mean_total = diff_hits = diff_total = used = 0
    for e in range(first, first + experiments):
        outcome = race(
            task="noise",
            activations=list(activations),
            seeds=list(range(1000 * e, 1000 * e + seeds)),
            steps=steps,
            hidden=hidden,
            baseline=activations[0],
            data_seed=e,
            device="cpu",
            until_decided=until_decided,
            max_seeds=max_seeds if until_decided else None,
        )
        summary = outcome.summary
        decided += any(x.get("vs_baseline", {}).get("decided") for x in summary)
        used += len(outcome.runs) // len(activations)
        for entry in summary:
            if entry["ci_low"] is not None:
                mean_total += 1
                mean_hits += entry["ci_low"] <= TRUE_ACCURACY <= entry["ci_high"]
            vs = entry.get("vs_baseline")
            if vs is not None and vs["ci_low"] is not None:
                diff_total += 1
                diff_hits += vs["ci_low"] <= 0.0 <= vs["ci_high"]
        if progress is not None:
            progress(e)
    rate = decided / experiments
    return {
        "experiments": experiments,
        "seeds": f"{seeds}..{max_seeds}" if until_decided else str(seeds),
        "comparisons": len(activations) - 1,
        "decided": rate,
        "decided_mc_error": math.sqrt(max(rate * (1 - rate), 0.05 * 0.95) / experiments),
        "mean_coverage": mean_hits / max(1, mean_total),
        "diff_coverage": diff_hits / max(1, diff_total),
        "mean_seeds": used / experiments,
    }

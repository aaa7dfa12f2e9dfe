"""Seeds until decided: add batches of paired seeds until every comparison with the
baseline is decided, or a cap is reached.

Each batch is one batched race over new seeds for every activation, so a seed still
pairs the same initial weights across activations. After each batch the statistics are
recomputed on all seeds so far; a comparison's ``seeds_to_decide`` is the seed count at
which it became decided and stayed so. Looking after every batch is optional stopping:
it raises the false-positive rate above alpha, which the cap bounds; see
docs/comparisons.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from . import paired as stats


def next_seeds(done: Sequence[int], batch: int, cap: int) -> list[int]:
    """The next ``batch`` seeds after those done, without passing ``cap`` seeds in all."""
    start = max(done, default=-1) + 1
    room = max(0, cap - len(done))
    return list(range(start, start + min(batch, room)))


def merge_results(results: Sequence[Any]) -> Any:
    """One :class:`RaceResult` from races that differ only in their seeds."""
    from ..training.results import RaceResult, RunRecord

    first = results[0]
    seeds = [s for r in results for s in _seeds(r)]
    config = {**first.config, "seeds": seeds}
    runs = [
        RunRecord(**{**vars(run), "index": i})
        for i, run in enumerate(run for r in results for run in r.runs)
    ]
    statuses = [r.status for r in results]
    status = next((s for s in ("failed", "stopped", "running") if s in statuses), "finished")
    return RaceResult(
        config=config,
        task=first.task,
        metric=first.metric,
        device=first.device,
        strategy=first.strategy,
        runs=runs,
        status=status,
        train_seconds=sum(r.train_seconds for r in results),
        steps_done=min(r.steps_done for r in results),
    )


def _seeds(result: Any) -> list[int]:
    seeds = result.config.get("seeds", [])
    return list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]


class DecisionTracker:
    """Remembers, per compared activation, the seed count since which it is decided."""

    def __init__(self) -> None:
        self.since: dict[str, int | None] = {}

    def update(self, summary: Sequence[dict[str, Any]], n_seeds: int) -> bool:
        """Record this batch's verdicts; ``True`` when every comparison is decided."""
        compared = [e for e in summary if "vs_baseline" in e]
        for entry in compared:
            name = entry["activation"]
            if entry["vs_baseline"]["decided"]:
                if self.since.get(name) is None:
                    self.since[name] = n_seeds
            else:
                self.since[name] = None
        return bool(compared) and all(e["vs_baseline"]["decided"] for e in compared)

    def annotate(self, summary: Sequence[dict[str, Any]]) -> None:
        for entry in summary:
            if "vs_baseline" in entry:
                entry["vs_baseline"]["seeds_to_decide"] = self.since.get(entry["activation"])


def race_until_decided(
    config: Any,
    baseline: str,
    max_seeds: int,
    run_batch: Callable[[Any], Any],
    on_batch: Callable[[int, list[dict[str, Any]]], None] | None = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """Run ``config``'s seeds, then further batches of as many seeds, until every
    activation's comparison with ``baseline`` is decided or ``max_seeds`` seeds are done.

    ``run_batch(config) -> RaceResult`` trains one batch (the caller stores it, shows
    progress, ...); a batch that does not finish ends the loop. Returns the merged
    result and its summary, each comparison carrying ``seeds_to_decide``.
    """
    first = config.seed_list()
    if max_seeds < len(first):
        raise ValueError(f"--max-seeds ({max_seeds}) is below the first batch ({len(first)})")
    batch_size = len(first)
    results, done, seeds = [], [], first
    tracker = DecisionTracker()
    while seeds:
        result = run_batch(replace(config, seeds=list(seeds)))
        results.append(result)
        done += seeds
        merged = merge_results(results)
        summary = stats.summarise(merged.to_dict(), baseline)
        all_decided = tracker.update(summary, len(done))
        if on_batch is not None:
            on_batch(len(done), summary)
        if all_decided or result.status != "finished":
            break
        seeds = next_seeds(done, batch_size, max_seeds)
    tracker.annotate(summary)
    return merged, summary

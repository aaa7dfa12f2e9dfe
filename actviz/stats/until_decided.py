"""Seeds until decided: add batches of paired seeds until every comparison with the
baseline is decided, or a cap is reached, without inflating the error rate.

Each batch is one batched race over new seeds for every activation, so a seed still
pairs the same replicate across activations. The looks are planned from the first batch
and the cap (``6, 12, 18, 24``), and a group-sequential design (:mod:`.sequential`:
Lan-DeMets O'Brien-Fleming-type alpha spending) gives each look its own level: a
comparison is decided at the first look where its Holm-adjusted paired p (bootstrap-t
and t, the larger) is below that look's level, and stays decided (it is not tested
again). Measured on no-difference data through this loop (4 looks, 600 experiments
each): 4.0% decided on normal differences, 5.3-5.7% on quantised and skewed ones, and
3.2% of no-signal races through :func:`actviz.race`, where testing at 0.05 at every
look gave 9-23% (docs/comparisons.md). ``seeds_to_decide`` is the look that decided
it; the estimate at an early stop is biased away from 0 (see
:data:`.sequential.STOPPING_BIAS`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from . import paired as stats
from . import sequential


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
    """The group-sequential rule over planned ``looks`` (seed counts): per compared
    activation, the seed count of the look where it crossed its boundary."""

    def __init__(self, looks: Sequence[int] | None = None, alpha: float = stats.ALPHA) -> None:
        self.since: dict[str, int | None] = {}
        self.looks = list(looks) if looks is not None else None
        self.levels = sequential.nominal_levels(self.looks, alpha) if self.looks else None

    def level(self, n_seeds: int) -> float:
        """The nominal level of the look at ``n_seeds`` (the last planned look's level
        for a count past the plan, e.g. seeds lost to divergence)."""
        assert self.looks is not None and self.levels is not None
        for look, level in zip(self.looks, self.levels, strict=True):
            if n_seeds <= look:
                return level
        return self.levels[-1]

    def update(self, summary: Sequence[dict[str, Any]], n_seeds: int) -> bool:
        """Record this look's verdicts; ``True`` when every comparison is decided."""
        compared = [e for e in summary if "vs_baseline" in e]
        level = self.level(n_seeds) if self.looks else None
        for entry in compared:
            name = entry["activation"]
            vs = entry["vs_baseline"]
            if self.since.get(name) is not None:
                continue  # decided at an earlier look: final
            crossed = vs["decided"] if level is None else _below(vs["p_holm"], level)
            if crossed:
                self.since[name] = n_seeds
        return bool(compared) and all(self.since.get(e["activation"]) for e in compared)

    def annotate(self, summary: Sequence[dict[str, Any]]) -> None:
        """Each comparison's ``decided`` becomes the sequential verdict, with the look."""
        for entry in summary:
            if "vs_baseline" in entry:
                vs = entry["vs_baseline"]
                since = self.since.get(entry["activation"])
                vs["seeds_to_decide"] = since
                if self.looks is not None:
                    vs["decided"] = since is not None
                    vs["sequential"] = {
                        "looks": list(self.looks),
                        "nominal_alpha": list(self.levels or []),
                        "design": "group-sequential, Lan-DeMets O'Brien-Fleming-type spending",
                        "stopping_bias": sequential.STOPPING_BIAS,
                    }


def _below(p: float | None, level: float) -> bool:
    return p is not None and p < level


def race_until_decided(
    config: Any,
    baseline: str,
    max_seeds: int,
    run_batch: Callable[[Any], Any],
    on_batch: Callable[[int, list[dict[str, Any]]], None] | None = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """Run ``config``'s seeds, then further batches of as many seeds, until every
    activation's comparison with ``baseline`` is decided or ``max_seeds`` seeds are done.
    The looks are planned as ``len(first batch)`` steps up to ``max_seeds``; each has its
    group-sequential level (see the module docstring).

    ``run_batch(config) -> RaceResult`` trains one batch (the caller stores it, shows
    progress, ...); a batch that does not finish ends the loop. Returns the merged
    result and its summary, each comparison carrying ``seeds_to_decide``.
    """
    first = config.seed_list()
    if max_seeds < len(first):
        raise ValueError(f"--max-seeds ({max_seeds}) is below the first batch ({len(first)})")
    batch_size = len(first)
    results, done, seeds = [], [], first
    tracker = DecisionTracker(sequential.planned_looks(batch_size, max_seeds))
    while seeds:
        result = run_batch(replace(config, seeds=list(seeds)))
        results.append(result)
        done += seeds
        merged = merge_results(results)
        summary = stats.summarise(merged.to_dict(), baseline)
        all_decided = tracker.update(summary, len(done))
        tracker.annotate(summary)  # what a progress line shows is the sequential verdict
        if on_batch is not None:
            on_batch(len(done), summary)
        if all_decided or result.status != "finished":
            break
        seeds = next_seeds(done, batch_size, max_seeds)
    tracker.annotate(summary)
    return merged, summary

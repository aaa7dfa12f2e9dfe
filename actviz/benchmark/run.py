"""A benchmark across tasks: every activation on every task with the same paired seeds.

Each task is one batched race per seed batch (a *shard*). A finished shard is kept in
the run database under a hash of its configuration, so re-running the same benchmark
trains only what is missing. The analysis gives per-task summaries with CIs (and
paired comparisons with a baseline), the mean rank over tasks, the Friedman test and
Nemenyi's critical difference (:mod:`actviz.stats.ranks`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import stats
from ..stats import ranks as bench_stats
from .executors import InProcess
from .shards import make_shard, train_shard


@dataclass
class BenchSpec:
    """What to run. ``options`` are further :class:`RaceConfig` fields shared by every
    task (hidden, optimizer, lr, points, device, ...). ``seed_batch`` splits the seeds
    into shards of that many (``None``: one shard per task)."""

    activations: list[str]
    tasks: list[str]
    seeds: int = 5
    steps: int = 1000
    seed_batch: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def seed_batches(self) -> list[list[int]]:
        size = self.seed_batch or self.seeds
        return [list(range(s, min(s + size, self.seeds))) for s in range(0, self.seeds, size)]

    def configs(self) -> list[Any]:
        """One :class:`RaceConfig` per shard, task by task."""
        from ..training.config import RaceConfig

        base = {"boundary_grid": 0, **self.options}
        return [
            RaceConfig(
                **{
                    **base,
                    "task": task,
                    "activations": list(self.activations),
                    "seeds": batch,
                    "steps": self.steps,
                }
            )
            for task in self.tasks
            for batch in self.seed_batches()
        ]

    def validate(self, catalogue: Any) -> list[str]:
        """Every problem, one line each; empty when the benchmark can start."""
        problems = []
        if not self.tasks:
            problems.append("--tasks: name at least one task")
        if not self.activations:
            problems.append("--activations: name at least one activation")
        if not isinstance(self.seeds, int) or self.seeds < 1:
            problems.append(f"--seeds must be a positive count, not {self.seeds!r}")
            return problems
        if self.seed_batch is not None and self.seed_batch < 1:
            problems.append("--seed-batch must be a positive count")
            return problems
        from ..architectures.race import check, lookup

        for config in self.configs():
            found = config.validate(catalogue.activations, catalogue.tasks)
            if not found and config.arch != "mlp":
                try:
                    arch = lookup(config.arch, catalogue)
                except ValueError as exc:
                    found = [f"--arch: {exc}"]
                else:
                    task = catalogue.tasks[config.task]
                    found = check(config, arch, task, catalogue.activations)
            for problem in found:
                if problem not in problems:
                    problems.append(problem)
        return problems


def run_shards(
    spec: BenchSpec,
    catalogue: Any,
    shards: Any | None = None,
    progress: Callable[[str], None] | None = None,
    executor: Any | None = None,
) -> dict[str, dict[str, Any]]:
    """Train (or load) every shard; ``{task: race dict}`` with all seeds of the task.

    ``shards`` is a :class:`~actviz.benchmark.store.ShardStore` (``None``: keep nothing);
    ``executor`` one of :mod:`actviz.benchmark.executors` (``None``: this process). Results are
    kept as each shard finishes, under the shard's content key, so an interrupted
    benchmark resumes where it stopped and no shard is counted twice. Shards that keep
    failing are listed under the :data:`FAILED` key; the rest completes without them.
    """
    say = progress or (lambda _line: None)
    work = [make_shard(config.to_dict(), catalogue) for config in spec.configs()]
    total = len(work)
    found: dict[int, dict[str, Any]] = {}
    todo: list[int] = []
    for number, shard in enumerate(work):
        data = shards.load(shard.key) if shards is not None else None
        if data is not None:
            found[number] = data
            say(f"[{len(found)}/{total}] {shard.describe()}: done before, skipped")
        else:
            todo.append(number)
    failed: list[dict[str, Any]] = []
    if todo:
        runner = executor or InProcess()

        def announce(shard: Any) -> None:
            config = shard.config
            say(
                f"{shard.describe()}: training {len(config['activations'])} activations"
                f" x {len(config['seeds'])} seeds ({runner.name})"
            )

        train = train_shard
        if isinstance(runner, InProcess):  # one after another: say so as each one starts

            def train(shard: Any) -> Any:
                announce(shard)
                return train_shard(shard)

        else:  # all start at once (shards travel to other processes; no closure)
            for number in todo:
                announce(work[number])
        for outcome in runner.run([work[i] for i in todo], train):
            number = todo[outcome.index]
            shard = work[number]
            if not outcome.ok:
                failed.append(
                    {
                        "shard": shard.describe(),
                        "key": shard.key,
                        "error": outcome.error,
                        "attempts": outcome.attempts,
                    }
                )
                say(f"{shard.describe()}: failed after {outcome.attempts} tries: {outcome.error}")
                continue
            data = outcome.result
            found[number] = data
            if shards is not None:
                config = shard.config
                shards.save(
                    shard.key, config["task"], config["activations"], shard.seeds, config, data
                )
            say(f"[{len(found)}/{total}] {shard.describe()}: {data.get('train_seconds', 0):.1f} s")
    races: dict[str, dict[str, Any]] = {}
    for number in sorted(found):  # configuration order, whatever order shards finished in
        data = found[number]
        merged = races.setdefault(
            work[number].task, {"task": work[number].task, "metric": data["metric"], "runs": []}
        )
        merged["runs"].extend(data["runs"])
    if failed:
        races[FAILED] = {"failed": failed}
    return races


#: Key of the returned races under which shards that kept failing are listed.
FAILED = "__failed__"


def analyse(
    spec: BenchSpec,
    races: Mapping[str, Mapping[str, Any]],
    baseline: str | None = None,
    alpha: float = stats.ALPHA,
    gamma: float | None = None,
) -> dict[str, Any]:
    """The benchmark's JSON: per-task summaries (Holm over every test of the benchmark),
    ranking, Friedman and Iman-Davenport, Nemenyi's CD only when Iman-Davenport rejects,
    IQM, mean and optimality gap with stratified-bootstrap intervals, performance
    profiles, pairwise Wilcoxon tests with Holm (next to Nemenyi) and a Bayesian
    signed-rank test with a ROPE."""
    from ..stats import across, posthoc

    per_task = {task: stats.summarise(race, baseline, alpha=alpha) for task, race in races.items()}
    n_tests = across.holm_over_benchmark(per_task, alpha) if baseline is not None else 0
    means = {task: {e["activation"]: e["mean"] for e in rows} for task, rows in per_task.items()}
    rows = bench_stats.ranking(means)
    test = bench_stats.friedman(means)
    omnibus = across.iman_davenport(test)
    notes = stats.method_notes(alpha=alpha)
    notes["correction"] = f"Holm over all {n_tests} paired tests of the benchmark (every task)"
    notes["omnibus"] = "Iman-Davenport F (from Friedman's chi2); CD diagram only if it rejects"
    out: dict[str, Any] = {
        "activations": list(spec.activations),
        "tasks": list(spec.tasks),
        "seeds": spec.seeds,
        "steps": spec.steps,
        "options": dict(spec.options),
        "baseline": baseline,
        "metrics": {task: race["metric"] for task, race in races.items()},
        "statistics": notes,
        "per_task": per_task,
        "ranking": rows,
        "friedman": test,
        "iman_davenport": omnibus,
        "aggregates": across.aggregates(races, list(spec.activations), baseline, gamma=gamma),
        "pairwise_wilcoxon": posthoc.pairwise_wilcoxon(means, alpha),
    }
    if "skipped" not in test:
        test["significant"] = test["p_value"] < alpha
        omnibus["significant"] = omnibus["p_value"] < alpha
        if omnibus["significant"]:
            nemenyi = bench_stats.nemenyi_cd(len(spec.activations), len(races), alpha)
            nemenyi["groups"] = bench_stats.cliques(rows, nemenyi["cd"])
            out["nemenyi"] = nemenyi
        else:
            out["cd_skipped"] = (
                f"Iman-Davenport p = {omnibus['p_value']:.3g} >= {alpha:g}: the ranks are not "
                "shown to differ, so no critical-difference diagram"
            )
    else:
        out["cd_skipped"] = test["skipped"]
    out["runs"] = {
        task: [{k: v for k, v in r.items() if k != "history"} for r in race["runs"]]
        for task, race in races.items()
    }
    return out


def run_benchmark(
    spec: BenchSpec,
    catalogue: Any,
    *,
    shards: Any | None = None,
    baseline: str | None = None,
    progress: Callable[[str], None] | None = None,
    executor: Any | None = None,
    gamma: float | None = None,
) -> dict[str, Any]:
    """Validate, train or load every shard, and analyse; :class:`ValueError` on bad input.
    ``gamma``: the score the optimality gap is measured from (default 1)."""
    problems = spec.validate(catalogue)
    if gamma is not None and not (isinstance(gamma, int | float) and math.isfinite(gamma)):
        problems.append(
            f"--gamma must be a finite number (the optimality gap's target), not {gamma!r}"
        )
    if baseline is not None and baseline not in spec.activations:
        problems.append(f"--baseline {baseline!r} is not among --activations")
    if problems:
        raise ValueError("; ".join(problems))
    races = run_shards(spec, catalogue, shards, progress, executor)
    failed = races.pop(FAILED, {}).get("failed", [])
    if not races:
        raise RuntimeError("every shard failed: " + "; ".join(f["error"] for f in failed[:3]))
    result = analyse(spec, races, baseline, gamma=gamma)
    result["failed_shards"] = failed
    return result

"""No winner's curse: the best candidates raced again on fresh seeds and fresh data.

The search scored candidates on seeds 0..n-1 and data seed 0; verification uses seeds
from :data:`FRESH_SEED` on and data seed :data:`FRESH_DATA` (a teacher task draws a new
teacher), races them in one race per task with the baselines (relu, gelu, silu), and
compares each candidate with each baseline by the paired statistics of
:mod:`actviz.stats` (the paired difference decided where the bootstrap-t and t-test both reject,
Holm).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .races import RaceJob, run_job
from .settings import SearchSettings

if TYPE_CHECKING:
    from ..formula.build import FormulaParts
    from .pool import Candidate
    from .run import Search

FRESH_SEED = 1000
FRESH_DATA = 7919


def verify(search: Search, top: list[Candidate]) -> list[dict[str, Any]]:
    """``[{formula, vs: {baseline: {verdict, diff_mean, ci_low, ci_high, p_holm, decided,
    n, per_task}}}]`` for the ``top`` candidates of a search (its race counters grow)."""
    out, work = verify_formulas(
        search.settings, {c.name: (c.formula, c.parts) for c in top}, search.plugin_dirs
    )
    search.evaluations += work["evaluations"]
    search.race_seconds += work["seconds"]
    return out


def verify_formulas(
    settings: SearchSettings,
    formulas: Mapping[str, tuple[str, FormulaParts]],
    plugin_dirs: Sequence[str] = (),
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Race ``formulas`` (``{name: (formula, parts)}``) with the settings' baselines on
    fresh seeds and data, one race per task: the verdicts as :func:`verify` gives them
    and ``{evaluations, seconds}`` of racing. Any formula can be checked this way, not
    only a search's top ones (the Discover panel's "Verify")."""
    from .. import stats

    s = settings
    if not formulas or not s.baselines:
        return [], {"evaluations": 0, "seconds": 0.0}
    seeds = tuple(range(FRESH_SEED, FRESH_SEED + s.verify_seeds))
    pooled: dict[str, dict[int, float]] = {}
    per_task: dict[str, dict[str, dict[int, float]]] = {}
    work = {"evaluations": 0, "seconds": 0.0}
    for t_index, task in enumerate(s.tasks):
        job = RaceJob(
            task=task,
            formulas={name: parts for name, (_, parts) in formulas.items()},
            seeds=seeds,
            steps=s.steps,
            data_seed=FRESH_DATA,
            options=s.race_options(),
            baselines=tuple(s.baselines),
            plugin_dirs=tuple(plugin_dirs),
        )
        result = run_job(job)
        work["evaluations"] += job.size
        work["seconds"] += result["seconds"]
        values = stats.values_by_seed(result["race"]["runs"], result["metric"])
        per_task[task] = values
        for name, by_seed in values.items():
            for seed, value in by_seed.items():
                pooled.setdefault(name, {})[t_index * 100_000 + seed] = value
    out = []
    for name, (formula, _) in formulas.items():
        vs = {}
        for base in s.baselines:
            entry = _entry(stats.compare(_pair(pooled, name, base), base), name)
            entry["per_task"] = {
                task: _entry(stats.compare(_pair(values, name, base), base), name)
                for task, values in per_task.items()
            }
            vs[base] = entry
        out.append({"formula": formula, "seeds": list(seeds), "data_seed": FRESH_DATA, "vs": vs})
    return out, work


def _pair(values: dict[str, dict[int, float]], name: str, base: str) -> dict:
    return {name: values.get(name, {}), base: values.get(base, {})}


def _entry(summary: list[dict[str, Any]], name: str) -> dict[str, Any]:
    from .. import stats

    entry = next(e for e in summary if e["activation"] == name)
    vs = entry.get("vs_baseline", {})
    verdict = stats.verdict(entry)
    return {
        "verdict": {"not decided": "equal or not decided"}.get(verdict, verdict),
        "mean": entry.get("mean"),
        "diff_mean": vs.get("diff_mean"),
        "ci_low": vs.get("ci_low"),
        "ci_high": vs.get("ci_high"),
        "p_holm": vs.get("p_holm"),
        "decided": vs.get("decided"),
        "n": vs.get("n"),
    }

"""One batched race of many candidate formulas x seeds on one task: the search's unit of work.

A :class:`RaceJob` is plain, picklable data (compiled formulas travel as their sympy-free
:class:`~actviz.formula.FormulaParts`), so the same job runs in this process, in a worker
process or on Ray and gives the same scores: each model's start depends only on its
seed and the data only on ``data_seed``, never on which other candidates share the race.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..formula.build import FormulaParts

#: race settings every search race uses unless told otherwise
DEFAULT_OPTIONS: dict[str, Any] = {"hidden": (8, 8), "optimizer": "adam", "lr": 0.01}


@dataclass(frozen=True)
class RaceJob:
    """Candidates ``{name: parts}`` (plus named baselines) on ``task`` with ``seeds``."""

    task: str
    formulas: dict[str, FormulaParts]
    seeds: tuple[int, ...]
    steps: int
    data_seed: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    baselines: tuple[str, ...] = ()
    plugin_dirs: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """Candidate x seed x step updates this job trains (the evaluation count)."""
        return (len(self.formulas) + len(self.baselines)) * len(self.seeds) * self.steps


@lru_cache(maxsize=4)
def _catalogue(plugin_dirs: tuple[str, ...]) -> Any:
    from ..host import load_catalogue

    return load_catalogue(list(plugin_dirs))


def run_job(job: RaceJob) -> dict[str, Any]:
    """Train the job's race; ``{"scores": {name: [metric per seed or None]}, "status":
    {name: status}, "seconds": wall time, "metric": name, "race": RaceResult dict}``."""
    import torch

    from ..formula.build import activation_from, formula_from_parts
    from ..training.config import RaceConfig
    from ..training.engine import run_race
    from .teacher import is_teacher, resolve_task

    activations = {
        name: activation_from(name, formula_from_parts(parts))
        for name, parts in job.formulas.items()
    }
    options = {**DEFAULT_OPTIONS, **job.options}
    arch = options.get("arch", "mlp")
    needs_catalogue = (
        bool(job.baselines)
        or arch != "mlp"
        or not is_teacher(job.task)
        or not _formula_teacher(job)
    )
    catalogue = _catalogue(job.plugin_dirs) if needs_catalogue else None
    if catalogue is not None:
        for name in job.baselines:
            activations[name] = catalogue.activations[name]
    task = resolve_task(
        job.task,
        catalogue.tasks if catalogue is not None else {},
        catalogue.activations if catalogue is not None else {},
    )
    architecture = None
    if arch != "mlp":
        from ..architectures.race import lookup

        architecture = lookup(arch, catalogue)
    config = RaceConfig(
        task=job.task,
        activations=[*job.formulas, *job.baselines],
        seeds=list(job.seeds),
        steps=job.steps,
        data_seed=job.data_seed,
        boundary_grid=0,
        eval_every=job.steps,
        device="cpu",
        threads=1,
        **options,
    )
    torch.manual_seed(0)
    start = time.perf_counter()
    result = run_race(config, activations, task, architecture=architecture)
    seconds = time.perf_counter() - start
    scores: dict[str, list[float | None]] = {name: [] for name in config.activations}
    status: dict[str, str] = {}
    for run in result.runs:  # an activation's status: its first seed that did not finish
        value = run.final_metric
        scores[run.activation].append(float(value) if value is not None else None)
        if status.get(run.activation, "finished") == "finished":
            status[run.activation] = run.status
    data = result.to_dict()
    data["runs"] = [{k: v for k, v in r.items() if k != "history"} for r in data["runs"]]
    return {
        "scores": scores,
        "status": status,
        "seconds": seconds,
        "metric": result.metric,
        "race": data,
    }


def _formula_teacher(job: RaceJob) -> bool:
    """Whether the teacher is a formula (no catalogue needed to build it)."""
    from ..formula import FormulaError, compile_formula

    try:
        compile_formula(job.task.split(":", 1)[1])
    except (FormulaError, IndexError):
        return False
    return True

"""The Python API for notebooks: ``actviz.race``, ``actviz.bench`` and ``actviz.search``.

    import actviz
    result = actviz.race(task="moons", activations=["relu", "tanh"], seeds=8,
                         steps=500, baseline="relu")
    result.summary          # mean [95% CI] per activation, paired comparison with relu
    result.to_pandas()      # the same as a DataFrame (pandas: pip install 'actviz[notebook]')
    result.figure()         # a matplotlib Figure

torch, scipy and matplotlib are imported when these functions run, never by
``import actviz``. Figures are ``matplotlib.figure.Figure`` objects (no pyplot state):
Jupyter shows them inline; ``fig.savefig("f.svg")`` writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

PANDAS_MISSING = (
    "to_pandas() needs pandas, an optional dependency: pip install 'actviz[notebook]' "
    "(or pip install pandas)"
)


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(PANDAS_MISSING) from None
    return pandas


def _catalogue(plugins: Iterable[str]) -> Any:
    from .host import load_catalogue

    return load_catalogue(plugin_dirs=list(plugins))


@dataclass
class RaceOutcome:
    """What :func:`race` returns. ``data`` is the same dict ``actviz train --json`` writes."""

    data: dict[str, Any]

    @property
    def summary(self) -> list[dict[str, Any]]:
        """Per activation ``{activation, mean, ci_low, ci_high, n}``, and ``vs_baseline``."""
        return self.data["summary"]

    @property
    def runs(self) -> list[dict[str, Any]]:
        """One entry per activation and seed (final metric, loss, status, history)."""
        return self.data["runs"]

    @property
    def metric(self) -> str:
        return self.data["metric"]

    def to_pandas(self, table: str = "summary") -> Any:
        """``"summary"``: one row per activation; ``"runs"``: one per activation x seed;
        ``"history"``: one per evaluation of every run."""
        pd = _pandas()
        from .stats import flat_rows

        if table == "summary":
            return pd.DataFrame(flat_rows(self.summary))
        if table == "runs":
            return pd.DataFrame([{k: v for k, v in r.items() if k != "history"} for r in self.runs])
        if table == "history":
            rows = [
                {"activation": r["activation"], "seed": r["seed"], **_scalars(h)}
                for r in self.runs
                for h in r["history"]
            ]
            return pd.DataFrame(rows)
        raise ValueError(f"table must be 'summary', 'runs' or 'history', not {table!r}")

    def figure(self, kind: str = "summary", dark: bool = False) -> Any:
        """``"summary"``: means with CIs (and differences from the baseline);
        ``"curves"``: the test metric over steps, mean and range over seeds."""
        from .race_figures import curves_figure, summary_figure

        if kind == "summary":
            return summary_figure(self.summary, self.metric, dark=dark)
        if kind == "curves":
            return curves_figure(self.runs, self.metric, dark=dark)
        raise ValueError(f"kind must be 'summary' or 'curves', not {kind!r}")

    def __repr__(self) -> str:
        from .stats import format_ci, format_p, verdict

        lines = [f"RaceOutcome({self.data['task']}, {self.metric}, {len(self.runs)} runs)"]
        for e in self.summary:
            line = f"  {e['activation']:12} {format_ci(e['mean'], e['ci_low'], e['ci_high'])}"
            if "vs_baseline" in e:
                vs = e["vs_baseline"]
                line += f"  diff {format_ci(vs['diff_mean'], vs['ci_low'], vs['ci_high'])}"
                line += f"  p(Holm) {format_p(vs['p_holm'])}  {verdict(e)}"
            lines.append(line)
        return "\n".join(lines)


def _scalars(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not isinstance(v, (list, dict))}


def race(
    task: str = "moons",
    activations: Sequence[str] = ("relu", "tanh"),
    seeds: int | Sequence[int] = 5,
    steps: int = 1000,
    baseline: str | None = None,
    *,
    until_decided: bool = False,
    max_seeds: int | None = None,
    plugins: Iterable[str] = (),
    **options: Any,
) -> RaceOutcome:
    """Race ``activations`` on ``task`` with paired ``seeds`` (a count or a list) and
    return the runs with their statistics. ``options`` are further race settings
    (``hidden=(8, 8)``, ``optimizer="adam"``, ``lr=0.01``, ``points``, ``device``, ...).
    ``until_decided=True`` adds batches of ``seeds`` seeds until every comparison with
    ``baseline`` is decided or ``max_seeds`` is reached. Nothing is stored.
    """
    from . import stats
    from .training.config import RaceConfig
    from .training.engine import run_race

    catalogue = _catalogue(plugins)
    config = RaceConfig(
        task=task,
        activations=list(activations),
        seeds=seeds if isinstance(seeds, int) else list(seeds),
        steps=steps,
        **{"boundary_grid": 0, **options},
    )
    problems = config.validate(catalogue.activations, catalogue.tasks)
    if baseline is not None and baseline not in config.activations:
        problems.append(f"baseline {baseline!r} is not among the activations")
    if until_decided and (baseline is None or max_seeds is None):
        problems.append("until_decided needs baseline= and max_seeds=")
    if problems:
        raise ValueError("; ".join(problems))
    the_task = catalogue.tasks[task]

    def run_batch(cfg: Any) -> Any:
        return run_race(cfg, catalogue.activations, the_task)

    if until_decided:
        from .seed_batches import race_until_decided

        result, summary = race_until_decided(config, baseline, max_seeds, run_batch)
    else:
        result = run_batch(config)
        summary = stats.summarise(result.to_dict(), baseline)
    data = result.to_dict()
    data.update(baseline=baseline, statistics=stats.method_notes(), summary=summary)
    return RaceOutcome(data)


@dataclass
class BenchOutcome:
    """What :func:`bench` returns. ``data`` is the same dict ``actviz bench --json`` writes."""

    data: dict[str, Any]

    @property
    def summary(self) -> dict[str, list[dict[str, Any]]]:
        """``{task: summary list}`` as in :attr:`RaceOutcome.summary`."""
        return self.data["per_task"]

    @property
    def ranking(self) -> list[dict[str, Any]]:
        return self.data["ranking"]

    @property
    def runs(self) -> dict[str, list[dict[str, Any]]]:
        """``{task: runs}``, one entry per activation and seed."""
        return self.data["runs"]

    def to_pandas(self, table: str = "summary") -> Any:
        """``"summary"``: one row per task x activation (with ranks); ``"ranking"``: one
        row per activation; ``"runs"``: one per task x activation x seed."""
        pd = _pandas()
        from .bench_report import table_rows

        if table == "summary":
            return pd.DataFrame(table_rows(self.data))
        if table == "ranking":
            return pd.DataFrame(
                [
                    {"activation": r["activation"], "mean_rank": r["mean_rank"], **r["ranks"]}
                    for r in self.ranking
                ]
            )
        if table == "runs":
            return pd.DataFrame([{"task": t, **r} for t, runs in self.runs.items() for r in runs])
        raise ValueError(f"table must be 'summary', 'ranking' or 'runs', not {table!r}")

    def figure(self, dark: bool = False) -> Any:
        """The critical-difference diagram (mean ranks, Nemenyi CD)."""
        from .bench_report import cd_figure

        return cd_figure(self.data, dark=dark)

    def save(self, folder: str) -> list[Any]:
        """Write ``bench.csv``, ``bench.tex`` and ``cd.png/svg/pdf`` into ``folder``."""
        from .bench_report import write_outputs

        return write_outputs(self.data, folder)


def bench(
    activations: Sequence[str],
    tasks: Sequence[str],
    seeds: int = 5,
    steps: int = 1000,
    baseline: str | None = None,
    *,
    db: str | None = None,
    store: bool = False,
    seed_batch: int | None = None,
    plugins: Iterable[str] = (),
    progress: Any = None,
    **options: Any,
) -> BenchOutcome:
    """Every activation on every task with ``seeds`` paired seeds; see ``actviz bench``.
    With ``store=True`` (or a ``db`` path) finished shards are kept in the run database
    and a repeated call trains only what is missing."""
    from .benchmark import BenchSpec, run_benchmark

    spec = BenchSpec(
        activations=list(activations),
        tasks=list(tasks),
        seeds=seeds,
        steps=steps,
        seed_batch=seed_batch,
        options=dict(options),
    )
    catalogue = _catalogue(plugins)
    shards = None
    if store or db is not None:
        from .storage.shards import ShardStore

        shards = ShardStore(db)
    try:
        data = run_benchmark(spec, catalogue, shards=shards, baseline=baseline, progress=progress)
    finally:
        if shards is not None:
            shards.close()
    return BenchOutcome(data)


@dataclass
class SearchOutcome:
    """What :func:`search` returns. ``data`` is the same dict ``actviz search --json`` writes."""

    data: dict[str, Any]

    @property
    def candidates(self) -> list[dict[str, Any]]:
        """``{formula, score, cost, seeds, status, ...}`` per raced formula, best first."""
        return self.data["candidates"]

    @property
    def pareto(self) -> list[dict[str, Any]]:
        return self.data["pareto"]

    @property
    def verified(self) -> list[dict[str, Any]]:
        """The best candidates against relu, gelu and silu on fresh seeds and data."""
        return self.data["verified"]

    def to_pandas(self, table: str = "candidates") -> Any:
        """``"candidates"`` (one row each) or ``"verified"`` (one row per baseline)."""
        pd = _pandas()
        if table == "candidates":
            return pd.DataFrame([_scalars(c) for c in self.candidates])
        if table == "verified":
            rows = [
                {"formula": v["formula"], "baseline": b, **_scalars(e)}
                for v in self.verified
                for b, e in v["vs"].items()
            ]
            return pd.DataFrame(rows)
        raise ValueError(f"table must be 'candidates' or 'verified', not {table!r}")

    def __repr__(self) -> str:
        lines = [f"SearchOutcome({len(self.candidates)} candidates)"]
        for c in self.candidates[:5]:
            score = "-" if c["score"] is None else f"{c['score']:.4f}"
            lines.append(f"  {score}  {c['formula']}")
        return "\n".join(lines)


def search(
    tasks: Sequence[str] = ("teacher:x*sigmoid(x)",),
    budget_minutes: float = 8.0,
    strategy: str = "evolution",
    seed: int = 0,
    *,
    db: str | None = None,
    store: bool = True,
    plugins: Iterable[str] = (),
    progress: Any = None,
    **settings: Any,
) -> SearchOutcome:
    """Search formulas for an activation that does well on ``tasks``; see ``actviz search``.
    ``settings`` are further :class:`actviz.search.SearchSettings` fields (``steps``,
    ``seeds``, ``batch``, ``hidden``, ``max_races``, ``executor``, ...). Finished races are
    kept in the run database (``store=False``: nowhere), so a repeated call resumes."""
    from .search.run import run_search
    from .search.settings import SearchSettings

    config = SearchSettings(
        tasks=list(tasks),
        strategy=strategy,
        budget_s=float(budget_minutes) * 60.0,
        seed=seed,
        **settings,
    )
    data = run_search(config, db=db, store=store, progress=progress, plugin_dirs=list(plugins))
    return SearchOutcome(data)

"""The Python API for notebooks: ``actviz.race``, ``actviz.bench`` and ``actviz.search``.

    import actviz
    result = actviz.race(task="moons", activations=["relu", "tanh"], seeds=8,
                         steps=500, baseline="relu")
    result.summary          # mean [95% CI] per activation, paired comparison with relu
    result.to_pandas()      # the same as a DataFrame (pandas: pip install 'actviz[notebook]')
    result.figure()         # a matplotlib Figure

torch, scipy and matplotlib are imported when these functions run, never by
``import actviz``. Figures are ``matplotlib.figure.Figure`` objects (no pyplot state)
that Jupyter shows inline in a fresh kernel; ``fig.savefig("f.svg")`` writes them with
text kept as text; ``ax=`` draws into your own Axes instead. Outcomes show as HTML
tables; ``progress=True`` shows a bar with the time left. Bad arguments raise
``TypeError``/``ValueError`` at once; the command line's notes arrive as warnings.
The first call in a kernel says that it is importing torch; an interrupt during that
import stops the cell once torch is complete, so the next call works.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from .jupyter import arguments
from .jupyter.torch_import import import_torch

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


def _catalogue(plugins: Any) -> Any:
    """Plugins as ``actviz train --plugins`` loads them; a missing folder raises."""
    from .host import load_catalogue

    return load_catalogue(plugin_dirs=arguments.plugin_folders(plugins))


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

    def figure(self, kind: str = "summary", dark: bool = False, ax: Any = None) -> Any:
        """``"summary"``: means with CIs (and differences from the baseline);
        ``"curves"``: the test metric over steps, mean and range over seeds.
        ``ax``: draw into your own matplotlib Axes (two for the summary's two panels);
        they are returned instead of a new figure."""
        from .figures.race import curves_figure, summary_figure

        if kind == "summary":
            return summary_figure(self.summary, self.metric, dark=dark, ax=ax)
        if kind == "curves":
            return curves_figure(self.runs, self.metric, dark=dark, ax=ax)
        raise ValueError(f"kind must be 'summary' or 'curves', not {kind!r}")

    def plan(
        self,
        difference: float,
        baseline: str | None = None,
        alpha: float = 0.05,
        power: float = 0.8,
    ) -> list[dict[str, Any]]:
        """Seeds needed to detect ``difference`` against ``baseline`` (default: the race's)
        with ``power`` at ``alpha`` over every comparison, using this race as the pilot
        (see :func:`plan`)."""
        return plan(self.data, baseline or self.data.get("baseline"), difference, alpha, power)

    def _repr_html_(self) -> str:
        from .jupyter.html import race_rows, table

        header, rows = race_rows(self.summary)
        seeds = max((e["n"] for e in self.summary), default=0)
        caption = f"race on {self.data['task']}: test {self.metric}, {seeds} paired seeds" + (
            f", compared with {self.data['baseline']}" if self.data.get("baseline") else ""
        )
        return table(header, rows, caption)

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


#: race() arguments that are not fields of the race settings.
_RACE_OWN = ("task", "activations", "seeds", "steps")


def race(
    task: str = "moons",
    activations: str | Sequence[str] = ("relu", "tanh"),
    seeds: int | Sequence[int] = 5,
    steps: int = 1000,
    baseline: str | None = None,
    *,
    until_decided: bool = False,
    max_seeds: int | None = None,
    plugins: str | Iterable[str] = (),
    progress: Any = None,
    **options: Any,
) -> RaceOutcome:
    """Race ``activations`` on ``task`` with paired ``seeds`` (a count or a list) and
    return the runs with their statistics. ``options`` are further race settings
    (``hidden=(8, 8)``, ``optimizer="adam"``, ``lr=0.01``, ``points``, ``device``, ...),
    among them the network: ``arch="cnn1d"`` and ``arch_options={"channels": 25}``.
    ``until_decided=True`` adds batches of ``seeds`` seeds until every comparison with
    ``baseline`` is decided or ``max_seeds`` is reached. ``progress=True`` shows a bar
    with the time left; a function receives one line of text per update. ``plugins``:
    plugin folders (or files) to load, as ``--plugins``. Nothing is stored.
    """
    import_torch()
    from .training.config import RaceConfig
    from .training.config_text import widths_value

    names = arguments.names(activations, "activations")
    seeds = arguments.seeds(seeds)
    steps = arguments.positive(steps, "steps")
    known = {f.name for f in fields(RaceConfig)} - set(_RACE_OWN)
    arguments.options(options, known, "race")
    if baseline is not None and not isinstance(baseline, str):
        raise TypeError(f"baseline must be an activation name, not {baseline!r}")
    if max_seeds is not None:
        max_seeds = arguments.positive(max_seeds, "max_seeds")
    catalogue = _catalogue(plugins)
    arguments.require_loaded(catalogue, names)
    if "hidden" in options:
        options["hidden"] = widths_value(options["hidden"])
    config = RaceConfig(
        task=task, activations=names, seeds=seeds, steps=steps, **{"boundary_grid": 0, **options}
    )
    problems = config.validate(catalogue.activations, catalogue.tasks)
    if baseline is not None and baseline not in config.activations:
        problems.append(f"baseline {baseline!r} is not among the activations")
    if until_decided and (baseline is None or max_seeds is None):
        problems.append("until_decided needs baseline= and max_seeds=")
    if problems:
        raise ValueError("; ".join(problems))
    from .architectures.race import check, lookup
    from .jupyter.progress import Reporter

    architecture = lookup(config.arch, catalogue)
    problems = check(config, architecture, catalogue.tasks[task], catalogue.activations)
    if problems:
        raise ValueError("; ".join(problems))

    reporter = Reporter(progress, steps, "step", f"race on {task}")
    try:
        return _race(config, catalogue, architecture, baseline, until_decided, max_seeds, reporter)
    finally:
        reporter.close()


def _race(
    config: Any,
    catalogue: Any,
    architecture: Any,
    baseline: str | None,
    until_decided: bool,
    max_seeds: int | None,
    reporter: Any,
) -> RaceOutcome:
    from . import stats
    from .training.engine import run_race
    from .training.events import Evaluation, Progress

    the_task = catalogue.tasks[config.task]
    batches = [0]

    def on_event(event: Any) -> None:
        if isinstance(event, (Progress, Evaluation)):  # on a clock, and at each evaluation
            reporter.update(event.step, event.seconds)

    def run_batch(cfg: Any) -> Any:
        if batches[0]:
            reporter.message(f"{len(cfg.seed_list())} more seeds: not decided yet")
            reporter.done = 0
            if reporter.bar is not None:
                reporter.bar.reset()
        batches[0] += 1
        return run_race(
            cfg, catalogue.activations, the_task, on_event=on_event, architecture=architecture
        )

    if until_decided:
        from .stats.until_decided import race_until_decided

        result, summary = race_until_decided(config, baseline, max_seeds, run_batch)
    else:
        result = run_batch(config)
        summary = stats.summarise(result.to_dict(), baseline)
    _warn_undecidable(summary)
    data = result.to_dict()
    data.update(baseline=baseline, statistics=stats.method_notes(), summary=summary)
    return RaceOutcome(data)


def plan(
    pilot: Any,
    baseline: str | None,
    difference: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> list[dict[str, Any]]:
    """Seeds needed per comparison with ``baseline`` to detect ``difference`` of the metric
    with ``power`` at ``alpha`` (split over the comparisons), from a pilot: a
    :class:`RaceOutcome`, a race dict (``actviz train --json``) or a stored run's id.
    Power of the paired t-test (scipy's noncentral t); see :mod:`actviz.stats.power`."""
    from .stats.power import plan as plan_rows

    if isinstance(pilot, RaceOutcome):
        pilot = pilot.data
    elif isinstance(pilot, int):
        from .storage import RunStore

        with RunStore() as store:
            pilot = store.load_run(pilot)
    if baseline is None:
        raise ValueError("plan needs baseline= (the activation the others are compared with)")
    return plan_rows(pilot, baseline, difference, alpha=alpha, power=power)


def _warn_undecidable(summary: list[dict[str, Any]]) -> None:
    """The command line's notes on what the numbers cannot promise, as Python warnings."""
    from .stats.notes import reliability_notes

    for note in reliability_notes(summary):
        warnings.warn(note.replace("--until-decided", "until_decided=True"), stacklevel=4)


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

    @property
    def aggregates(self) -> dict[str, Any]:
        """Across tasks: ``iqm``, ``mean``, ``optimality_gap`` (with 95% stratified-bootstrap
        intervals), ``profiles`` (performance profiles with bands), ``bayes_signed_rank``."""
        return self.data.get("aggregates") or {}

    @property
    def pairwise(self) -> dict[str, Any]:
        """Pairwise Wilcoxon signed-rank tests over the tasks' means, Holm over the pairs."""
        return self.data.get("pairwise_wilcoxon") or {}

    def to_pandas(self, table: str = "summary") -> Any:
        """``"summary"``: one row per task x activation (with ranks); ``"ranking"``: one
        row per activation; ``"runs"``: one per task x activation x seed;
        ``"aggregates"``: IQM, mean, optimality gap with intervals per activation;
        ``"profiles"``: one row per activation x tau; ``"pairwise"``: one per pair."""
        pd = _pandas()
        from .benchmark.report import aggregate_rows, pairwise_rows, profile_rows, table_rows

        across = {"aggregates": aggregate_rows, "profiles": profile_rows, "pairwise": pairwise_rows}
        if table in across:
            return pd.DataFrame(across[table](self.data))
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
        raise ValueError(
            "table must be 'summary', 'ranking', 'runs', 'aggregates', 'profiles' or "
            f"'pairwise', not {table!r}"
        )

    def figure(self, dark: bool = False, ax: Any = None, kind: str = "cd") -> Any:
        """``kind="cd"``: the critical-difference diagram (mean ranks, Nemenyi CD);
        ``"profiles"``: the performance profiles with 95% bands; ``"aggregates"``: IQM,
        mean, optimality gap and the Bayesian comparison (a whole figure, no ``ax``).
        ``ax``: draw into your own matplotlib Axes (returned instead of a new figure)."""
        if kind == "cd":
            from .figures.critical_difference import cd_figure

            return cd_figure(self.data, dark=dark, ax=ax)
        if kind == "profiles":
            from .figures.profiles import profiles_figure

            return profiles_figure(self.data, dark=dark, ax=ax)
        if kind == "aggregates":
            if ax is not None:
                raise ValueError("kind='aggregates' draws several panels: it takes no ax")
            from .figures.bench_aggregates import aggregates_figure

            return aggregates_figure(self.data, dark=dark)
        raise ValueError(f"kind must be 'cd', 'profiles' or 'aggregates', not {kind!r}")

    def _ranking_rows(self) -> tuple[list[str], list[list[str]]]:
        tasks = list(self.data.get("tasks", []))
        header = ["activation", "mean rank", *tasks]
        rows = []
        for r in self.ranking:
            ranks = [str(r["ranks"].get(t, "-")) for t in tasks]
            rows.append([r["activation"], f"{r['mean_rank']:.2f}", *ranks])
        return header, rows

    def _caption(self) -> str:
        from .stats import format_p

        friedman = self.data.get("friedman") or {}
        p = friedman.get("p_value")
        test = f"Friedman p = {format_p(p)}" if p is not None else friedman.get("skipped", "")
        n = len(self.data.get("tasks", []))
        return f"bench: {len(self.ranking)} activations on {n} tasks, mean rank (1 = best); {test}"

    def __repr__(self) -> str:
        header, rows = self._ranking_rows()
        lines = [f"BenchOutcome({self._caption()})"]
        lines += [f"  {row[0]:12} mean rank {row[1]}" for row in rows]
        if self.data.get("failed_shards"):
            lines.append(f"  {len(self.data['failed_shards'])} shard(s) failed")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from .jupyter.html import table

        header, rows = self._ranking_rows()
        return table(header, rows, self._caption())

    def save(self, folder: str) -> list[Any]:
        """Write what ``actviz bench --out`` writes into ``folder``: ``bench.csv``,
        ``bench.tex``, the ``cd``, ``aggregates`` and ``profiles`` figures, the
        ``aggregates``, ``profiles`` and ``pairwise`` CSVs."""
        from .benchmark.report import write_outputs

        return write_outputs(self.data, folder)


def bench(
    activations: str | Sequence[str],
    tasks: str | Sequence[str],
    seeds: int = 5,
    steps: int = 1000,
    baseline: str | None = None,
    *,
    db: str | None = None,
    store: bool = False,
    seed_batch: int | None = None,
    plugins: str | Iterable[str] = (),
    progress: Any = None,
    gamma: float | None = None,
    **options: Any,
) -> BenchOutcome:
    """Every activation on every task with ``seeds`` paired seeds; see ``actviz bench``.
    With ``store=True`` (or a ``db`` path) finished shards are kept in the run database
    and a repeated call trains only what is missing. ``progress=True`` shows a bar over
    the shards; a function receives each progress line as the work happens. ``gamma``:
    the score the optimality gap is measured from (default 1, a perfect score)."""
    import_torch()
    from .benchmark import BenchSpec, run_benchmark
    from .jupyter.progress import Reporter
    from .training.config import RaceConfig

    names = arguments.names(activations, "activations")
    spec = BenchSpec(
        activations=names,
        tasks=arguments.names(tasks, "tasks"),
        seeds=arguments.positive(seeds, "seeds"),
        steps=arguments.positive(steps, "steps"),
        seed_batch=None if seed_batch is None else arguments.positive(seed_batch, "seed_batch"),
        options=dict(options),
    )
    arguments.options(options, {f.name for f in fields(RaceConfig)} - set(_RACE_OWN), "bench")
    catalogue = _catalogue(plugins)
    arguments.require_loaded(catalogue, names)
    reporter = Reporter(progress, len(spec.configs()), "shard", "bench")

    def say(line: str) -> None:
        if line.startswith("["):  # "[3/8] moons seeds 0-4: 2.1 s": a shard is done
            done = int(line[1:].split("/", 1)[0])
            if reporter.bar is not None:
                reporter.bar.update(max(0, done - reporter.done))
            reporter.done = max(reporter.done, done)
        elif reporter.bar is not None:
            reporter.bar.set_postfix_str(line.split(":")[0][:40])  # the shard now training
        if reporter.say is not None:
            reporter.say(line)

    shards = None
    if store or db is not None:
        from .benchmark.store import ShardStore

        shards = ShardStore(db)
    try:
        data = run_benchmark(
            spec, catalogue, shards=shards, baseline=baseline, progress=say, gamma=gamma
        )
    finally:
        reporter.close()
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
    ``settings`` are further :class:`actviz.discovery.SearchSettings` fields (``steps``,
    ``seeds``, ``batch``, ``hidden``, ``arch``, ``arch_options``, ``max_races``,
    ``executor``, ...). Finished races are
    kept in the run database (``store=False``: nowhere), so a repeated call resumes."""
    import_torch()
    from .discovery import run_search
    from .discovery.settings import SearchSettings

    config = SearchSettings(
        tasks=list(tasks),
        strategy=strategy,
        budget_s=float(budget_minutes) * 60.0,
        seed=seed,
        **settings,
    )
    data = run_search(config, db=db, store=store, progress=progress, plugin_dirs=list(plugins))
    return SearchOutcome(data)

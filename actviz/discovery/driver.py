"""A search from its settings to its report: check the tasks, let the strategy race
candidates (resuming from the store), confirm the best and report. Kept apart from
:class:`~.run.Search`, which the strategies and the report use, so none of them imports
the others back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .report import build_report
from .run import Progress, Search
from .settings import SearchSettings
from .store import SearchStore
from .strategies import STRATEGY_FUNCTIONS


def run_search(
    settings: SearchSettings,
    *,
    db: str | None = None,
    store: bool = True,
    progress: Progress | None = None,
    plugin_dirs: Sequence[str] = (),
    stop_after: Callable[[Search], bool] | None = None,
) -> dict[str, Any]:
    """Run (or resume) a search and return the JSON-ready report (see ``docs/search.md``)."""
    problems = settings.problems()
    if problems:
        raise ValueError("; ".join(problems))
    _check_tasks(settings, plugin_dirs)
    the_store = SearchStore(db) if (store or db is not None) else None
    search = Search(settings, the_store, progress, plugin_dirs)
    try:
        if stop_after is not None:
            search.done = _stopping(search, stop_after)  # type: ignore[method-assign]
        STRATEGY_FUNCTIONS[settings.strategy](search)
        strategy_races = search.races_done()
        search.confirm()
        report = build_report(search)
        top = report["candidates"][:10]
        search._save_progress("finished", {"strategy_races": strategy_races, "candidates": top})
        return report
    finally:
        search.close()
        if the_store is not None:
            the_store.close()


def _stopping(search: Search, stop_after: Callable[[Search], bool]) -> Callable[[], bool]:
    plain = search.done

    def done() -> bool:
        if stop_after(search):
            raise KeyboardInterrupt("stopped by stop_after")
        return plain()

    return done


def _check_tasks(settings: SearchSettings, plugin_dirs: Sequence[str]) -> None:
    """Every task exists (or is a valid teacher) before any race starts."""
    from .races import _catalogue
    from .teacher import resolve_task

    catalogue = _catalogue(tuple(str(p) for p in plugin_dirs))
    resolved = [resolve_task(t, catalogue.tasks, catalogue.activations) for t in settings.tasks]
    if settings.arch != "mlp" or settings.arch_options:
        from ..architectures.build import problems
        from ..architectures.race import lookup

        architecture = lookup(settings.arch, catalogue)  # ValueError: unknown, did you mean
        if architecture is None:
            raise ValueError("arch: the mlp takes its widths from --arch 8,8, not options")
        found: list[str] = []
        for task in resolved:
            found += [
                p for p in problems(architecture, settings.arch_options, task) if p not in found
            ]
        if found:
            raise ValueError("; ".join(found))
    missing = [b for b in settings.baselines if b not in catalogue.activations]
    if missing:
        raise ValueError(f"baselines: unknown activation(s) {', '.join(missing)}")

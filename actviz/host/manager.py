"""The one object the rest of actviz talks to about plugins.

:class:`PluginHost` finds candidates (built-ins, entry points, folders), imports
and registers each one with pluggy, then calls each hook implementation on its
own so that one broken plugin is reported and left out while the rest load.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pluggy

from .. import hookspecs
from ..api import PROJECT_NAME, Activation
from ..paths import env_plugin_dirs, user_plugin_dir
from . import verdict_cache
from .guard import guarded
from .hook_results import activation_problem, call_hook, describe, item_label
from .isolation import CheckSettings, check_plugins
from .names import look_alike_problem, skeleton
from .records import ActivationEntry, Catalogue, LoadError, PluginRecord
from .sources import ENTRY_POINT, FOLDER, Candidate, all_candidates
from .validation import ValidationReport, validate_activation
from .verdicts import Verdict, report_from_dict

Validator = Callable[[Any], str | None]
#: ``on_progress(catalogue_so_far, plugins_done, plugins_total)`` during :meth:`PluginHost.load`.
Progress = Callable[[Catalogue, int, int], None]
KNOWN_HOOKS = frozenset(n for n in dir(hookspecs) if n.startswith(f"{PROJECT_NAME}_"))


def _unknown_hooks(module: object) -> list[str]:
    """Names marked ``@hookimpl`` in a module that match no hook spec (usually a typo)."""
    marker = f"{PROJECT_NAME}_impl"
    return sorted(
        name
        for name in dir(module)
        if getattr(getattr(module, name, None), marker, None) is not None
        and name not in KNOWN_HOOKS
    )


def _cache_key(candidate: Candidate) -> str | None:
    """The validation-cache key of a candidate, or ``None`` when its code cannot be read."""
    if candidate.fingerprint is None:
        return None
    try:
        return verdict_cache.cache_key(candidate.fingerprint())
    except OSError:
        return None


def _check_type(expected: type, label: str) -> Validator:
    def check(item: Any) -> str | None:
        if not isinstance(item, expected):
            return f"returned {type(item).__name__}, expected {label}"
        return None

    return check


class PluginHost:
    """Discovers, loads and validates plugins; :meth:`load` returns a fresh :class:`Catalogue`.

    :param plugin_dirs: extra plugin folders (``--plugins DIR``), read after the
        user's folder and before ``ACTVIZ_PLUGIN_PATH``.
    :param use_user_dir: read the user's plugin folder.
    :param use_entry_points: read installed packages' ``actviz`` entry points.
    :param use_env: read the folders in ``ACTVIZ_PLUGIN_PATH``.
    :param isolate: check each plugin in a separate process before importing it here
        (``ACTVIZ_PLUGIN_ISOLATION=0`` turns this off, e.g. to debug a plugin).
    :param settings: time and memory limits of that check (default: from the environment).
    """

    def __init__(
        self,
        plugin_dirs: Iterable[str | Path] = (),
        *,
        use_user_dir: bool = True,
        use_entry_points: bool = True,
        use_env: bool = True,
        include_builtins: bool = True,
        validate: bool = True,
        plugin_files: Iterable[str | Path] = (),
        isolate: bool | None = None,
        settings: CheckSettings | None = None,
    ) -> None:
        if isolate is None:  # the check process forks per plugin: POSIX only
            wanted = os.environ.get("ACTVIZ_PLUGIN_ISOLATION", "1").strip() not in ("0", "")
            isolate = wanted and hasattr(os, "fork")
        self.isolate = isolate
        self.settings = settings or CheckSettings.from_env()
        self._owners: dict[str, str] = {}
        self._looks: dict[str, str] = {}
        self.plugin_dirs = [Path(d).expanduser() for d in plugin_dirs]
        self.use_user_dir = use_user_dir
        self.use_entry_points = use_entry_points
        self.use_env = use_env
        self.include_builtins = include_builtins
        self.validate = validate
        self.plugin_files = [Path(f).expanduser() for f in plugin_files]
        self.pm: pluggy.PluginManager | None = None
        self.catalogue = Catalogue()
        self._loading = threading.Lock()  # one load at a time (the app loads in a thread)

    def folders(self) -> list[Path]:
        """Plugin folders in the order they are read (built-ins are not included)."""
        folders: list[Path] = []
        if self.use_user_dir:
            folders.append(user_plugin_dir())
        folders.extend(self.plugin_dirs)
        if self.use_env:
            folders.extend(env_plugin_dirs())
        return folders

    def load(self, on_progress: Progress | None = None) -> Catalogue:
        """(Re)load every plugin from scratch; edited, added and removed files are seen.

        Plugins are checked in separate processes first (see :mod:`.isolation`), all at
        once; each is then imported here in load order as soon as its verdict is in, and
        ``on_progress(catalogue_so_far, done, total)`` is called after each.
        """
        with self._loading:
            return self._load(on_progress)

    def _load(self, on_progress: Progress | None) -> Catalogue:
        pm = pluggy.PluginManager(PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        catalogue = Catalogue()
        self._owners, self._looks = {}, {}
        single_files = [p for p in self.plugin_dirs if p.is_file() and p.suffix == ".py"]
        candidates = list(
            all_candidates(
                self.folders(),
                include_builtins=self.include_builtins,
                include_entry_points=self.use_entry_points,
                files=[*single_files, *self.plugin_files],
            )
        )
        verdicts = self._start_checks(candidates)
        for done, (candidate, verdict) in enumerate(zip(candidates, verdicts, strict=True), 1):
            record = self._register(pm, candidate, catalogue, verdict())
            if record is not None:
                self._collect_plugin(pm, record, catalogue)
            if on_progress is not None:
                on_progress(catalogue.copy(), done, len(candidates))
        for path in self.plugin_dirs:
            if not path.is_dir() and path not in single_files:
                self._missing_folder(catalogue, path)
        self.pm = pm
        self.catalogue = catalogue
        return catalogue

    def _start_checks(self, candidates: list[Candidate]) -> list[Callable[[], Verdict | None]]:
        """A verdict getter per candidate: cached, from a check process, or ``None`` (off)."""
        if not (self.validate and self.isolate):
            return [lambda: None] * len(candidates)
        getters: list[Callable[[], Verdict | None]] = []
        jobs: list[tuple[str, dict[str, Any]]] = []
        keys: dict[str, str] = {}
        for index, candidate in enumerate(candidates):
            key = _cache_key(candidate)
            cached = verdict_cache.load(key) if key else None
            if cached is not None or candidate.spec is None:
                getters.append(lambda cached=cached: cached)
                continue
            job = str(index)
            jobs.append((job, candidate.spec))
            if key:
                keys[job] = key
            getters.append(lambda job=job: futures[job].result())
        futures = check_plugins(jobs, self.settings)
        for job, key in keys.items():
            futures[job].add_done_callback(
                lambda future, key=key: verdict_cache.store(key, future.result())
            )
        return getters

    # -- registration ---------------------------------------------------------------

    def _register(
        self,
        pm: pluggy.PluginManager,
        candidate: Candidate,
        catalogue: Catalogue,
        verdict: Verdict | None,
    ) -> PluginRecord | None:
        name = candidate.name
        taken = {r.name for r in catalogue.plugins}
        suffix = 2
        while name in taken:
            name, suffix = f"{candidate.name}#{suffix}", suffix + 1
        record = PluginRecord(
            name=name,
            source=candidate.source,
            location=candidate.location,
            version=candidate.version,
        )
        catalogue.plugins.append(record)
        record.verdict = verdict
        if verdict is not None and verdict.failure is not None:
            failure = verdict.failure
            error = self._fail(
                catalogue, record, failure["stage"], failure["message"],
                activation=failure.get("activation"),
            )  # fmt: skip
            error.exception, error.traceback = failure.get("exception"), failure.get("traceback")
            return None
        if verdict is not None and verdict.unchecked is not None:
            record.warnings.append(
                f"not checked in a separate process ({verdict.unchecked}); validated here"
            )
        try:
            with guarded("importing it", record.warnings):
                module = candidate.load()
        except BaseException as exc:  # noqa: BLE001 - SystemExit in a plugin must not end the app
            if isinstance(exc, KeyboardInterrupt):
                raise
            self._fail(catalogue, record, "import", f"import failed: {describe(exc)}", exc)
            return None
        if verdict is not None:
            record.warnings.extend(w for w in verdict.warnings if w not in record.warnings)
        if record.version is None:
            record.version = getattr(module, "__version__", None)
        unknown = _unknown_hooks(module)
        if unknown:
            self._fail(
                catalogue,
                record,
                "register",
                f"unknown hook {', '.join(unknown)} (known: {', '.join(sorted(KNOWN_HOOKS))})",
            )
        try:
            pm.register(module, name=name)
        except Exception as exc:  # noqa: BLE001
            self._fail(catalogue, record, "register", describe(exc), exc)
            return None
        return record

    def _missing_folder(self, catalogue: Catalogue, path: Path) -> None:
        """An explicit ``--plugins`` entry that is no folder: say so instead of ignoring it."""
        taken = {r.name for r in catalogue.plugins}
        name, suffix = path.name or str(path), 2
        while name in taken:
            name, suffix = f"{path.name}#{suffix}", suffix + 1
        record = PluginRecord(name=name, source=FOLDER, location=str(path), version=None)
        catalogue.plugins.append(record)
        self._fail(catalogue, record, "import", f"plugin folder not found: {path}")

    @staticmethod
    def _fail(
        catalogue: Catalogue,
        record: PluginRecord,
        stage: str,
        message: str,
        exc: BaseException | None = None,
        activation: str | None = None,
    ) -> LoadError:
        error = LoadError(
            plugin=record.name,
            source=f"{record.source}: {record.location}",
            stage=stage,
            message=message,
            activation=activation,
            exception=type(exc).__name__ if exc else None,
            traceback="".join(traceback.format_exception(exc)) if exc else None,
        )
        record.errors.append(error)
        catalogue.errors.append(error)
        return error

    # -- hook calls -----------------------------------------------------------------

    def _hook_items(
        self, pm: pluggy.PluginManager, hook_name: str, record: PluginRecord, catalogue: Catalogue
    ) -> list[Any]:
        """Call one plugin's implementation of a hook, guarded; its items, problems reported."""
        impls = [
            impl
            for impl in getattr(pm.hook, hook_name).get_hookimpls()
            if impl.plugin_name == record.name
        ]
        items: list[Any] = []
        for impl in impls:
            with guarded(f"{hook_name}()", record.warnings):
                outcome = call_hook(hook_name, impl.function)
            for problem in outcome.problems:
                self._fail(catalogue, record, "hook", problem, outcome.exception)
            items.extend(outcome.items)
        return items

    def _collect_plugin(
        self, pm: pluggy.PluginManager, record: PluginRecord, catalogue: Catalogue
    ) -> None:
        items = self._hook_items(pm, "actviz_activations", record, catalogue)
        for index, item in enumerate(items):
            self._add_activation(record, catalogue, item, index)
        for hook_name, kind, check in (
            ("actviz_tasks", "tasks", self._task_check()),
            ("actviz_lessons", "lessons", self._lesson_check()),
            ("actviz_architectures", "architectures", self._architecture_check()),
        ):
            items = self._hook_items(pm, hook_name, record, catalogue)
            self._collect_items(record, catalogue, items, hook_name, kind, check)

    def _add_activation(
        self, record: PluginRecord, catalogue: Catalogue, item: Any, index: int
    ) -> None:
        if not isinstance(item, Activation):
            self._fail(
                catalogue,
                record,
                "hook",
                f"actviz_activations() returned {type(item).__name__}, expected actviz.Activation",
            )
            return
        problem = activation_problem(item)
        if problem is not None:
            label = item_label(item, index)
            self._fail(
                catalogue, record, "hook", f"activation {label} refused: {problem}",
                activation=label.strip("'"),
            )  # fmt: skip
            return
        entry = ActivationEntry(item, record.name, record.source, record.location)
        catalogue.entries.append(entry)
        if item.name in self._owners:
            entry.error = self._fail(
                catalogue,
                record,
                "duplicate",
                _clash(item.name, catalogue, self._owners[item.name]),
                activation=item.name,
            )
            return
        look_alike = look_alike_problem(item.name, self._looks)
        if look_alike is not None:
            entry.error = self._fail(
                catalogue, record, "duplicate", look_alike, activation=item.name
            )
            return
        if self.validate:
            entry.report, entry.error = self._validate(item, record, catalogue)
        if entry.ok:
            self._owners[item.name] = record.name
            self._looks.setdefault(skeleton(item.name), item.name)
            record.activations.append(item.name)

    def _validate(
        self, act: Activation, record: PluginRecord, catalogue: Catalogue
    ) -> tuple[ValidationReport | None, LoadError | None]:
        verdict = record.verdict
        if verdict is not None and verdict.unchecked is None:
            return self._checked(act, record, catalogue, verdict)
        try:
            with guarded(f"validating {act.name!r}", record.warnings):
                report = validate_activation(act)
        except BaseException as exc:  # noqa: BLE001 - e.g. a derivative raising inside torch
            if isinstance(exc, KeyboardInterrupt):
                raise
            error = self._fail(
                catalogue, record, "validate", describe(exc), exc, activation=act.name
            )
            return None, error
        if report.ok:
            return report, None
        error = self._fail(catalogue, record, "validate", report.error or "", activation=act.name)
        error.exception, error.traceback = report.exception, report.traceback
        return report, error

    def _checked(
        self, act: Activation, record: PluginRecord, catalogue: Catalogue, verdict: Verdict
    ) -> tuple[ValidationReport | None, LoadError | None]:
        """The check process's result for ``act``, as if it had been validated here."""
        found = verdict.activations.get(act.name)
        if found is None:
            message = (
                "not among the activations the check saw: does the hook return "
                "different activations on each call?"
            )
            return None, self._fail(catalogue, record, "validate", message, activation=act.name)
        report = report_from_dict(found.get("report"))
        failure = found.get("error")
        if failure is None:
            return report, None
        error = self._fail(catalogue, record, "validate", failure["message"], activation=act.name)
        error.exception, error.traceback = failure.get("exception"), failure.get("traceback")
        return report, error

    def _collect_items(
        self,
        record: PluginRecord,
        catalogue: Catalogue,
        items: list[Any],
        hook_name: str,
        kind: str,
        check: Validator,
    ) -> None:
        store: dict[str, Any] = getattr(catalogue, kind)
        for item in items:
            problem = check(item)
            name = getattr(item, "name", None)
            if problem is None and name in store:
                problem = f"name {name!r} is already taken; the first one is kept"
            if problem is not None:
                stage = "duplicate" if "already taken" in problem else "hook"
                self._fail(catalogue, record, stage, f"{hook_name}(): {problem}")
                continue
            store[name] = item
            getattr(record, kind).append(name)

    @staticmethod
    def _task_check() -> Validator:
        return _public_type_check("Task")

    @staticmethod
    def _lesson_check() -> Validator:
        return _public_type_check("Lesson")

    @staticmethod
    def _architecture_check() -> Validator:
        return _public_type_check("Architecture")


def _clash(name: str, catalogue: Catalogue, owner: str) -> str:
    """Which copy of a clashing name wins, where it comes from, and how to use the other."""
    winner = next((r for r in catalogue.plugins if r.name == owner), None)
    where = f" ({winner.source}: {winner.location})" if winner else ""
    fix = "rename this activation"
    if winner is not None and winner.source == ENTRY_POINT:
        dist = winner.location.split(" ")[0]
        fix += f", or `pip uninstall {dist}` to use this copy"
    return (
        f"name {name!r} is already taken by plugin {owner!r}{where}; that copy wins, "
        f"this one is ignored (edits to it have no effect): {fix}"
    )


def _public_type_check(type_name: str) -> Validator:
    """Check items against ``actviz.<type_name>``; duck-type when that type is not available."""
    import actviz

    try:
        expected = getattr(actviz, type_name)
    except (ImportError, AttributeError):
        return lambda item: None if hasattr(item, "name") else "an item needs a name"
    return _check_type(expected, f"actviz.{type_name}")


def load_catalogue(
    plugin_dirs: Iterable[str | Path] = (),
    *,
    use_user_dir: bool = True,
    use_entry_points: bool = True,
    use_env: bool = True,
    timeout: float | None = None,
) -> Catalogue:
    """Load all plugins once and return what was found (the common case for commands).

    ``timeout``: seconds each plugin's import, hook call and validation may take in the
    check process (default ``ACTVIZ_PLUGIN_TIMEOUT``, else 5).
    """
    host = PluginHost(
        plugin_dirs,
        use_user_dir=use_user_dir,
        use_entry_points=use_entry_points,
        use_env=use_env,
        settings=CheckSettings.from_env(timeout),
    )
    return host.load()

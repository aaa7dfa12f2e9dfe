"""The one object the rest of actviz talks to about plugins.

:class:`PluginHost` finds candidates (built-ins, entry points, folders), imports
and registers each one with pluggy, then calls each hook implementation on its
own so that one broken plugin is reported and left out while the rest load.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pluggy

from .. import hookspecs
from ..api import PROJECT_NAME, Activation
from ..paths import env_plugin_dirs, user_plugin_dir
from .records import ActivationEntry, Catalogue, LoadError, PluginRecord
from .sources import FOLDER, Candidate, all_candidates
from .validation import ValidationReport, validate_activation

Validator = Callable[[Any], str | None]
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


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


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
    ) -> None:
        self.plugin_dirs = [Path(d).expanduser() for d in plugin_dirs]
        self.use_user_dir = use_user_dir
        self.use_entry_points = use_entry_points
        self.use_env = use_env
        self.include_builtins = include_builtins
        self.validate = validate
        self.plugin_files = [Path(f).expanduser() for f in plugin_files]
        self.pm: pluggy.PluginManager | None = None
        self.catalogue = Catalogue()

    def folders(self) -> list[Path]:
        """Plugin folders in the order they are read (built-ins are not included)."""
        folders: list[Path] = []
        if self.use_user_dir:
            folders.append(user_plugin_dir())
        folders.extend(self.plugin_dirs)
        if self.use_env:
            folders.extend(env_plugin_dirs())
        return folders

    def load(self) -> Catalogue:
        """(Re)load every plugin from scratch; edited, added and removed files are seen."""
        pm = pluggy.PluginManager(PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        catalogue = Catalogue()
        records: dict[str, PluginRecord] = {}
        single_files = [p for p in self.plugin_dirs if p.is_file() and p.suffix == ".py"]
        for candidate in all_candidates(
            self.folders(),
            include_builtins=self.include_builtins,
            include_entry_points=self.use_entry_points,
            files=[*single_files, *self.plugin_files],
        ):
            record = self._register(pm, candidate, catalogue)
            if record is not None:
                records[record.name] = record
        for path in self.plugin_dirs:
            if not path.is_dir() and path not in single_files:
                self._missing_folder(catalogue, path)
        self._collect_activations(pm, records, catalogue)
        self._collect_items(pm, records, catalogue, "actviz_tasks", "tasks", self._task_check())
        self._collect_items(
            pm, records, catalogue, "actviz_lessons", "lessons", self._lesson_check()
        )
        self.pm = pm
        self.catalogue = catalogue
        return catalogue

    # -- registration ---------------------------------------------------------------

    def _register(
        self, pm: pluggy.PluginManager, candidate: Candidate, catalogue: Catalogue
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
        try:
            module = candidate.load()
        except BaseException as exc:  # noqa: BLE001 - SystemExit in a plugin must not end the app
            if isinstance(exc, KeyboardInterrupt):
                raise
            self._fail(catalogue, record, "import", f"import failed: {_describe(exc)}", exc)
            return None
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
            self._fail(catalogue, record, "register", _describe(exc), exc)
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

    def _call_each(
        self,
        pm: pluggy.PluginManager,
        hook_name: str,
        records: dict[str, PluginRecord],
        catalogue: Catalogue,
    ) -> Iterable[tuple[PluginRecord, Sequence[Any]]]:
        """Call each implementation of a hook separately, in registration order."""
        impls = list(getattr(pm.hook, hook_name).get_hookimpls())
        impls.sort(key=lambda impl: list(records).index(impl.plugin_name))
        for impl in impls:
            record = records[impl.plugin_name]
            try:
                items = impl.function()
            except BaseException as exc:  # noqa: BLE001
                if isinstance(exc, KeyboardInterrupt):
                    raise
                self._fail(catalogue, record, "hook", f"{hook_name}() raised {_describe(exc)}", exc)
                continue
            if items is None:
                items = []
            if not isinstance(items, (list, tuple)):
                self._fail(
                    catalogue,
                    record,
                    "hook",
                    f"{hook_name}() returned {type(items).__name__}, expected a list",
                )
                continue
            yield record, items

    def _collect_activations(
        self, pm: pluggy.PluginManager, records: dict[str, PluginRecord], catalogue: Catalogue
    ) -> None:
        owners: dict[str, str] = {}
        for record, items in self._call_each(pm, "actviz_activations", records, catalogue):
            for item in items:
                if not isinstance(item, Activation):
                    self._fail(
                        catalogue,
                        record,
                        "hook",
                        f"actviz_activations() returned {type(item).__name__}, "
                        "expected actviz.Activation",
                    )
                    continue
                entry = ActivationEntry(item, record.name, record.source, record.location)
                if item.name in owners:
                    entry.error = self._fail(
                        catalogue,
                        record,
                        "duplicate",
                        f"name {item.name!r} is already taken by plugin {owners[item.name]!r}; "
                        "the first one is kept",
                        activation=item.name,
                    )
                    catalogue.entries.append(entry)
                    continue
                if self.validate:
                    entry.report, entry.error = self._validate(item, record, catalogue)
                if entry.ok:
                    owners[item.name] = record.name
                    record.activations.append(item.name)
                catalogue.entries.append(entry)

    def _validate(
        self, act: Activation, record: PluginRecord, catalogue: Catalogue
    ) -> tuple[ValidationReport | None, LoadError | None]:
        try:
            report = validate_activation(act)
        except Exception as exc:  # noqa: BLE001 - e.g. a derivative raising inside torch
            error = self._fail(
                catalogue, record, "validate", _describe(exc), exc, activation=act.name
            )
            return None, error
        if report.ok:
            return report, None
        error = self._fail(catalogue, record, "validate", report.error or "", activation=act.name)
        return report, error

    def _collect_items(
        self,
        pm: pluggy.PluginManager,
        records: dict[str, PluginRecord],
        catalogue: Catalogue,
        hook_name: str,
        kind: str,
        check: Validator,
    ) -> None:
        store: dict[str, Any] = getattr(catalogue, kind)
        for record, items in self._call_each(pm, hook_name, records, catalogue):
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
) -> Catalogue:
    """Load all plugins once and return what was found (the common case for commands)."""
    host = PluginHost(
        plugin_dirs,
        use_user_dir=use_user_dir,
        use_entry_points=use_entry_points,
        use_env=use_env,
    )
    return host.load()

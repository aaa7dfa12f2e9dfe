"""Where plugins come from: the built-in folder, installed entry points, plugin folders.

Each source yields :class:`Candidate` objects; importing one is deferred to
:meth:`Candidate.load` so the manager can guard every import separately.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType

from ..api import PROJECT_NAME

ENTRY_POINT_GROUP = PROJECT_NAME
BUILTIN = "built-in"
ENTRY_POINT = "entry point"
FOLDER = "folder"


@dataclass
class Candidate:
    """A plugin that has been found but not yet imported."""

    name: str
    source: str
    location: str
    load: Callable[[], object]
    version: str | None = None


def builtin_dir() -> Path:
    """The folder of built-in plugins: ``actviz_builtins`` when installed, else ``plugins/``.

    An installed package is preferred only when it is the one shipped next to this
    ``actviz``; a source checkout always uses its own top-level ``plugins/`` folder.
    """
    root = Path(__file__).resolve().parents[2]
    checkout = root / "plugins"
    if (root / "pyproject.toml").is_file() and (checkout / "__init__.py").is_file():
        return checkout
    spec = importlib.util.find_spec("actviz_builtins")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return checkout


def plugin_files(folder: Path) -> list[Path]:
    """The plugin modules in a folder: ``*.py`` files not starting with ``_``, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith(("_", ".")))


def _module_name(path: Path) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    return f"actviz_plugin_{path.stem}_{digest}"


def import_file(path: Path) -> ModuleType:
    """Import a plugin file afresh under a unique module name (so reloads see edits)."""
    name = _module_name(path)
    sys.modules.pop(name, None)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def folder_candidates(folder: Path, source: str = FOLDER) -> Iterator[Candidate]:
    for path in plugin_files(folder):
        yield Candidate(
            name=path.stem,
            source=source,
            location=str(path),
            load=lambda path=path: import_file(path),
        )


def entry_point_candidates(group: str = ENTRY_POINT_GROUP) -> Iterator[Candidate]:
    for ep in metadata.entry_points(group=group):
        dist = getattr(ep, "dist", None)
        dist_name = dist.metadata["Name"] if dist is not None else None
        version = dist.version if dist is not None else None
        yield Candidate(
            name=ep.name,
            source=ENTRY_POINT,
            location=f"{dist_name or '?'} {version or ''}: {ep.value}".strip(),
            load=ep.load,
            version=version,
        )


def file_candidate(path: Path) -> Candidate:
    """A single plugin file named on the command line (``actviz check FILE``)."""
    path = Path(path).expanduser().resolve()
    return Candidate(path.stem, FOLDER, str(path), lambda: import_file(path))


def all_candidates(
    folders: Iterable[Path],
    *,
    include_builtins: bool = True,
    include_entry_points: bool = True,
    files: Iterable[Path] = (),
) -> Iterator[Candidate]:
    """Every candidate in load order: built-ins, entry points, each folder once, then files."""
    if include_builtins:
        yield from folder_candidates(builtin_dir(), source=BUILTIN)
    if include_entry_points:
        yield from entry_point_candidates()
    seen: set[Path] = {builtin_dir().resolve()}
    for folder in folders:
        resolved = Path(folder).expanduser().resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        yield from folder_candidates(resolved)
    for path in files:
        yield file_candidate(Path(path))

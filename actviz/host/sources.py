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
from typing import Any

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
    #: How another process finds the same plugin (see :func:`load_spec`).
    spec: dict[str, Any] | None = None
    #: A content hash of the plugin's code, for the validation cache.
    fingerprint: Callable[[], str] | None = None


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


def _file_candidate(path: Path, source: str) -> Candidate:
    return Candidate(
        name=path.stem,
        source=source,
        location=str(path),
        load=lambda: import_file(path),
        spec={"kind": "file", "path": str(path)},
        fingerprint=lambda: file_fingerprint(path),
    )


def folder_candidates(folder: Path, source: str = FOLDER) -> Iterator[Candidate]:
    for path in plugin_files(folder):
        yield _file_candidate(path, source)


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
            spec={"kind": "entry point", "group": group, "name": ep.name, "value": ep.value},
            fingerprint=lambda ep=ep, dist=dist: entry_point_fingerprint(ep, dist),
        )


def file_candidate(path: Path) -> Candidate:
    """A single plugin file named on the command line (``actviz check FILE``)."""
    return _file_candidate(Path(path).expanduser().resolve(), FOLDER)


def load_spec(spec: dict[str, Any]) -> object:
    """Import the plugin a :attr:`Candidate.spec` describes (in the check process)."""
    if spec["kind"] == "file":
        return import_file(Path(spec["path"]))
    return metadata.EntryPoint(spec["name"], spec["value"], spec["group"]).load()


# -- fingerprints -----------------------------------------------------------------------


def file_fingerprint(path: Path) -> str:
    """The plugin file's path and bytes: an edit gives a new fingerprint."""
    digest = hashlib.sha256(str(path.resolve()).encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def _hash_tree(digest: hashlib._Hash, paths: Iterable[Path]) -> None:
    for path in sorted(set(paths)):
        if path.is_file() and path.suffix not in (".pyc", ".pyo"):
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")


def entry_point_fingerprint(ep: metadata.EntryPoint, dist: metadata.Distribution | None) -> str:
    """The distribution's files plus the entry point's top-level package (for editable installs).

    Finding the package reads no code: ``find_spec`` of a top-level name imports nothing.
    """
    digest = hashlib.sha256(f"{ep.group}:{ep.name}={ep.value}".encode())
    if dist is not None:
        _hash_tree(digest, (Path(str(dist.locate_file(f))) for f in dist.files or ()))
    top = ep.value.split(":")[0].split(".")[0]
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        found = None
    if found is not None and found.submodule_search_locations:
        for folder in found.submodule_search_locations:
            _hash_tree(digest, Path(folder).rglob("*.py"))
    elif found is not None and found.origin:
        _hash_tree(digest, [Path(found.origin)])
    return digest.hexdigest()


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

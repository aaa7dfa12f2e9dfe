"""Arguments of the notebook API checked like a library's: one clear ``TypeError`` or
``ValueError`` in the API's own words, never an internal class name or a crash later."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral
from pathlib import Path
from typing import Any


def names(value: Any, what: str) -> list[str]:
    """A name or a list of names; a single string is one name (never its letters)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Path):
        return [str(value)]
    try:
        items = list(value)
    except TypeError:
        raise TypeError(
            f"{what} must be a name or a list of names, not {type(value).__name__}"
        ) from None
    wrong = [v for v in items if not isinstance(v, (str, Path))]
    if wrong:
        raise TypeError(f"{what} must be names (strings), got {wrong[0]!r}")
    return [str(v) for v in items]


def seeds(value: Any) -> int | list[int]:
    """A positive count, or a list of distinct seed numbers >= 0."""
    refused = TypeError(
        f"seeds must be a count (an int, e.g. 5) or a list of seed numbers, not {value!r}"
    )
    if isinstance(value, (bool, str)):
        raise refused
    if isinstance(value, Integral):
        if value < 1:
            raise ValueError(f"seeds must be at least 1, not {value}")
        return int(value)
    if not isinstance(value, Iterable):
        raise refused
    items = list(value)
    if not items:
        raise ValueError("seeds must not be an empty list")
    for s in items:
        if isinstance(s, bool) or not isinstance(s, Integral):
            raise TypeError(f"seeds must be whole numbers, got {s!r}")
        if s < 0:
            raise ValueError(f"seed numbers must be 0 or more, got {s}")
    items = [int(s) for s in items]
    if len(set(items)) != len(items):
        raise ValueError(f"a seed is listed twice in {items}")
    return items


def positive(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{what} must be a whole number, not {value!r}")
    if value < 1:
        raise ValueError(f"{what} must be at least 1, not {value}")
    return int(value)


def options(given: dict[str, Any], known: Iterable[str], function: str) -> None:
    """Refuse keyword arguments the race does not have, naming the ones it has."""
    known = sorted(known)
    for key in given:
        if key not in known:
            import difflib

            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(
                f"{function}() got an unknown option {key!r}{hint}; options: {', '.join(known)}"
            )


def plugin_folders(plugins: Any) -> list[str]:
    """Plugin folders (or files) that exist; a missing one raises ``FileNotFoundError``."""
    folders = names(plugins, "plugins")
    for folder in folders:
        path = Path(folder).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"plugin folder not found: {folder}")
    return folders


def require_loaded(catalogue: Any, wanted: Iterable[str]) -> None:
    """An activation that was found but failed to load raises with the reason."""
    from ..training.layered import plugin_names

    usable = catalogue.activations
    for name in plugin_names(list(wanted)):
        if name in usable:
            continue
        broken = [e for e in catalogue.entries if e.name == name and e.error is not None]
        if broken:
            error = broken[0].error
            raise ValueError(
                f"activation {name!r} did not load ({error.source}): [{error.stage}] "
                f"{error.message}"
            )

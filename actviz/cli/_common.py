"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import functools
import json
import math
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..host import Catalogue, load_catalogue


def plugin_dirs_from_args(args: argparse.Namespace) -> list[str]:
    """``--plugins`` given before the sub-command, then those given after it."""
    return list(getattr(args, "plugins", []) or []) + list(getattr(args, "sub_plugins", []) or [])


def catalogue_from_args(args: argparse.Namespace) -> Catalogue:
    """Load plugins the way the global ``--plugins``/``--no-user-plugins`` flags say."""
    return load_catalogue(
        plugin_dirs=plugin_dirs_from_args(args),
        use_user_dir=not getattr(args, "no_user_plugins", False),
        use_entry_points=not getattr(args, "no_user_plugins", False),
        timeout=getattr(args, "plugin_timeout", None),
    )


def json_safe(value: Any) -> Any:
    """JSON has no inf/NaN: infinities become ``"inf"``/``"-inf"``, NaN becomes ``null``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def print_json(data: Any) -> None:
    """Print strict JSON (never ``NaN`` or ``Infinity``) to stdout."""
    json.dump(json_safe(data), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def write_json_result(data: Any, target: str) -> None:
    """``--json TARGET``: the result as indented JSON on stdout (``-``) or in a file."""
    text = json.dumps(data, indent=1)
    if target == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(target).write_text(text, encoding="utf-8")


def split_names(text: str) -> list[str]:
    """``"relu, gelu,,silu"`` -> ``["relu", "gelu", "silu"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_params(items: list[str]) -> dict[str, dict[str, float | list[float]]]:
    """``["prelu.a=0.1", "pade.p=1,0.5,0.1"]`` -> ``{"prelu": {"a": 0.1}, "pade": {"p":
    [1.0, 0.5, 0.1]}}`` (a comma list is a vector parameter's values); :class:`ValueError`
    says what is wrong."""
    out: dict[str, dict[str, float | list[float]]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        act, dot, param = key.partition(".")
        if not (sep and dot and act.strip() and param.strip()):
            raise ValueError(f"--param must look like NAME.PARAM=VALUE, not {item!r}")
        parts = [part.strip() for part in value.split(",")]
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            raise ValueError(
                f"--param {item!r}: {value!r} is not a number or a comma list of numbers"
            ) from None
        out.setdefault(act.strip(), {})[param.strip()] = numbers if len(parts) > 1 else numbers[0]
    return out


def fail_for(command: str) -> Callable[[str], int]:
    """The one error helper of the sub-commands: ``fail = fail_for("train")`` gives a
    ``fail(message)`` that prints ``actviz train: message`` on stderr and returns exit
    code 2, so every command reports a bad input the same way."""

    def fail(message: str) -> int:
        print(f"actviz {command}: {message}", file=sys.stderr)
        return 2

    return fail


class DatabaseUnusable(Exception):
    """The run database named on the command line cannot be read."""


def open_store(args: argparse.Namespace) -> Any:
    """The run store; an explicit ``--db`` must already exist (nothing here creates one).
    A file or folder that may not be written is opened read-only: listing needs no more."""
    from ..storage import RunStore, default_path

    given = getattr(args, "db", None)
    path = Path(given).expanduser() if given is not None else default_path()
    if given is not None and not path.is_file():
        raise DatabaseUnusable(f"no run database at {path}")
    try:
        return RunStore(path)
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnusable(f"cannot read the run database {path}: {exc}") from exc


def guarded(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn an unusable database into a one-line ``actviz runs`` message and exit code 2,
    not a traceback."""
    fail = fail_for("runs")

    @functools.wraps(action)
    def run(args: argparse.Namespace) -> int:
        try:
            return action(args)
        except DatabaseUnusable as exc:
            return fail(str(exc))
        except sqlite3.DatabaseError as exc:
            if "readonly" in str(exc):  # a change asked of a file that may not be written
                return fail(f"the run database may not be written here, nothing changed: {exc}")
            return fail(f"cannot read the run database: {exc}")

    return run

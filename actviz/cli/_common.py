"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import math
import sys
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

"""The architecture options shared by ``actviz train`` and ``actviz bench``."""

from __future__ import annotations

import argparse
from typing import Any

#: Named flags and the option each sets (only when given).
NAMED = {"depth": "depth", "width": "width", "channels": "channels"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--arch",
        default="mlp",
        help="network: mlp (default, --hidden), linear, resmlp, cnn1d, cnn2d, gru, "
        "transformer, or a plugin's (see 'actviz list --architectures')",
    )
    p.add_argument("--depth", type=int, default=None, help="resmlp: residual blocks")
    p.add_argument("--width", type=int, default=None, help="resmlp/transformer: layer width")
    p.add_argument("--channels", type=int, default=None, help="cnn1d/cnn2d: conv channels")
    p.add_argument(
        "--arch-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other architecture option, e.g. hidden=6, bidirectional=false, kernels=5,3,3",
    )


def parse_value(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.strip()


def options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """``{option: value}`` from the named flags and ``--arch-option KEY=VALUE``."""
    options: dict[str, Any] = {}
    for flag, key in NAMED.items():
        value = getattr(args, flag, None)
        if value is not None:
            options[key] = value
    for item in getattr(args, "arch_option", []) or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--arch-option must look like KEY=VALUE, not {item!r}")
        options[key.strip()] = parse_value(value)
    return options


def architecture_for(name: str, catalogue: Any) -> Any:
    """The loaded architecture ``name``; see :func:`actviz.architectures.race.lookup`."""
    from ..architectures.race import lookup

    return lookup(name, catalogue)

"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse

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
    )


def split_names(text: str) -> list[str]:
    """``"relu, gelu,,silu"`` -> ``["relu", "gelu", "silu"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]

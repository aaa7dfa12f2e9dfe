"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse

from ..host import Catalogue, load_catalogue


def catalogue_from_args(args: argparse.Namespace) -> Catalogue:
    """Load plugins the way the global ``--plugins``/``--no-user-plugins`` flags say."""
    return load_catalogue(
        plugin_dirs=list(getattr(args, "plugins", []) or []),
        use_user_dir=not getattr(args, "no_user_plugins", False),
        use_entry_points=not getattr(args, "no_user_plugins", False),
    )


def split_names(text: str) -> list[str]:
    """``"relu, gelu,,silu"`` -> ``["relu", "gelu", "silu"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]

"""The ``actviz`` command line.

Every module in this package that defines ``register(subparsers)`` adds one
sub-command; ``register`` sets ``func`` (``args -> exit code``) on its parser.
With no sub-command, ``actviz`` opens the desktop app.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from ._common import plugin_dirs_from_args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="actviz",
        description="A workbench for neural-network activation functions.",
    )
    _add_plugin_options(parser, default=True)
    parser.add_argument(
        "--handout",
        "--lesson",  # the name of earlier versions, still accepted
        dest="handout",
        metavar="FILE",
        default=None,
        help="open the desktop app with this handout (*.actviz-handout, or an older "
        "*.actviz-lesson) in the Playground",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    for command in sub.choices.values():
        _add_plugin_options(command, default=False)
    return parser


def _add_plugin_options(parser: argparse.ArgumentParser, *, default: bool) -> None:
    """The plugin options, accepted before or after the sub-command."""
    # The sub-command's list has its own dest so it adds to, not replaces, the top-level one.
    parser.add_argument(
        "--plugins",
        dest="plugins" if default else "sub_plugins",
        action="append",
        default=[] if default else argparse.SUPPRESS,
        metavar="DIR",
        help="an extra plugin folder (repeatable); ACTVIZ_PLUGIN_PATH is read too",
    )
    parser.add_argument(
        "--no-user-plugins",
        action="store_true",
        default=False if default else argparse.SUPPRESS,
        help="read only the built-ins and --plugins folders (no user folder, no entry points)",
    )
    parser.add_argument(
        "--plugin-timeout",
        type=float,
        default=None if default else argparse.SUPPRESS,
        metavar="SECONDS",
        help="time each plugin's import, hook call and validation may take in the check "
        "process (default: ACTVIZ_PLUGIN_TIMEOUT, else 5)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from ..app import run_gui

        return run_gui(plugin_dirs=plugin_dirs_from_args(args), argv=argv, handout=args.handout)
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

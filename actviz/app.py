"""The desktop app's entry point, kept free of Qt so the CLI imports it cheaply."""

from __future__ import annotations

from collections.abc import Sequence

from .display import has_display, run_without_display


def run_gui(
    plugin_dirs: list[str] | None = None, argv: Sequence[str] = (), handout: str | None = None
) -> int:
    """Open the actviz window (with extra plugin folders) and return its exit code.

    Without a display, ``argv`` (the command line) is re-run on a virtual screen.
    ``handout`` is a handout file to open once the plugins are loaded."""
    if not has_display():
        return run_without_display(argv)
    try:
        from .gui.launch import run
    except ImportError as exc:  # PySide6 or pyqtgraph missing: say so, do not trace back
        import sys

        print(f"actviz: the desktop app needs PySide6 and pyqtgraph ({exc})", file=sys.stderr)
        return 1
    return run(plugin_dirs, handout=handout)

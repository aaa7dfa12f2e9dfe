"""Finding a screen for the desktop app before Qt is loaded.

Qt aborts the whole process (exit 134, blaming an xcb library) when it finds no display.
So, before Qt starts: with no display on Linux, re-run the same command on a virtual
screen (``xvfb-run``, as ``scripts/launch`` does), or print one line saying how to run it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence

#: Set on the re-run under ``xvfb-run``, so a failing virtual screen cannot loop.
UNDER_XVFB = "ACTVIZ_UNDER_XVFB"
SCREEN = "-screen 0 1600x1000x24"
HOW_TO = (
    "actviz: no display found (DISPLAY is not set): run it in a desktop session, "
    "install Xvfb (scripts/install.sh) for a virtual screen, or use the command line "
    "(actviz --help)"
)


def has_display(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt can open a window: a display is set, a Qt platform is chosen, or the OS
    is not Linux (macOS and Windows always have one)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return True
    return any(env.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def virtual_screen_command(argv: Sequence[str]) -> list[str] | None:
    """The command that runs ``actviz ARGV`` on a virtual screen, or ``None`` without Xvfb."""
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None or os.environ.get(UNDER_XVFB):
        return None
    return [xvfb_run, "-a", "-s", SCREEN, sys.executable, "-m", "actviz.cli", *argv]


def run_without_display(argv: Sequence[str]) -> int:
    """Re-run on a virtual screen (never returns on success) or say how to run; exit code 1."""
    command = virtual_screen_command(argv)
    if command is None:
        print(HOW_TO, file=sys.stderr)
        return 1
    print("actviz: no display found: running on a virtual screen (xvfb-run)", file=sys.stderr)
    sys.stderr.flush()
    os.environ[UNDER_XVFB] = "1"
    os.execv(command[0], command)
    return 1  # pragma: no cover - execv does not return

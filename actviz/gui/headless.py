"""Qt without a window: an offscreen ``QApplication`` where there is no display, and curve colours.

Files are drawn by :mod:`actviz.figures` (matplotlib), which needs no Qt at all.
"""

from __future__ import annotations

import os
import sys


def ensure_app():
    """Return the running ``QApplication``, starting an offscreen one if there is no display."""
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not has_display and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["actviz"])

"""Qt without a window: an offscreen ``QApplication`` where there is no display, and curve colours.

Files are drawn by :mod:`actviz.figures` (matplotlib), which needs no Qt at all.
"""

from __future__ import annotations

import os
import sys

#: Distinct, print-safe colours (Tableau 10 then 10 lighter companions).
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip


def colour(index: int) -> str:
    """The ``index``-th curve colour; beyond the palette, hues are spread evenly."""
    if index < len(PALETTE):
        return PALETTE[index]
    import pyqtgraph as pg

    return pg.intColor(index, hues=17, values=2).name()


def ensure_app():
    """Return the running ``QApplication``, starting an offscreen one if there is no display."""
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not has_display and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["actviz"])

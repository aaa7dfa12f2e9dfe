"""Start the desktop app: QApplication, theme, main window, event loop.

``ACTVIZ_EXIT_AFTER_PAINT=1`` quits as soon as the window has been painted once and
prints the time since the process started (a start-up probe for benchmarks).
``ACTVIZ_EXIT_WHEN_READY=1`` waits longer: until the plugins have loaded and the window
has been painted again with the activations listed (``bench/bench_window_ready.py``).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from ..host import PluginHost
from .main_window import MainWindow


def _process_age() -> float | None:
    """Seconds since this process started (Linux), for the start-up probe."""
    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class _FirstPaint(QObject):
    """Quits the app after the first paint of the watched window."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            age = _process_age()
            cpu = time.process_time()  # less sensitive than wall time to a busy machine
            wall = f"{age:.2f} s" if age is not None else "?"
            print(f"first paint after {wall} (process CPU time {cpu:.2f} s)")
            QTimer.singleShot(0, QApplication.instance().quit)
        return False


class _Ready(QObject):
    """Quits the app at the first paint after the plugins have loaded (the window usable:
    panels drawn, activations listed), printing both moments."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.first: str | None = None
        self.loaded = False
        window.loader.loaded.connect(self._loaded)

    def _loaded(self, _catalogue) -> None:
        self.loaded = True
        self.window.update()  # make sure a paint follows

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.Paint:
            return False
        age = _process_age()
        wall = f"{age:.2f} s" if age is not None else "?"
        if self.first is None:
            self.first = wall
        if self.loaded:
            obj.removeEventFilter(self)
            tree = self.window.activation_list.tree
            groups = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
            listed = sum(group.childCount() for group in groups)
            print(
                f"first paint after {self.first}; ready after {wall} with {listed} "
                f"activations listed (process CPU time {time.process_time():.2f} s)"
            )
            QTimer.singleShot(0, QApplication.instance().quit)
        return False


def _report_uncaught(window: MainWindow):
    def hook(kind, value, tb) -> None:
        traceback.print_exception(kind, value, tb)
        try:
            window.show_message(f"unexpected error: {kind.__name__}: {value}")
        except RuntimeError:
            pass

    return hook


def run(plugin_dirs: list[str] | None = None, handout: str | None = None) -> int:
    """Open the main window and run until it is closed; returns the exit code.
    ``handout`` (a handout file) opens once the plugins it names are loaded."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("actviz")
    app.setOrganizationName("actviz")
    app.setApplicationDisplayName("actviz")
    host = PluginHost([Path(d) for d in plugin_dirs or []])
    window = MainWindow(host, background=True)
    sys.excepthook = _report_uncaught(window)
    probe = None
    if os.environ.get("ACTVIZ_EXIT_WHEN_READY"):
        probe = _Ready(window)
        window.installEventFilter(probe)
    elif os.environ.get("ACTVIZ_EXIT_AFTER_PAINT"):
        probe = _FirstPaint()
        window.installEventFilter(probe)
    if handout:
        open_when_loaded(window, handout)
    window.show()
    code = app.exec()
    return int(code)


def open_when_loaded(window: MainWindow, handout: str) -> None:
    """Open ``handout`` after the first background load (its tasks and activations)."""

    def once(_catalogue=None) -> None:
        window.loader.loaded.disconnect(once)
        window.handouts.open_file(handout)

    window.loader.loaded.connect(once)

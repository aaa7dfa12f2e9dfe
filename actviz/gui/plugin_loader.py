"""Loading plugins off the GUI thread: the window opens first, activations arrive as checked.

:class:`PluginLoader` runs :meth:`PluginHost.load` in a Python thread. After each
plugin the catalogue so far is handed to the GUI thread (a queued Qt signal); the GUI
shows the latest one at most every :data:`UPDATE_S` seconds, so 400 plugins do not mean
400 list rebuilds, and the last one before a slow plugin is never held back. A progress
bar in the status bar says how far the check is.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QProgressBar

from ..host import Catalogue
from .state import AppState

#: Fewest seconds between two partial catalogues shown while loading.
UPDATE_S = 0.15


class PluginLoader(QObject):
    """Loads plugins in the background and feeds the results to an :class:`AppState`."""

    #: (catalogue so far, plugins done, plugins in all), on the GUI thread.
    progressed = Signal(object, int, int)
    #: The complete catalogue, on the GUI thread, once it is the state's catalogue.
    loaded = Signal(object)
    _partial = Signal(object, int, int)
    _done = Signal(object, str)

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(True)
        self.bar.setToolTip(
            "plugins are checked in a separate process; activations appear as each passes"
        )
        self.bar.hide()
        self._thread: threading.Thread | None = None
        self._again = False
        self._latest: tuple[Catalogue, int, int] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(UPDATE_S * 1000))
        self._timer.timeout.connect(self._show_latest)
        self._partial.connect(self._queue_partial)
        self._done.connect(self._finish)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Load every plugin afresh; a request while one load runs starts another after it."""
        if self._thread is not None:
            self._again = True
            return
        self._again = False
        self.bar.setRange(0, 0)
        self.bar.setFormat("checking plugins")
        self.bar.show()
        self._thread = threading.Thread(target=self._run, name="actviz-plugin-load", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            catalogue = self.state.host.load(on_progress=self._report)
        except Exception as exc:  # noqa: BLE001 - the host guards plugins; this is a bug
            self._done.emit(None, f"{type(exc).__name__}: {exc}")
            return
        self._done.emit(catalogue, "")

    def _report(self, catalogue: Catalogue, done: int, total: int) -> None:
        self._partial.emit(catalogue, done, total)  # in the loading thread

    def _queue_partial(self, catalogue: Catalogue, done: int, total: int) -> None:
        self._latest = (catalogue, done, total)
        if not self._timer.isActive():
            self._timer.start()

    def _show_latest(self) -> None:
        if self._latest is None:
            return
        catalogue, done, total = self._latest
        self._latest = None
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.bar.setFormat("checking plugins %v/%m")
        self.state.set_catalogue(catalogue)
        self.progressed.emit(catalogue, done, total)

    def _finish(self, catalogue: Catalogue | None, error: str) -> None:
        if self._thread is not None:
            self._thread.join()
        self._thread = None
        self._timer.stop()
        self._show_latest()  # the last progress step, then the whole catalogue
        self.bar.hide()
        if catalogue is None:
            self.state.notify(f"loading plugins failed: {error}")
        else:
            self.state.set_catalogue(catalogue)
            self.loaded.emit(catalogue)
        if self._again:
            self.start()

"""A splitter's side pane as wide as what it shows, not a fixed share of the window.

The Curves readout (a name and three numbers) took 40% of a 1024 px window and 560 px
of a 2560 px one, mostly blank, while the plots were squeezed. This keeps the pane at
the width its contents want (at most ``share`` of the splitter) and gives the rest to
the plots, until the user drags the handle; then the user's width stands.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QSplitter


class SideRoom(QObject):
    """Keeps the last widget of the horizontal ``splitter`` ``wanted()`` px wide."""

    def __init__(self, splitter: QSplitter, wanted: Callable[[], int], share: float) -> None:
        super().__init__(splitter)
        self.splitter, self.wanted, self.share = splitter, wanted, share
        self.dragged = False
        splitter.splitterMoved.connect(self._dragged)
        splitter.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)

    def _dragged(self, *_args: object) -> None:
        self.dragged = True

    def schedule(self, *_args: object) -> None:
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.splitter and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.schedule()
        return False

    def fit(self) -> None:
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if self.dragged or total <= 0 or len(sizes) != 2:
            return
        side = self.splitter.widget(1)
        want = min(self.wanted(), int(total * self.share))
        want = max(want, side.minimumSizeHint().width(), side.minimumWidth())
        if abs(sizes[1] - want) > 2:
            self.splitter.setSizes([total - want, want])

"""Side docks that make room: on a narrow window the Inspector is tabbed onto the
activation list (one dock column instead of two), so the panel in the middle keeps the
width it needs; when the window is wide again the two docks are side by side again.

Only docks where actviz put them are moved: a dock the user floated or closed is left be.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow

#: Widths the docks get when they sit side by side, and when tabbed together.
LEFT_WIDTH, RIGHT_WIDTH, TABBED_WIDTH = 230, 320, 270
#: Extra width before splitting again, so a window at the threshold does not flip.
HYSTERESIS = 40


class DockFitter(QObject):
    """See the module docstring; ``need`` gives the width the central panel needs."""

    def __init__(
        self,
        window: QMainWindow,
        left: QDockWidget,
        right: QDockWidget,
        need: Callable[[], int],
    ) -> None:
        super().__init__(window)
        self.window, self.left, self.right, self.need = window, left, right, need
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._timer.start()
        return False

    @property
    def tabbed(self) -> bool:
        return self.right in self.window.tabifiedDockWidgets(self.left)

    def _docked(self, dock: QDockWidget) -> bool:
        return dock.isVisible() and not dock.isFloating()

    def split_width(self) -> int:
        """The narrowest window that holds both docks side by side and the panel."""
        return self.need() + LEFT_WIDTH + RIGHT_WIDTH + 24

    def fit(self) -> None:
        """Tab or split the docks for the window's current width."""
        if not (self._docked(self.left) and (self._docked(self.right) or self.tabbed)):
            return
        width = self.window.width()
        if not self.tabbed and width < self.split_width():
            self.window.tabifyDockWidget(self.left, self.right)
            self.left.raise_()
            self.window.resizeDocks([self.left], [TABBED_WIDTH], Qt.Orientation.Horizontal)
        elif self.tabbed and width >= self.split_width() + HYSTERESIS:
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.right)
            self.right.show()
            self.window.resizeDocks(
                [self.left, self.right], [LEFT_WIDTH, RIGHT_WIDTH], Qt.Orientation.Horizontal
            )

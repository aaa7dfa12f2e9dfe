"""A scroll area that scrolls up and down only and is never narrower than its contents.

A form or a list of runs in a splitter used to get a horizontal scroll bar when the
window was narrow (or scaled 2x): the splitter gave it less than its contents' minimum
width. This area asks its splitter for that width instead, so it wraps or shrinks its
contents where they can and keeps the rest in view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QWidget


class FittedScroll(QScrollArea):
    """See the module docstring; ``floor`` is the least width it asks for."""

    def __init__(self, widget: QWidget, floor: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._floor = floor
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.widget() and event.type() in (
            QEvent.Type.LayoutRequest,
            QEvent.Type.FontChange,
        ):
            self.updateGeometry()  # the contents' minimum width may have changed
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        need = max(inner.minimumSizeHint().width(), inner.minimumWidth())
        need += self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(need, self._floor), hint.height())

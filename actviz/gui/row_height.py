"""Table rows as tall as their font: a fixed 22 px row clips the text once the font
grows (presentation mode, a large system font)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QTableView

#: Space above and below a row's text, in pixels.
ROW_PADDING = 8


def row_height(view: QTableView) -> int:
    """The row height that fits ``view``'s font."""
    return view.fontMetrics().height() + ROW_PADDING


class _Follow(QObject):
    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.view and event.type() == QEvent.Type.FontChange:
            self.view.verticalHeader().setDefaultSectionSize(row_height(self.view))
        return False


def rows_follow_font(view: QTableView) -> None:
    """Size ``view``'s rows to its font now and whenever the font changes."""
    view.verticalHeader().setDefaultSectionSize(row_height(view))
    view.installEventFilter(_Follow(view))

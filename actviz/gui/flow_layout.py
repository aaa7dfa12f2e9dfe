"""A row of controls that wraps onto more lines when its width runs out.

Tool rows (a check box, a status line, export buttons) laid out side by side need the
sum of their widths; in a narrow window, or with presentation mode's large fonts, that
sum pushed a panel wider than its window. A flow row needs only its widest control.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    """Lays its items left to right and starts a new line when the next does not fit.

    ``stretch_last``: the last item of the layout takes what is left of its line (a
    status text that may then wrap within it)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # QLayout's item protocol
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt's name)
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt's name)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        """No: the minimum height follows the width the row was last given instead.
        A box layout that mixes height-for-width rows with a stretching table squeezed
        the wrapped lines under the table; a plain minimum it respects."""
        return False

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt's name)
        super().setGeometry(rect)
        self._width = rect.width()
        height = self._arrange(rect, move=True)
        if height != getattr(self, "_height", None):
            self._height = height
            # the minimum height follows the number of lines; asked again after this
            # layout pass (an invalidation inside it is dropped by Qt)
            QTimer.singleShot(0, self._relayout)

    def _relayout(self) -> None:
        try:
            holder = self.parentWidget()
            if holder is None:
                return
            self.invalidate()
            top = holder.layout()
            if top is not None:  # the whole layout of the holder asks its rows again
                top.invalidate()
            holder.updateGeometry()
        except RuntimeError:  # deleted meanwhile
            return

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """All items on one line, as tall as the lines need at the present width."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        m = self.contentsMargins()
        hint = QSize(width + m.left() + m.right(), height + m.top() + m.bottom())
        return hint.expandedTo(QSize(0, self.minimumSize().height()))

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt's name)
        """The widest item alone on its line; as tall as the lines need at the present
        width (a splitter or a box layout that ignores height-for-width must not squeeze
        the wrapped lines under the widgets below)."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        size += QSize(m.left() + m.right(), m.top() + m.bottom())
        width = getattr(self, "_width", 0)  # geometry() is emptied by an invalidation
        if width > 0:
            size.setHeight(max(size.height(), self.heightForWidth(width)))
        return size

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place (or only measure, ``move=False``) the items in ``rect``; the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._shown():
            hint = item.sizeHint()
            width = min(hint.width(), area.width())
            if x > area.x() and x + width > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            height = item.heightForWidth(width) if item.hasHeightForWidth() else hint.height()
            height = max(height, item.minimumSize().height())
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, height)))
            x += width + self._spacing
            line = max(line, height)
        return y + line - rect.y() + m.bottom()


def pair(*widgets: QWidget) -> QWidget:
    """``widgets`` side by side as one item, so a label never wraps away from its field."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    return holder

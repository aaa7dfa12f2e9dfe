"""What a table shows, read back from the screen: the rows a user sees, the text at each
place, and the direction of the sort arrow as drawn.

Reading goes by position, as a user does: the name column is read where it is shown (a
frozen overlay, if the table has one) and the values are read from the table at the same
height on screen, so a name drawn beside another row's values is caught.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QHeaderView, QTableView


def visible_rows(table: QTableView, names: QTableView | None = None) -> list[dict[int, str]]:
    """Each row visible in ``table``'s viewport, top to bottom, as ``{column: text}`` for
    the columns shown (column 0 read from ``names``, the frozen overlay, when given)."""
    names = names or table
    rows = []
    port = names.viewport()
    model = names.model()
    for r in range(model.rowCount()):
        rect = names.visualRect(model.index(r, 0))
        if rect.height() <= 0 or rect.top() < 0 or rect.bottom() >= port.height():
            continue  # only rows shown whole
        y = rect.center().y()
        here = port.mapTo(table, QPoint(rect.center().x(), y))
        # what the user sees at the name's place: the overlay must be on top there
        if names is not table:
            assert table.childAt(here) is port, f"name column hidden at y={here.y()}"
        row = {0: names.indexAt(QPoint(rect.center().x(), y)).data()}
        view = table.viewport()
        at = view.mapFromGlobal(port.mapToGlobal(QPoint(0, y))).y()
        left = (
            0
            if names is table
            else view.mapFromGlobal(port.mapToGlobal(QPoint(port.width(), 0))).x()
        )
        for c in range(1 if names is not table else 0, table.model().columnCount()):
            if table.isColumnHidden(c):
                continue
            cell = table.visualRect(table.model().index(0, c))
            x = cell.center().x()
            if cell.left() < left or cell.right() >= table.viewport().width():
                continue  # this column is scrolled away or under the overlay
            index = table.indexAt(QPoint(x, at))
            row[c] = index.data() if index.isValid() else None
        rows.append(row)
    return rows


def sort_arrow(header: QHeaderView) -> str:
    """'up' or 'down': the sort arrow as drawn in the sorted section ('' when none)."""
    section = header.sortIndicatorSection()
    if section < 0 or not header.isSortIndicatorShown():
        return ""
    image = header.grab().toImage()
    x0 = header.sectionViewportPosition(section)
    x1 = x0 + header.sectionSize(section)
    # Fusion draws the arrow at the right of the section; the text never reaches there
    counts = []
    for y in range(image.height()):
        line = [image.pixelColor(x, y).lightness() for x in range(max(x0, x1 - 18), x1 - 2)]
        if not line:
            continue
        ground = sorted(line)[len(line) // 2]
        counts.append(sum(1 for v in line if abs(v - ground) > 60))
    inked = [c for c in counts if c]
    if len(inked) < 2:
        return ""
    return "up" if inked[-1] > inked[0] else "down"


def ordered(values: list, ascending: bool) -> bool:
    """Whether ``values`` run small to large (``ascending``) or large to small; missing
    values (None) must come last either way."""
    present = [v for v in values if v is not None]
    if values[: len(present)] != present:
        return False
    pairs = zip(present, present[1:], strict=False)
    return all((a <= b) if ascending else (a >= b) for a, b in pairs)


ASCENDING = Qt.SortOrder.AscendingOrder
DESCENDING = Qt.SortOrder.DescendingOrder

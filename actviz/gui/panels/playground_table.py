"""A read-only table of result rows that sorts by the numbers, not by their text.

Columns are ``(key, header, format)``; the display role shows the formatted text, the
sort role the raw value (``actviz.gui.sorting``: numbers as numbers, text A-Z without
case, missing values last in either direction).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from ..row_height import rows_follow_font
from ..sorting import SortProxy

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    text: Callable[[dict[str, Any]], str]
    sort: Callable[[dict[str, Any]], Any] | None = None
    tip: str = ""
    #: a cell's own tooltip (e.g. the spread behind a number), or ``None``
    cell_tip: Callable[[dict[str, Any]], str | None] | None = None


def fmt(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def mean_pm(mean_key: str, std_key: str, digits: int = 4) -> Callable[[dict[str, Any]], str]:
    """``0.9667 ± 0.0123`` from two keys of a row."""

    def text(row: dict[str, Any]) -> str:
        mean, std = row.get(mean_key), row.get(std_key)
        if mean is None:
            return "–"
        if not std:
            return fmt(mean, digits)
        return f"{mean:.{digits}f} ± {std:.{digits}f}"

    return text


class RowsModel(QAbstractTableModel):
    """See the module docstring. ``colours`` maps a row to its text colour (or ``None``)."""

    def __init__(
        self,
        columns: Sequence[Column],
        colour: Callable[[dict[str, Any]], str | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[dict[str, Any]] = []
        self.colour = colour

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.ToolTipRole and col.tip:
            return col.tip
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == SORT_ROLE:
            value = col.sort(row) if col.sort is not None else row.get(col.key)
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                return None
            return value
        if role == Qt.ItemDataRole.ToolTipRole and col.cell_tip is not None:
            return col.cell_tip(row)
        if role == Qt.ItemDataRole.ForegroundRole and self.colour is not None:
            colour = self.colour(row)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text(self, row: int, key: str) -> str:
        """The shown text of a cell (for tests and CSV)."""
        for col in self.columns:
            if col.key == key:
                return col.text(self.rows[row])
        raise KeyError(key)

    def table(self) -> dict[str, list]:
        """Columns of raw values for CSV export (``export_table``)."""
        return {c.header: [c.text(r) for r in self.rows] for c in self.columns}


def sorted_view(model: QAbstractTableModel, parent: QWidget | None = None) -> QTableView:
    """A sortable table view of ``model`` (click a header to sort)."""
    proxy = SortProxy(SORT_ROLE, parent)
    proxy.setSourceModel(model)
    view = QTableView(parent)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    rows_follow_font(view)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view

"""How every table sorts: ascending means small to large and A to Z, numbers compare as
numbers (not as their text), and a missing value goes last whichever way the column is
sorted, so the rows that have a value are the ones read first."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

Index = QModelIndex | QPersistentModelIndex


def sort_key(value: Any) -> Any:
    """A value as it compares: ``None`` for missing (NaN too), text without case."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.casefold()
    return value


def less(a: Any, b: Any) -> bool:
    """``a < b`` for two present sort keys: numbers as numbers, otherwise as text."""
    try:
        return a < b
    except TypeError:
        return str(a) < str(b)


class SortProxy(QSortFilterProxyModel):
    """Sorts by ``role`` with the rules of the module docstring."""

    def __init__(self, role: int, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(role)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802 - Qt override
        a, b = sort_key(left.data(self.sortRole())), sort_key(right.data(self.sortRole()))
        if a is None or b is None:
            if (a is None) == (b is None):
                return False
            # Qt reverses lessThan for a descending sort: missing stays last both ways
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            return (a is not None) != descending
        return less(a, b)

"""The table model of measured properties: one row per activation, sortable by value."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...analysis.properties import Properties

SORT_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


def _num(v: float | None, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if abs(v) < 1e-12:
        return "0"  # rounding noise of an exact zero (e.g. E[f(z)] of an odd function)
    return f"{v + 0.0:.{digits}g}"


def _range(p: Properties) -> str:
    return f"[{_num(p.range_lo)}, {_num(p.range_hi)}]"


@dataclass(frozen=True)
class Column:
    title: str
    tip: str
    text: Callable[[Properties, float | None], str]
    value: Callable[[Properties, float | None], Any]


COLUMNS: tuple[Column, ...] = (
    Column("range", "min and max of f on a wide grid (|x| up to 1e4)", lambda p, c: _range(p),
           lambda p, c: p.range_hi - p.range_lo),
    Column("f(0)", "value at 0", lambda p, c: _num(p.f0), lambda p, c: p.f0),
    Column("f′(0)", "slope at 0", lambda p, c: _num(p.d0), lambda p, c: p.d0),
    Column("max |f′|", "largest slope magnitude (and where)",
           lambda p, c: _num(p.max_abs_d1) + (
               f" @ {_num(p.argmax_abs_d1, 3)}" if math.isfinite(p.argmax_abs_d1) else ""),
           lambda p, c: p.max_abs_d1),
    Column("monotonic", "f never turns back", lambda p, c: "yes" if p.monotonic else "no",
           lambda p, c: int(p.monotonic)),
    Column("continuity", "where f, f′ or f″ jumps (C2+: none found)",
           lambda p, c: p.continuity,
           lambda p, c: ("discontinuous", "C0", "C1", "C2+").index(p.continuity)),
    Column("E[f(z)]", "mean output for z ~ N(0, 1): zero-centredness", lambda p, c: _num(p.mean),
           lambda p, c: p.mean),
    Column("Var[f(z)]", "output variance for z ~ N(0, 1)", lambda p, c: _num(p.var),
           lambda p, c: p.var),
    Column("E[f′(z)²]", "gradient gain per layer for z ~ N(0, 1)",
           lambda p, c: _num(p.grad_gain), lambda p, c: p.grad_gain),
    Column("P(f′(z)=0)", "fraction of N(0, 1) inputs that pass no gradient",
           lambda p, c: _num(p.dead_fraction, 3), lambda p, c: p.dead_fraction),
    Column("cost × ReLU", "forward time per element relative to torch.relu (measured)",
           lambda p, c: "…" if c is None else f"{c:.1f}",
           lambda p, c: c),
    Column("declared vs measured", "declared metadata that the measurement contradicts",
           lambda p, c: "ok" if not p.flags else f"⚠ {len(p.flags)}: " + "; ".join(p.flags),
           lambda p, c: len(p.flags)),
)  # fmt: skip


class PropertiesModel(QAbstractTableModel):
    """Rows are activation names; cells come from :class:`Properties` as they arrive."""

    def __init__(self, error_colour: str = "#c62828") -> None:
        super().__init__()
        self.names: list[str] = []
        self.props: dict[str, Properties] = {}
        self.costs: dict[str, float] = {}
        self.errors: dict[str, str] = {}
        self.error_colour = error_colour

    def set_names(self, names: list[str]) -> None:
        self.beginResetModel()
        self.names = list(names)
        self.endResetModel()

    def clear_values(self) -> None:
        self.beginResetModel()
        self.props.clear()
        self.costs.clear()
        self.errors.clear()
        self.endResetModel()

    def set_properties(self, name: str, props: Properties | None, error: str | None = None) -> None:
        if props is not None:
            self.props[name] = props
            self.errors.pop(name, None)
        if error is not None:
            self.errors[name] = error
        self._row_changed(name)

    def set_cost(self, name: str, cost: float) -> None:
        self.costs[name] = cost
        self._row_changed(name)

    def _row_changed(self, name: str) -> None:
        if name in self.names:
            r = self.names.index(name)
            self.dataChanged.emit(self.index(r, 0), self.index(r, len(COLUMNS)))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS) + 1

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "activation" if section == 0 else COLUMNS[section - 1].title
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            return COLUMNS[section - 1].tip
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        name = self.names[index.row()]
        col = index.column()
        p = self.props.get(name)
        if col == 0:
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return name
            return None
        column = COLUMNS[col - 1]
        if p is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "error" if name in self.errors else "…"
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.errors.get(name)
            if role == SORT_ROLE:
                return None  # not measured yet: last whichever way the column sorts
            return None
        cost = self.costs.get(name)
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(p, cost)
        if role == SORT_ROLE:
            value = column.value(p, cost)
            return value if not (isinstance(value, float) and math.isnan(value)) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.title == "declared vs measured" and p.flags:
                return "\n".join(p.flags)
            if column.title == "continuity" and p.jumps:
                return ", ".join(f"{k} jumps at x = {v:.4g}" for k, v in p.jumps.items())
            return column.tip + (f"\nmeasured along: {p.view}" if p.view else "")
        if role == Qt.ItemDataRole.ForegroundRole and column.title == "declared vs measured":
            return QColor(self.error_colour) if p.flags else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in (1, 5, 6, len(COLUMNS)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def value(self, name: str, title: str) -> Any:
        """The sortable value of a column for an activation (tests, scripts)."""
        r = self.names.index(name)
        c = 1 + [col.title for col in COLUMNS].index(title)
        return self.data(self.index(r, c), SORT_ROLE)

    def text(self, name: str, title: str) -> str:
        r = self.names.index(name)
        c = 1 + [col.title for col in COLUMNS].index(title)
        return self.data(self.index(r, c), Qt.ItemDataRole.DisplayRole)

    def csv_columns(self) -> dict[str, list]:
        """The table as CSV columns: numbers at full precision where they exist."""
        rows = [self.props[n] for n in self.names if n in self.props]
        out: dict[str, list] = {}
        for p in rows:
            row = p.as_row()
            row["cost_vs_relu"] = self.costs.get(p.name)
            for key, value in row.items():
                out.setdefault(key, []).append(value)
        return out

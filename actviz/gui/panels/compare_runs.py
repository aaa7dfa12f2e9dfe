"""The stored runs as a table: filter by task, activation and date; rename and annotate
in place (the name and note cells are editable and written to the store at once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QGridLayout,
    QLineEdit,
    QWidget,
)

from .playground_table import SORT_ROLE

Index = QModelIndex | QPersistentModelIndex

#: (key, header); ``name`` and ``note`` are editable.
COLUMNS = (
    ("id", "#"),
    ("name", "name"),
    ("task", "task"),
    ("activations", "activations"),
    ("steps_done", "steps"),
    ("status", "status"),
    ("best_final_metric", "best final"),
    ("seeds", "seeds"),
    ("created", "created"),
    ("note", "note"),
)
EDITABLE = {"name", "note"}
#: Beside the run number (always shown): how the run ended, unless it finished.
STATUS_MARKS = {"stopped": "■ stopped", "interrupted": "⚠ interrupted", "failed": "⚠ failed",
                "running": "▶ running"}  # fmt: skip


class RunsModel(QAbstractTableModel):
    """Run summaries (``RunStore.list_runs`` dicts). ``edit(run_id, field, text)`` is
    called when the user edits a name or note; it returns ``False`` to refuse."""

    def __init__(self, edit: Callable[[int, str, str], bool], parent: Any = None) -> None:
        super().__init__(parent)
        self.runs: list[dict[str, Any]] = []
        self._edit = edit

    def set_runs(self, runs: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.runs = list(runs)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.runs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and COLUMNS[index.column()][0] in EDITABLE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        run = self.runs[index.row()]
        key = COLUMNS[index.column()][0]
        value = run.get(key)
        if role == Qt.ItemDataRole.DisplayRole and key == "id":
            return f"{value} {STATUS_MARKS.get(run.get('status'), '')}".rstrip()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return _text(key, value)
        if role == SORT_ROLE:
            if key in ("activations", "seeds"):
                return len(value or [])
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "id":
                return f"run #{value}: {run.get('status')} after {run.get('steps_done')} steps"
            if key == "activations":
                return ", ".join(value or [])
            if key in ("note", "name") and value:
                return value  # the whole name: the cell elides it in the middle
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        key = COLUMNS[index.column()][0]
        if key not in EDITABLE:
            return False
        run = self.runs[index.row()]
        text = str(value).strip() if key == "name" else str(value)
        if key == "name" and not text:
            return False
        if not self._edit(int(run["id"]), key, text):
            return False
        run[key] = text
        self.dataChanged.emit(index, index)
        return True

    def run_id(self, row: int) -> int:
        return int(self.runs[row]["id"])


def _text(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key == "created":
        return str(value)[:16].replace("T", " ")
    if key == "activations":
        names = list(value)
        return ", ".join(names[:4]) + (f" +{len(names) - 4}" if len(names) > 4 else "")
    if key == "seeds":
        return str(len(value))
    if key == "best_final_metric":
        return f"{value:.4f}"
    return str(value)


class RunFilters(QWidget):
    """Task, activation and 'created since' filters; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task = QComboBox()
        self.task.addItem("all tasks", "")
        self.activation = QLineEdit()
        self.activation.setPlaceholderText("activation")
        self.activation.setClearButtonEnabled(True)
        self.activation.setToolTip("only runs that raced this activation (exact name)")
        self.use_since = QCheckBox("since")
        self.since = QDateEdit(QDate.currentDate().addDays(-7))
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.setEnabled(False)
        # Two rows, so the runs side stays narrow on a 1024 px window.
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.task, 0, 0)
        layout.addWidget(self.activation, 0, 1)
        layout.addWidget(self.use_since, 1, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.since, 1, 1)
        self.task.setMinimumContentsLength(8)
        self.task.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.task.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.activation.textChanged.connect(lambda _t: self.changed.emit())
        self.use_since.toggled.connect(self.since.setEnabled)
        self.use_since.toggled.connect(lambda _on: self.changed.emit())
        self.since.dateChanged.connect(lambda _d: self.changed.emit())

    def set_tasks(self, tasks: list[str]) -> None:
        current = self.task.currentData()
        self.task.blockSignals(True)
        self.task.clear()
        self.task.addItem("all tasks", "")
        for name in tasks:
            self.task.addItem(name, name)
        self.task.setCurrentIndex(max(0, self.task.findData(current)))
        self.task.blockSignals(False)

    def set_activations(self, names: list[str]) -> None:
        completer = QCompleter(sorted(names), self.activation)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.activation.setCompleter(completer)

    def query(self) -> dict[str, Any]:
        """Keyword arguments for ``RunStore.list_runs``."""
        since = None
        if self.use_since.isChecked():
            since = self.since.date().toString("yyyy-MM-dd")
        return {
            "task": self.task.currentData() or None,
            "activation": self.activation.text().strip() or None,
            "since": since,
        }

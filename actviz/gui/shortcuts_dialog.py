"""The F1 list of keyboard shortcuts: a two-column table, so keys and actions line up."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(key, action) for every action of ``window`` that has a shortcut, sorted by key."""
    rows = set()
    for action in window.findChildren(QAction):
        if not action.shortcut().isEmpty():
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            rows.add((key, action.text().replace("&", "").rstrip("…")))
    return sorted(rows)


def show_shortcuts(window: QWidget) -> QDialog:
    """Open the shortcut table (non-modal, one per call)."""
    rows = shortcut_rows(window)
    dialog = QDialog(window)
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(rows), 2, dialog)
    table.setObjectName("shortcuts")
    table.setHorizontalHeaderLabels(["Key", "Action"])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    for r, (key, text) in enumerate(rows):
        table.setItem(r, 0, QTableWidgetItem(key))
        table.setItem(r, 1, QTableWidgetItem(text))
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(460, min(640, 60 + 24 * len(rows)))
    dialog.show()
    return dialog

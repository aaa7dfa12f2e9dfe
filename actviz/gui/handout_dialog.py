"""The widgets of a handout file: the dialog that saves one (title, notes, which controls
to lock) and the note that shows an opened handout's title and notes to the class."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..handouts.handout import Handout


class SaveHandoutDialog(QDialog):
    """Asks for the handout's title and notes and which form controls to lock."""

    def __init__(
        self,
        controls: dict[str, str],
        previous: Handout | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save handout file")
        self.title = QLineEdit(previous.title if previous else "")
        self.title.setPlaceholderText("e.g. Why ReLU units die")
        self.title.setToolTip("shown to the class when the handout is opened")
        self.notes = QPlainTextEdit(previous.notes if previous else "")
        self.notes.setPlaceholderText("what to try, what to look for")
        self.notes.setToolTip("shown under the title when the handout is opened")
        self.notes.setMinimumHeight(90)
        self.locks = QListWidget()
        self.locks.setObjectName("handout-locks")
        self.locks.setToolTip(
            "checked controls are disabled when the handout is opened "
            "(View > Unlock handout controls lifts the locks)"
        )
        locked = set(previous.locked) if previous else set()
        for name, label in controls.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = Qt.CheckState.Checked if name in locked else Qt.CheckState.Unchecked
            item.setCheckState(checked)
            self.locks.addItem(item)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Notes", self.notes)
        form.addRow("Lock", self.locks)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The Playground's setup and views are saved with these:"))
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(420, 520)

    def set_locked(self, names: list[str]) -> None:
        for i in range(self.locks.count()):
            item = self.locks.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def locked(self) -> list[str]:
        """The names of the checked controls, in the form's order."""
        return [
            self.locks.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.locks.count())
            if self.locks.item(i).checkState() == Qt.CheckState.Checked
        ]


class HandoutNote(QWidget):
    """The opened handout's title and notes, and which controls it locks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.locks = QLabel()
        self.locks.setWordWrap(True)
        self.locks.setStyleSheet("color: gray;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        layout.addWidget(self.locks)
        layout.addStretch(1)

    def show_handout(self, handout: Handout, file_name: str, locked_labels: list[str]) -> None:
        title = handout.title or file_name
        style = "font-size:13pt; font-weight:600"
        self.heading.setText(f"<span style='{style}'>{escape(title)}</span>")
        self.body.setText(handout.notes)
        self.body.setVisible(bool(handout.notes))
        self.set_locks(locked_labels)

    def set_locks(self, labels: list[str]) -> None:
        self.locks.setText(f"Locked: {', '.join(labels)}" if labels else "no controls locked")

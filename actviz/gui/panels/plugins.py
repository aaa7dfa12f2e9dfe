"""The Plugins panel: every plugin, where it came from, what it gave, and what went wrong.

A broken plugin shows its error and full traceback as selectable text. Buttons reload
the plugins, open the user's plugin folder, and write a new plugin from the template.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...host import PluginRecord
from ...paths import user_plugin_dir
from ..flow_layout import FlowLayout
from ..measurements import Measurements
from ..settings import read_json, write_json
from ..state import AppState
from .base import Panel

COLUMNS = ("plugin", "status", "source", "version", "activations", "location")
ACTIVATIONS_COLUMN = COLUMNS.index("activations")
STATUS_COLUMN = COLUMNS.index("status")


def plugin_report(record: PluginRecord) -> str:
    """Plain text about one plugin, errors and tracebacks included (for copying)."""
    lines = [
        f"Plugin:      {record.name}",
        f"Source:      {record.source}",
        f"Location:    {record.location}",
        f"Version:     {record.version or '-'}",
        f"Status:      {record.status}",
        f"Activations: {', '.join(record.activations) or '-'}",
    ]
    if record.tasks:
        lines.append(f"Tasks:       {', '.join(record.tasks)}")
    if record.lessons:
        lines.append(f"Lessons:     {', '.join(record.lessons)}")
    for warning in record.warnings:
        lines.append(f"Warning:     {warning}")
    for i, error in enumerate(record.errors, 1):
        lines += ["", f"Error {i}: {error.summary()}"]
        if error.traceback:
            lines += ["", error.traceback.rstrip()]
    return "\n".join(lines)


class PluginsPanel(Panel):
    """See the module docstring."""

    key = "plugins"
    title = "Plugins"
    #: Emitted to ask the window to reload plugins (it also owns the folder watcher).
    reloadRequested = Signal()

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, measurements, parent)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSortingEnabled(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Long lists of activations are cut (the tooltip has them all), keeping status in view.
        header.setSectionResizeMode(ACTIVATIONS_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(ACTIVATIONS_COLUMN, 380)
        header.setStretchLastSection(True)
        self.tree.currentItemChanged.connect(lambda item, _p: self._show(item))

        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.details.setFont(mono)

        self.reload_button = QPushButton("Reload plugins (Ctrl+Shift+R)")
        self.open_button = QPushButton("Open plugin folder")
        self.new_button = QPushButton("New plugin from template…")
        self.copy_button = QPushButton("Copy details")
        self.summary = QLabel()
        self.folders = QLabel()
        self.folders.setWordWrap(True)
        self.folders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = FlowLayout()  # wraps in a narrow window and in presentation mode
        for b in (self.reload_button, self.open_button, self.new_button, self.copy_button):
            bar.addWidget(b)
        self.reload_button.clicked.connect(self.reloadRequested.emit)
        self.open_button.clicked.connect(self.open_folder)
        self.new_button.clicked.connect(self._ask_new_plugin)
        self.copy_button.clicked.connect(self.copy_details)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.folders)
        layout.addWidget(splitter, 1)
        self._records: dict[str, PluginRecord] = {}
        state.catalogueChanged.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        """Refill the list from the catalogue, keeping the selected plugin selected."""
        keep = self.tree.currentItem().text(0) if self.tree.currentItem() else None
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        self._records.clear()
        warn = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        ok_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
        bad = QBrush(QColor(self.state.theme.error))
        first_bad = None
        for record in self.state.catalogue.plugins:
            given = record.activations + record.tasks + record.lessons
            item = QTreeWidgetItem(
                [
                    record.name,
                    record.status,
                    record.source,
                    record.version or "",
                    ", ".join(given) if given else "—",
                    record.location,
                ]
            )
            item.setToolTip(ACTIVATIONS_COLUMN, "\n".join(given))
            item.setToolTip(COLUMNS.index("location"), record.location)
            item.setIcon(
                STATUS_COLUMN, ok_icon if record.status == "ok" and not record.warnings else warn
            )
            if record.warnings:
                item.setText(STATUS_COLUMN, f"{record.status}, {len(record.warnings)} warning(s)")
                item.setToolTip(STATUS_COLUMN, "\n".join(record.warnings))
            if record.status != "ok":
                for c in range(len(COLUMNS)):
                    item.setForeground(c, bad)
                item.setToolTip(STATUS_COLUMN, "\n".join(e.summary() for e in record.errors))
                first_bad = first_bad or item
            self.tree.addTopLevelItem(item)
            self._records[record.name] = record
        self.tree.setSortingEnabled(True)
        self.tree.sortItems(0, Qt.SortOrder.AscendingOrder)
        cat = self.state.catalogue
        ok = sum(1 for e in cat.entries if e.ok)
        errors = len(cat.errors)
        self.summary.setText(
            f"{len(cat.plugins)} plugins · {ok} activations · {len(cat.tasks)} tasks · "
            f"<span style='color:{self.state.theme.error if errors else 'inherit'}'>"
            f"{errors} error{'s' if errors != 1 else ''}</span>"
        )
        folders = [str(f) for f in self.state.host.folders()]
        self.folders.setText(
            "Plugin folders (watched; changes reload automatically): "
            + (html.escape(" · ".join(folders)) if folders else "none")
        )
        target = None
        if keep is not None:
            found = self.tree.findItems(keep, Qt.MatchFlag.MatchExactly, 0)
            target = found[0] if found else None
        target = target or first_bad or self.tree.topLevelItem(0)
        if target is not None:
            self.tree.setCurrentItem(target)
        else:
            self.details.setPlainText("No plugins were found.")

    def _show(self, item: QTreeWidgetItem | None) -> None:
        record = self._records.get(item.text(0)) if item is not None else None
        self.details.setPlainText(plugin_report(record) if record else "")

    def select_plugin(self, name: str) -> None:
        found = self.tree.findItems(name, Qt.MatchFlag.MatchExactly, 0)
        if found:
            self.tree.setCurrentItem(found[0])

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.state.notify("plugin details copied to the clipboard")

    def open_folder(self) -> None:
        folder = user_plugin_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.state.notify(f"cannot create {folder}: {exc.strerror or exc}")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.state.notify(f"no file manager could open {folder}")

    def _ask_new_plugin(self) -> None:
        name, ok = QInputDialog.getText(
            self, "New plugin", "Activation name (lower-case letters, digits, _):", text="my_act"
        )
        if ok and name.strip():
            self.new_plugin(name.strip())

    def new_plugin(self, name: str) -> str | None:
        """Write the template into the user's plugin folder, reload, and show the result."""
        from ...formula import write_template

        folder = user_plugin_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = write_template(folder, name)
        except FileExistsError:
            self.state.notify(f"{folder / (name + '.py')} already exists: choose another name")
            return None
        except (OSError, ValueError) as exc:
            self.state.notify(f"could not write the plugin: {exc}")
            return None
        self.reloadRequested.emit()
        self.select_plugin(path.stem)
        if name in self.state.usable():
            self.state.toggle(name, True)
            self.state.set_current(name)
        self.state.notify(f"wrote {path}: edit it, and actviz reloads when you save")
        return str(path)

    def save_state(self, settings: QSettings) -> None:
        current = self.tree.currentItem()
        write_json(settings, "plugins/current", current.text(0) if current else None)

    def restore_state(self, settings: QSettings) -> None:
        name = read_json(settings, "plugins/current", None)
        if isinstance(name, str):
            self.select_plugin(name)

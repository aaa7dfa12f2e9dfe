"""The activation browser: search, families, a checkbox and colour per activation.

Checking an item selects it for plotting; clicking it makes it the inspector's
current activation. Broken activations are listed with a warning badge and their
error as tooltip, and cannot be checked.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .state import AppState

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
FAMILY_ROLE = Qt.ItemDataRole.UserRole + 2  # a family header's name (its text adds a count)


@lru_cache(maxsize=256)
def swatch(colour: str | None, size: int = 14) -> QIcon:
    """A filled square of ``colour`` (transparent when ``None``, keeping names aligned)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if colour is not None:  # an unselected item keeps an empty (transparent) slot
        painter.setBrush(QColor(colour))
        painter.setPen(QColor(colour).darker(140))
        painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return QIcon(pix)


class ActivationList(QWidget):
    """The left dock: a search box over a tree of families and activations."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search activations (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(QSize(14, 14))
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)
        clear = QPushButton("Clear")
        clear.setToolTip("Deselect every activation")
        defaults = QPushButton("Defaults")
        defaults.setToolTip("Select a small default set")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(clear)
        buttons.addWidget(defaults)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._updating = False

        self.search.textChanged.connect(self._filter)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(self._current_changed)
        clear.clicked.connect(lambda: state.set_selected([]))
        defaults.clicked.connect(self._select_defaults)
        state.catalogueChanged.connect(self.rebuild)
        state.selectionChanged.connect(self.sync)
        state.currentChanged.connect(self._show_current)
        self.rebuild()

    def _select_defaults(self) -> None:
        from .state import DEFAULT_SELECTION

        self.state.set_selected(list(DEFAULT_SELECTION))

    def rebuild(self) -> None:
        """Refill the tree from the catalogue, grouped by family."""
        self._updating = True
        self.tree.clear()
        self._items.clear()
        families: dict[str, list] = {}
        for entry in self.state.catalogue.entries:
            if entry.name in self._items:
                continue  # a duplicate name: the first (usable) one is listed
            families.setdefault(entry.activation.family or "other", []).append(entry)
        warn = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for family in sorted(families):
            entries = sorted(families[family], key=lambda e: e.name)
            group = QTreeWidgetItem([f"{family} ({len(entries)})"])
            group.setData(0, FAMILY_ROLE, family)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            for entry in entries:
                usable = self.state.catalogue.entry(entry.name)
                item = QTreeWidgetItem([entry.name])
                item.setData(0, NAME_ROLE, entry.name)
                if usable.ok:
                    item.setFlags(
                        Qt.ItemFlag.ItemIsEnabled
                        | Qt.ItemFlag.ItemIsSelectable
                        | Qt.ItemFlag.ItemIsUserCheckable
                    )
                    item.setCheckState(0, Qt.CheckState.Unchecked)
                    act = usable.activation
                    tip = act.description or act.name
                    item.setToolTip(0, f"{act.name} ({act.kind}) from {usable.plugin}\n\n{tip}")
                else:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    item.setIcon(0, warn)
                    item.setText(0, f"{entry.name}  (error)")
                    item.setForeground(0, QBrush(QColor(self.state.theme.error)))
                    item.setToolTip(0, f"{usable.error.summary()}\nfrom {usable.error.source}")
                group.addChild(item)
                self._items[entry.name] = item
            group.setExpanded(True)
        self._updating = False
        self.sync()
        self._filter(self.search.text())

    def sync(self) -> None:
        """Show the state's selection: checkboxes and colour swatches."""
        self._updating = True
        selected = set(self.state.selected)
        for name, item in self._items.items():
            if not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                continue
            on = name in selected
            item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.setIcon(0, swatch(self.state.colour(name) if on else None))
        self._updating = False

    def item(self, name: str) -> QTreeWidgetItem:
        return self._items[name]

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._updating:
            return
        name = item.data(0, NAME_ROLE)
        if name:
            self.state.toggle(name, item.checkState(0) == Qt.CheckState.Checked)

    def _current_changed(self, item: QTreeWidgetItem | None, _previous) -> None:
        name = item.data(0, NAME_ROLE) if item is not None else None
        if name:
            self.state.set_current(name)

    def _show_current(self, name: str) -> None:
        item = self._items.get(name)
        if item is not None and self.tree.currentItem() is not item:
            self.tree.setCurrentItem(item)

    def _filter(self, text: str) -> None:
        """Hide what does not match; a family name, description or kind matches too.
        A family's header counts what it shows ("relu (2 of 4)" while a search hides some)."""
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            family_name = group.data(0, FAMILY_ROLE) or ""
            family = family_name.lower()
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                name = item.data(0, NAME_ROLE)
                act = self.state.activation(name)
                haystack = " ".join(
                    [name, family, act.description if act else "", act.kind if act else ""]
                ).lower()
                hit = not needle or needle in haystack
                item.setHidden(not hit)
                shown += hit
            total = group.childCount()
            count = f"{shown}" if shown == total else f"{shown} of {total}"
            group.setText(0, f"{family_name} ({count})")
            group.setHidden(shown == 0)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

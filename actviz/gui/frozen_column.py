"""A table's first column kept in place while the rest scrolls sideways (the Properties
names), after Qt's "frozen column" example: a second view of the same model, showing
only column 0, laid over the table and scrolled with it vertically."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


class FrozenColumn(QObject):
    """Freezes column 0 of ``table``; keep a reference as long as the table lives."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.view = view = QTableView(table)
        view.setObjectName("frozen-column")
        view.setModel(table.model())
        view.setSelectionModel(table.selectionModel())
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.verticalHeader().hide()
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollMode(table.verticalScrollMode())
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setSelectionBehavior(table.selectionBehavior())
        view.setAlternatingRowColors(table.alternatingRowColors())
        view.setEditTriggers(table.editTriggers())
        view.setSortingEnabled(table.isSortingEnabled())
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.setStyleSheet("QTableView { border: none; }")
        table.viewport().stackUnder(view)
        view.verticalScrollBar().valueChanged.connect(table.verticalScrollBar().setValue)
        table.verticalScrollBar().valueChanged.connect(view.verticalScrollBar().setValue)
        table.horizontalHeader().sectionResized.connect(self._resized)
        table.verticalHeader().sectionResized.connect(
            lambda row, _old, size: view.setRowHeight(row, size)
        )
        table.model().modelReset.connect(self._columns)
        table.model().layoutChanged.connect(self._columns)
        table.installEventFilter(self)
        table.viewport().installEventFilter(self)  # a scrollbar appearing resizes only it
        self._columns()
        view.show()

    def _columns(self) -> None:
        for c in range(1, self.table.model().columnCount()):
            self.view.setColumnHidden(c, True)
        self.view.setColumnWidth(0, self.table.columnWidth(0))
        self._place()

    def _resized(self, column: int, _old: int, size: int) -> None:
        if column == 0:
            self.view.setColumnWidth(0, size)
            self._place()

    def _place(self) -> None:
        table = self.table
        self.view.setGeometry(
            table.verticalHeader().width() + table.frameWidth(),
            table.frameWidth(),
            table.columnWidth(0),
            table.viewport().height() + table.horizontalHeader().height(),
        )

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj in (self.table, self.table.viewport()) and event.type() == QEvent.Type.Resize:
            self._place()
        return False

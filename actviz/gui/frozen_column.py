"""A table's first column kept in place while the rest scrolls sideways (the Properties
names), after Qt's "frozen column" example: a second view of the same model, showing
only column 0, laid over the table.

The overlay must never show a name beside another row's values, so everything that
places a row is the table's, copied onto the overlay: the row heights (default, minimum
and each resized row), the header height, the vertical scroll position and the sort (a
click on the overlay's header sorts the table; the overlay never sorts on its own)."""

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
        view.setWordWrap(table.wordWrap())
        head = view.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        head.setSectionsClickable(table.isSortingEnabled())
        head.setSortIndicatorShown(table.isSortingEnabled())
        head.sectionClicked.connect(self._header_clicked)
        view.setTextElideMode(table.textElideMode())
        # a right-click on a name is the table's: its menu, at that row
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(
            lambda pos: table.customContextMenuRequested.emit(
                table.viewport().mapFromGlobal(view.viewport().mapToGlobal(pos))
            )
        )
        view.setStyleSheet("QTableView { border: none; }")
        table.viewport().stackUnder(view)
        view.verticalScrollBar().valueChanged.connect(table.verticalScrollBar().setValue)
        table.verticalScrollBar().valueChanged.connect(view.verticalScrollBar().setValue)
        table.verticalScrollBar().rangeChanged.connect(lambda *_: self.sync_rows())
        table.horizontalHeader().sectionResized.connect(self._resized)
        table.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator)
        table.verticalHeader().sectionResized.connect(lambda *_: self.sync_rows())
        model = table.model()
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
            signal.connect(self._columns)
        table.installEventFilter(self)
        table.viewport().installEventFilter(self)  # a scrollbar appearing resizes only it
        self._sort_indicator(
            table.horizontalHeader().sortIndicatorSection(),
            table.horizontalHeader().sortIndicatorOrder(),
        )
        self._columns()
        view.show()

    def _columns(self, *_args) -> None:
        for c in range(1, self.table.model().columnCount()):
            self.view.setColumnHidden(c, True)
        self.view.setColumnWidth(0, self.table.columnWidth(0))
        self.sync_rows()

    def sync_rows(self) -> None:
        """Give every row of the overlay the height it has in the table, and the same
        scroll position, then place the overlay over the table's column 0."""
        ours, theirs = self.view.verticalHeader(), self.table.verticalHeader()
        if ours.minimumSectionSize() != theirs.minimumSectionSize():
            ours.setMinimumSectionSize(theirs.minimumSectionSize())
        if ours.defaultSectionSize() != theirs.defaultSectionSize():
            ours.setDefaultSectionSize(theirs.defaultSectionSize())
        for row in range(self.table.model().rowCount()):
            height = self.table.rowHeight(row)
            if self.view.rowHeight(row) != height:
                self.view.setRowHeight(row, height)
        self._place()
        self.view.verticalScrollBar().setValue(self.table.verticalScrollBar().value())

    def _resized(self, column: int, _old: int, size: int) -> None:
        if column == 0:
            self.view.setColumnWidth(0, size)
            self._place()

    def _header_clicked(self, section: int) -> None:
        """The overlay's header stands where the table's column 0 header is: sort the table
        as a click there would (a second click reverses the order)."""
        header = self.table.horizontalHeader()
        if not self.table.isSortingEnabled() or section != 0:
            return
        ascending = Qt.SortOrder.AscendingOrder
        same = header.sortIndicatorSection() == 0 and header.sortIndicatorOrder() == ascending
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder if same else ascending)

    def _sort_indicator(self, section: int, order: Qt.SortOrder) -> None:
        head = self.view.horizontalHeader()
        head.setSortIndicatorShown(section == 0 and self.table.isSortingEnabled())
        head.setSortIndicator(section if section == 0 else -1, order)

    def _place(self) -> None:
        table = self.table
        header = table.horizontalHeader().height()
        if self.view.horizontalHeader().height() != header:
            self.view.horizontalHeader().setFixedHeight(header)
        self.view.setGeometry(
            (0 if table.verticalHeader().isHidden() else table.verticalHeader().width())
            + table.frameWidth(),
            table.frameWidth(),
            table.columnWidth(0),
            table.viewport().height() + header,
        )

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj in (self.table, self.table.viewport()) and event.type() == QEvent.Type.Resize:
            self.sync_rows()
        return False

"""How the Playground shares its room in a small window: the results table gets the
height its rows need (up to a share of the panel), and the curves stack above the
decision boundaries when the views are too narrow to stand side by side.

Both follow the window until the user drags the splitter; from then on the user's
sizes stand.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QSplitter, QTableView, QWidget

from ..pens import emphasis

#: The most of the views-and-results column the results table takes on its own.
RESULTS_SHARE = 0.42
#: The same in presentation mode (F5).
RESULTS_SHARE_PRESENTING = 0.25
#: Rows the results table shows at least (before a race it has none).
MIN_ROWS = 3
#: Below this width (px) the curves and the boundaries stack instead of side by side.
STACK_BELOW = 760


class ResultsRoom(QObject):
    """Keeps ``box`` (the results title row and ``table``), the last widget of the
    vertical ``splitter``, as tall as its rows need, at most ``RESULTS_SHARE``."""

    def __init__(self, splitter: QSplitter, box: QWidget, table: QTableView) -> None:
        super().__init__(splitter)
        self.splitter, self.box, self.table = splitter, box, table
        self.dragged = False
        splitter.splitterMoved.connect(self._dragged)
        splitter.installEventFilter(self)
        table.installEventFilter(self)  # presentation mode changes its font: refit
        model = table.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.schedule)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)

    def _dragged(self, *_args: object) -> None:
        self.dragged = True

    def schedule(self, *_args: object) -> None:
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.splitter and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.schedule()
        elif watched is self.table and event.type() == QEvent.Type.FontChange:
            self.schedule()
        return False

    def wanted(self) -> int:
        """Height of the title row, the header and every row (``MIN_ROWS`` at least)."""
        table = self.table
        rows = max(MIN_ROWS, table.model().rowCount())
        row_height = table.verticalHeader().defaultSectionSize()
        above = self.box.height() - table.height() if self.box.height() > 0 else 0
        above = max(above, self.box.layout().itemAt(0).sizeHint().height())
        bar = table.horizontalScrollBar().sizeHint().height()
        return (
            above
            + table.horizontalHeader().sizeHint().height()
            + rows * row_height
            + 2 * table.frameWidth()
            + bar
            + 2
        )

    def fit(self) -> None:
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if self.dragged or total <= 0 or len(sizes) != 2:
            return
        # presenting, the plots are what the room looks at: the table gets less
        share = RESULTS_SHARE_PRESENTING if emphasis().font_pt else RESULTS_SHARE
        want = min(self.wanted(), int(total * share))
        want = max(want, self.box.minimumSizeHint().height())
        if abs(sizes[1] - want) > 2:
            self.splitter.setSizes([total - want, want])


class StackingSplitter(QSplitter):
    """A splitter that asks only for its widest pane's width: side by side it is
    wide (``StackWhenNarrow`` stacks the panes below ``STACK_BELOW``), so a narrow
    window never needs the sum of both panes' widths."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        if self.orientation() != Qt.Orientation.Horizontal:
            return hint
        shown = [self.widget(i) for i in range(self.count()) if not self.widget(i).isHidden()]
        widest = max((max(w.minimumSizeHint().width(), w.minimumWidth()) for w in shown), default=0)
        return QSize(min(hint.width(), widest), hint.height())


class StackWhenNarrow(QObject):
    """Turns the horizontal ``splitter`` vertical while it is narrower than
    ``STACK_BELOW`` and back when it is wider; ``inner`` (the loss-over-accuracy
    splitter) turns the other way, so the two curves share the width when stacked."""

    def __init__(self, splitter: QSplitter, inner: QSplitter | None = None) -> None:
        super().__init__(splitter)
        self.splitter, self.inner = splitter, inner
        splitter.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            narrow = self.splitter.width() < STACK_BELOW
            want = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
            if self.splitter.orientation() != want:
                QTimer.singleShot(0, lambda w=want: self._turn(w))
        return False

    def _turn(self, orientation: Qt.Orientation) -> None:
        splitter = self.splitter
        splitter.setOrientation(orientation)
        length = splitter.height() if orientation == Qt.Orientation.Vertical else splitter.width()
        # the curves; the boundaries get the rest (stacked, they need the height more)
        first = length * 4 // 9 if orientation == Qt.Orientation.Horizontal else length // 3
        splitter.setSizes([first, length - first])
        if self.inner is not None:
            across = (
                Qt.Orientation.Horizontal
                if orientation == Qt.Orientation.Vertical
                else Qt.Orientation.Vertical
            )
            self.inner.setOrientation(across)
            half = (
                self.inner.width() if across == Qt.Orientation.Horizontal else self.inner.height()
            ) // 2
            self.inner.setSizes([half, half])

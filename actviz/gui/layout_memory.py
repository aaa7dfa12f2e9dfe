"""Splitter positions remembered between launches, for every panel, without each panel
having to list its splitters (they are found in order, so a panel that gains or loses a
splitter simply starts that one afresh)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QSplitter, QWidget


def _key(owner: str, index: int, splitter: QSplitter) -> str:
    return f"splitters/{owner}/{index}-{splitter.count()}"


def save_splitters(settings: QSettings, owner: str, widget: QWidget) -> None:
    """Store the sizes of every splitter inside ``widget`` under ``owner``."""
    for i, splitter in enumerate(widget.findChildren(QSplitter)):
        settings.setValue(_key(owner, i, splitter), splitter.saveState())


def restore_splitters(settings: QSettings, owner: str, widget: QWidget) -> None:
    """Put back what :func:`save_splitters` stored (a missing or stale entry is skipped)."""
    for i, splitter in enumerate(widget.findChildren(QSplitter)):
        state = settings.value(_key(owner, i, splitter))
        if isinstance(state, QByteArray) and not state.isEmpty():
            splitter.restoreState(state)


class RestoreOnFirstShow(QObject):
    """Restores a panel's splitters once it is first shown and laid out: sizes set on a
    hidden tab are redistributed when it gets its real size, and so would be lost."""

    def __init__(self, settings: QSettings, owner: str, widget: QWidget) -> None:
        super().__init__(widget)
        self.settings, self.owner, self.widget = settings, owner, widget
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.widget and event.type() == QEvent.Type.Show:
            self.widget.removeEventFilter(self)
            QTimer.singleShot(0, lambda: restore_splitters(self.settings, self.owner, obj))
        return False

"""What a dialog needs from the window that opens it, so dialogs never import the main window."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

from .state import AppState


class OwnerWindow(Protocol):
    """The main window as dialogs and menu entries see it (``MainWindow`` satisfies it)."""

    state: AppState

    def reload_plugins(self) -> None: ...

    def show_message(self, text: str) -> None: ...

    def findChild(self, kind: type, name: str = ...) -> QWidget | None: ...  # noqa: N802

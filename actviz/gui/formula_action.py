"""The "New activation from formula…" menu entry, without loading the dialog at start-up.

The dialog pulls in sympy (about 0.4 s); it is imported the first time it is opened.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from .owner_window import OwnerWindow

OPEN_ENV = "ACTVIZ_OPEN"


def open_formula_dialog(window: OwnerWindow) -> None:
    from .formula_dialog import open_dialog

    open_dialog(window)


def install(window: OwnerWindow, menu: QMenu) -> QAction:
    """Add "New activation from formula…" (Ctrl+Shift+N) to ``menu``.

    With ``ACTVIZ_OPEN=formula`` the dialog also opens once the window is up.
    """
    action = QAction("New activation from &formula…", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+N"))
    action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    action.setStatusTip("type a formula in x; see f and f' live; save it as a plugin")
    action.triggered.connect(lambda _checked=False: open_formula_dialog(window))
    menu.addAction(action)
    if os.environ.get(OPEN_ENV, "").strip().lower() == "formula":
        QTimer.singleShot(0, lambda: open_formula_dialog(window))
    return action

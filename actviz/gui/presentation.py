"""Presentation mode (F5; Esc leaves): for a projector in a lecture hall.

The window goes full screen, the docks and the Playground's form are hidden so its
views fill the screen, and plots are drawn with large fonts and thick lines
(``pens.PRESENTATION``), and every other text (tables, controls, tabs, menus) takes
the same large font. Leaving restores exactly what was there: window state and
geometry, dock layout, the form, line widths and fonts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QProgressBar,
    QStatusBar,
    QTabBar,
    QWidget,
)

from .pens import NORMAL, PRESENTATION, emphasis, set_emphasis

#: The widgets whose text presentation mode enlarges.
TEXT_WIDGETS = (
    QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QGroupBox, QHeaderView,
    QLabel, QLineEdit, QMenu, QMenuBar, QProgressBar, QStatusBar, QTabBar,
)  # fmt: skip


@dataclass
class _Before:
    """What presentation mode changes, as it was."""

    window_state: Qt.WindowState
    geometry: QByteArray
    docks: QByteArray
    form_visible: bool
    curves_width: float | None


class Presentation(QObject):
    """Enters and leaves presentation mode on ``window`` (a ``MainWindow``)."""

    toggled = Signal(bool)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self._before: _Before | None = None

    @property
    def active(self) -> bool:
        return self._before is not None

    def set_active(self, on: bool) -> None:
        if on and not self.active:
            self.enter()
        elif not on and self.active:
            self.leave()

    def toggle(self) -> None:
        self.set_active(not self.active)

    def _form_pane(self) -> QWidget | None:
        """The Playground's left column: its form and Train buttons."""
        panel = self.window.panel("playground")
        splitter = getattr(panel, "splitter", None)
        return splitter.widget(0) if splitter is not None else None

    def _enlarge_texts(self, point_size: float) -> None:
        """Every text widget of the window (tables, buttons, tabs, labels, fields,
        menus, the status bar) in a ``point_size`` font; their fonts are kept to restore.

        Widget by widget, so that plots keep the fonts their emphasis gives them and
        leaving restores each widget's own font exactly."""
        w = self.window
        self._fonts = []
        for widget in [w.menuBar(), w.statusBar(), *w.findChildren(QWidget)]:
            if isinstance(widget, TEXT_WIDGETS) and not isinstance(widget, pg.GraphicsView):
                self._fonts.append((widget, QFont(widget.font())))
                large = QFont(widget.font())
                large.setPointSizeF(max(large.pointSizeF(), point_size))
                widget.setFont(large)

    def _restore_texts(self) -> None:
        for widget, font in getattr(self, "_fonts", []):
            try:
                widget.setFont(font)
            except RuntimeError:  # deleted while presenting
                pass
        self._fonts = []

    def enter(self) -> None:
        w = self.window
        form = self._form_pane()
        curves = w.curves
        self._before = _Before(
            window_state=w.windowState(),
            geometry=w.saveGeometry(),
            docks=w.saveState(),
            form_visible=form.isVisibleTo(form.parentWidget()) if form is not None else False,
            curves_width=curves.line_width if curves is not None else None,
        )
        for dock in w.findChildren(QDockWidget):
            dock.hide()
        if form is not None:
            form.hide()
        set_emphasis(PRESENTATION)
        # every text, not only the plots': tables, controls, tabs, menus, the status bar
        self._enlarge_texts(float(emphasis().font_pt or 16))
        if curves is not None:
            curves.set_line_width(self._before.curves_width * emphasis().line_scale, True)
        w.state.themeChanged.emit()  # every plot restyles: fonts and pens
        screen = w.screen()
        if screen is not None:  # where no window manager honours full screen
            w.setGeometry(screen.geometry())
        w.showFullScreen()
        w.show_message("presentation mode: Ctrl+Return trains; F5 or Esc leaves")
        self.toggled.emit(True)

    def leave(self) -> None:
        before, self._before = self._before, None
        if before is None:
            return
        w = self.window
        set_emphasis(NORMAL)
        self._restore_texts()
        curves = w.curves
        if curves is not None and before.curves_width is not None:
            curves.set_line_width(before.curves_width, before.curves_width > 1.0)
        form = self._form_pane()
        if form is not None:
            form.setVisible(before.form_visible)
        w.setWindowState(before.window_state)
        if not before.window_state & (
            Qt.WindowState.WindowFullScreen | Qt.WindowState.WindowMaximized
        ):
            w.restoreGeometry(before.geometry)
        w.restoreState(before.docks)
        w.state.themeChanged.emit()
        self.toggled.emit(False)

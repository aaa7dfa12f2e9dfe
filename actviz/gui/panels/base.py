"""What every panel (a tab of the main window) provides.

A panel gets the shared :class:`~actviz.gui.state.AppState` and the
:class:`~actviz.gui.measurements.Measurements` store, lists its plots for export, and
saves/restores its own settings. Adding a panel is one entry in ``panels.PANELS``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSettings, Signal
from PySide6.QtWidgets import QWidget

from ..measurements import Measurements
from ..plots import PlotExport, install_export_action
from ..state import AppState


class Panel(QWidget):
    """Base class of the tabs; subclasses set ``key`` and ``title``."""

    key = "panel"
    title = "Panel"
    #: Emitted with a plot when its context menu asks for export.
    exportRequested = Signal(object)
    #: Emitted with a key of :meth:`tables` when the panel asks to save that table.
    tableExportRequested = Signal(str)

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.measurements = measurements
        self._hovered: PlotExport | None = None
        self._exports: list[PlotExport] = []

    def register_plot(self, plot: PlotExport) -> PlotExport:
        """Make a plot exportable (context menu and Ctrl+E while the mouse is over it)."""
        self._exports.append(plot)
        install_export_action(plot.widget, lambda p=plot: self.exportRequested.emit(p))
        plot.widget.installEventFilter(self)
        return plot

    def plots(self) -> list[PlotExport]:
        """The plots this panel shows now (hidden ones are left out)."""
        return [p for p in self._exports if p.widget.isVisibleTo(self)]

    def tables(self) -> dict[str, Callable[[], dict[str, np.ndarray | list]]]:
        """Extra CSV files for "Export all panels": file stem -> columns."""
        return {}

    def current_plot(self) -> PlotExport | None:
        """The plot under the mouse most recently, else the first visible one."""
        shown = self.plots()
        if self._hovered in shown:
            return self._hovered
        return shown[0] if shown else None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Enter:
            for plot in self._exports:
                if plot.widget is obj:
                    self._hovered = plot
        return super().eventFilter(obj, event)

    def primary_action(self) -> None:
        """Start this panel's main work (Ctrl+Return: train, run); panels without one ignore it."""

    def stop_action(self) -> None:
        """Stop the work :meth:`primary_action` started (Ctrl+.)."""

    def pause_action(self) -> None:
        """Pause or resume that work (Ctrl+P), where the panel can pause."""

    def same_start_action(self) -> None:
        """Re-run a stored race from its initial weights (Ctrl+Shift+A), where it applies."""

    def step_action(self) -> None:
        """Train one step and pause (F10), where the panel can step."""

    def step_n_action(self) -> None:
        """Train the panel's chosen number of steps and pause (Shift+F10)."""

    def shutdown(self) -> None:
        """Stop this panel's background work; called when the window closes."""

    def save_state(self, settings: QSettings) -> None:
        """Write this panel's options (under its ``key``)."""

    def restore_state(self, settings: QSettings) -> None:
        """Read this panel's options back."""

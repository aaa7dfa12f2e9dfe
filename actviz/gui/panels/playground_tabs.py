"""The Playground's views, one tab each: curves and decision boundaries, gradient
diagnostics, learned shapes and the inside of the network, with the plots each exports.
A change to one view is made in its own module; this one only assembles them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget

from ..plots import PlotExport
from ..theme import Theme
from .inside_view import InsideView
from .learned_view import LearnedShapesView
from .playground_fit import StackingSplitter, StackWhenNarrow
from .playground_views import BoundaryView, CurvesView, DiagnosticsView


class PlaygroundTabs(QTabWidget):
    """See the module docstring. ``activation`` finds a loaded activation by name (the
    learned shapes draw it); ``notify`` and ``colour`` are the app's."""

    def __init__(
        self,
        theme: Theme,
        activation: Callable[[str | None], Any],
        notify: Callable[[str], None],
        colour: Callable[[str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.curves = CurvesView(theme)
        self.boundaries = BoundaryView(theme)
        self.diagnostics = DiagnosticsView(theme)
        overview = StackingSplitter(Qt.Orientation.Horizontal)
        overview.addWidget(self.curves)
        overview.addWidget(self.boundaries)
        overview.setStretchFactor(0, 4)
        overview.setStretchFactor(1, 5)
        overview.setSizes([400, 500])
        self.overview = overview
        self.overview_stacker = StackWhenNarrow(overview, self.curves.split)
        self.addTab(overview, "Curves and boundaries")
        self.addTab(self.diagnostics, "Gradients, dead units, parameters")
        self.learned = LearnedShapesView(theme, activation, notify, colour)
        self.addTab(self.learned, "Learned shapes")
        self.inside = InsideView(theme)
        self.addTab(self.inside, "Inside the network")
        # every tab stays in view: a narrow window shortens the titles ("Learned sh…",
        # the whole title as tooltip) instead of hiding tabs behind scroll arrows
        self.setUsesScrollButtons(False)
        self.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
        for i in range(self.count()):
            self.setTabToolTip(i, self.tabText(i))

    def exports(self) -> list[PlotExport]:
        """Every plot these views offer for export."""
        return [
            *self.curves.exports(),
            PlotExport(
                "playground-boundaries",
                "Playground: decision boundaries / fitted curves",
                self.boundaries,
                self.boundaries.columns,
            ),
            *self.diagnostics.exports(),
            PlotExport(
                "playground-inside",
                "Playground: inside the network",
                self.inside.canvas,
                self.inside.columns,
                self.inside.figure,
            ),
        ]

    def step_plots(self) -> list:
        """The plots with a step axis, which carry the timeline's cursor."""
        plots = [self.curves.loss.getPlotItem(), self.curves.metric_plot.getPlotItem()]
        plots += self.diagnostics.grad_plots
        plots += [self.diagnostics.dead.getPlotItem(), self.diagnostics.params.getPlotItem()]
        return plots

    def apply_theme(self, theme: Theme) -> None:
        self.curves.apply_theme(theme)
        self.boundaries.apply_theme(theme)
        self.diagnostics.apply_theme(theme)
        self.learned.set_theme(theme)
        self.inside.apply_theme(theme)

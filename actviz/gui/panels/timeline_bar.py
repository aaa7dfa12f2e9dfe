"""The Playground's timeline scrubber, and the step cursor it puts on step-axis plots.

The bar is a slider over the steps a race has recorded a snapshot at, a "step k of n"
label and a Live button. Live (the default) follows the newest step; dragging the
slider shows that step in every view, and dragging it to the end goes live again.
Dragging emits at most every :data:`THROTTLE_MS`, always ending on the last position,
so redrawing every view from a snapshot keeps up with the hand.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget
from superqt.utils import qthrottled

from ..pens import mkpen

THROTTLE_MS = 60


class TimelineBar(QWidget):
    """See the module docstring. ``stepChosen`` carries the shown step, ``None`` = live."""

    stepChosen = Signal(object)  # noqa: N815 - Qt signal naming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._steps: list[int] = []
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timeline")
        self.slider.setRange(0, 0)
        self.slider.setToolTip(
            "the race's recorded steps: drag to show any of them in every view "
            "(arrow keys step through them, End goes to the newest)"
        )
        self.label = QLabel("no steps recorded")
        self.label.setMinimumWidth(110)
        self.live = QPushButton("Live")
        self.live.setCheckable(True)
        self.live.setChecked(True)
        self.live.setToolTip(
            "follow the newest step as the race goes on (a scrubbed timeline says 'Go live')"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Timeline"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.live)
        self._emit_throttled = qthrottled(self._emit_chosen, timeout=THROTTLE_MS)
        self.slider.valueChanged.connect(self._moved)
        self.live.toggled.connect(self._live_toggled)
        self._update_label()

    # -- reading ----------------------------------------------------------------------

    def steps(self) -> list[int]:
        return list(self._steps)

    def is_live(self) -> bool:
        return self.live.isChecked()

    def shown_step(self) -> int | None:
        """The step chosen on the slider, or ``None`` while following the newest."""
        if self.is_live() or not self._steps:
            return None
        return self._steps[min(self.slider.value(), len(self._steps) - 1)]

    # -- filling ----------------------------------------------------------------------

    def set_steps(self, steps: Iterable[int]) -> None:
        """The recorded steps (a growing race, or a thinned timeline); the shown step
        stays where it was (the nearest recorded one at or before it) unless live."""
        steps = list(steps)
        if steps == self._steps:
            return
        shown = self.shown_step()
        self._steps = steps
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(steps) - 1))
        if shown is None:
            self.slider.setValue(len(steps) - 1)
        else:
            self.slider.setValue(_index_at(steps, shown))
        self.slider.blockSignals(False)
        self._update_label()

    def show_step(self, step: int | None) -> None:
        """Move to the recorded step at or before ``step`` (``None``: go live) and tell."""
        if step is None or not self._steps:
            self.live.setChecked(True)
            return
        self.live.blockSignals(True)
        self.live.setChecked(False)
        self.live.blockSignals(False)
        self.slider.blockSignals(True)
        self.slider.setValue(_index_at(self._steps, step))
        self.slider.blockSignals(False)
        self._update_label()
        self._emit_chosen()

    def clear(self) -> None:
        self._steps = []
        self.slider.blockSignals(True)
        self.slider.setRange(0, 0)
        self.slider.blockSignals(False)
        self.live.blockSignals(True)
        self.live.setChecked(True)
        self.live.blockSignals(False)
        self._update_label()

    # -- reacting ---------------------------------------------------------------------

    def _moved(self, value: int) -> None:
        at_end = value >= len(self._steps) - 1
        if self.live.isChecked() != at_end:
            self.live.blockSignals(True)
            self.live.setChecked(at_end)
            self.live.blockSignals(False)
        self._update_label()
        self._emit_throttled()

    def _live_toggled(self, on: bool) -> None:
        if on and self._steps:
            self.slider.blockSignals(True)
            self.slider.setValue(len(self._steps) - 1)
            self.slider.blockSignals(False)
        self._update_label()
        self._emit_chosen()

    def _emit_chosen(self) -> None:
        self.stepChosen.emit(self.shown_step())

    def _update_label(self) -> None:
        self.live.setText("Live" if self.is_live() else "Go live")
        if not self._steps:
            self.label.setText("no steps recorded")
            return
        i = min(self.slider.value(), len(self._steps) - 1)
        live = " (live)" if self.is_live() else ""
        self.label.setText(f"step {self._steps[i]:,} of {self._steps[-1]:,}{live}")


def _index_at(steps: list[int], step: int) -> int:
    return max(0, bisect.bisect_right(steps, step) - 1)


class StepCursors:
    """A vertical line at the shown step on each of a set of step-axis plots."""

    def __init__(self, colour: str) -> None:
        self.colour = colour
        self.lines: dict[int, tuple[pg.PlotItem, pg.InfiniteLine]] = {}
        self.step: int | None = None

    def show(self, plots: Iterable[pg.PlotItem], step: int | None) -> None:
        """Put the cursor at ``step`` on ``plots`` (``None`` hides it); plots no longer
        listed lose theirs."""
        self.step = step
        wanted = {id(p): p for p in plots}
        for key in [k for k in self.lines if k not in wanted]:
            plot, line = self.lines.pop(key)
            plot.removeItem(line)
        for key, plot in wanted.items():
            if key not in self.lines:
                pen = mkpen(self.colour, width=1.5, style=Qt.PenStyle.DashLine)
                line = pg.InfiniteLine(angle=90, movable=False, pen=pen)
                line.setZValue(50)
                plot.addItem(line, ignoreBounds=True)
                self.lines[key] = (plot, line)
            _plot, line = self.lines[key]
            line.setVisible(step is not None)
            if step is not None:
                line.setValue(step)

    def set_colour(self, colour: str) -> None:
        self.colour = colour
        for _plot, line in self.lines.values():
            line.setPen(mkpen(colour, width=1.5, style=Qt.PenStyle.DashLine))

    def positions(self) -> dict[int, float | None]:
        """Where each plot's cursor is (``None`` when hidden), for tests and checks."""
        return {
            key: (float(line.value()) if line.isVisible() else None)
            for key, (_plot, line) in self.lines.items()
        }

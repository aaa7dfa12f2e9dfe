"""The parameter sweep of the Compare panel: pick an activation parameter and a range,
race one model per value (``actviz.training.sweep``), plot the final metric against
the value (mean over seeds, min-max as error bars)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...api import Activation
from ...training.sweep import Sweep, check_sweep, sweep_points, sweep_values
from ..flow_layout import FlowLayout, pair
from ..pens import mkpen
from ..plots import PlotExport, make_plot, restyle
from ..theme import Theme


class SweepView(QWidget):
    """See the module docstring. ``startRequested`` asks the panel to race the sweep."""

    startRequested = Signal()
    stopRequested = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.activations: dict[str, Activation] = {}
        self.points: list[dict[str, Any]] = []
        self.sweep: Sweep | None = None
        self.activation = QComboBox()
        self.param = QComboBox()
        for combo in (self.activation, self.param):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(9)
        self.low = QDoubleSpinBox()
        self.high = QDoubleSpinBox()
        for box in (self.low, self.high):
            box.setRange(-1e6, 1e6)
            box.setDecimals(4)
            box.setSingleStep(0.05)
        self.low.setToolTip("first value of the swept parameter")
        self.high.setToolTip("last value of the swept parameter")
        self.count = QSpinBox()
        self.count.setToolTip("how many evenly spaced values from low to high are raced")
        self.count.setRange(1, 64)
        self.count.setValue(6)
        self.task = QComboBox()
        self.steps = QSpinBox()
        self.steps.setRange(1, 1_000_000)
        self.steps.setSingleStep(100)
        self.steps.setValue(500)
        self.seeds = QSpinBox()
        self.seeds.setRange(1, 50)
        self.seeds.setValue(3)
        self.base_label = QLabel(
            "network, optimiser and data come from the first selected run of this task "
            "(else the defaults)"
        )
        self.base_label.setWordWrap(True)
        self.base_label.setStyleSheet("color: gray;")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.run_button = QPushButton("Run sweep")
        self.run_button.setToolTip(
            "race the activation at each parameter value and plot the final test metric"
        )
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("end the sweep after the current step")
        self.stop_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFormat("idle")

        # the choices wrap in a narrow window: each label stays with its fields
        choices = FlowLayout()
        choices.addWidget(pair(QLabel("Activation"), self.activation))
        choices.addWidget(pair(QLabel("Parameter"), self.param))
        choices.addWidget(
            pair(QLabel("Range"), self.low, QLabel("to"), self.high, QLabel("values"), self.count)
        )
        choices.addWidget(pair(QLabel("Task"), self.task))
        choices.addWidget(
            pair(QLabel("Budget"), self.steps, QLabel("steps ×"), self.seeds, QLabel("seeds"))
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 2)
        buttons.addWidget(self.stop_button, 1)
        buttons.addWidget(self.progress, 3)
        grid = QVBoxLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addLayout(choices)
        grid.addLayout(buttons)
        grid.addWidget(self.base_label)
        grid.addWidget(self.problem)

        self.plot = make_plot(theme, left="final test metric", bottom="parameter value")
        self.plot.getPlotItem().hideButtons()
        self.line = pg.PlotDataItem(symbol="o", symbolSize=8)
        self.bars = pg.ErrorBarItem(beam=0.0)
        self.bad = pg.ScatterPlotItem(symbol="x", size=12)
        for item in (self.bars, self.line, self.bad):
            self.plot.addItem(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.plot, 1)

        self.activation.currentIndexChanged.connect(self._activation_changed)
        self.param.currentIndexChanged.connect(self._param_changed)
        for w in (self.low, self.high):
            w.valueChanged.connect(lambda _v: self._check())
        self.count.valueChanged.connect(lambda _v: self._check())
        self.run_button.clicked.connect(self.startRequested)
        self.stop_button.clicked.connect(self.stopRequested)

    # -- choices ----------------------------------------------------------------------

    def set_catalogue(self, activations: Mapping[str, Activation], tasks: list[str]) -> None:
        """Offer every activation that has a parameter, and the tasks."""
        current = self.activation.currentData()
        self.activations = {
            n: a for n, a in activations.items() if any(p.is_scalar for p in a.params)
        }
        self.activation.blockSignals(True)
        self.activation.clear()
        for name in sorted(self.activations):
            self.activation.addItem(name, name)
        index = self.activation.findData(current or "leaky_relu")
        self.activation.setCurrentIndex(max(0, index))
        self.activation.blockSignals(False)
        task = self.task.currentData()
        self.task.clear()
        for name in tasks:
            self.task.addItem(name, name)
        self.task.setCurrentIndex(max(0, self.task.findData(task or "moons")))
        self._activation_changed()

    def choose(self, activation: str, param: str, low: float, high: float, count: int) -> None:
        """Set the sweep's fields (used by scripts and tests)."""
        self.activation.setCurrentIndex(self.activation.findData(activation))
        self.param.setCurrentIndex(self.param.findData(param))
        self.low.setValue(low)
        self.high.setValue(high)
        self.count.setValue(count)

    def _activation_changed(self) -> None:
        act = self.activations.get(self.activation.currentData())
        self.param.blockSignals(True)
        self.param.clear()
        for p in act.params if act is not None else ():
            if not p.is_scalar or p.kind == "choice":
                continue  # a sweep varies one number
            self.param.addItem(
                p.name + (" (learnable: initial value)" if p.learnable else ""), p.name
            )
        self.param.blockSignals(False)
        self._param_changed()

    def _param_changed(self) -> None:
        act = self.activations.get(self.activation.currentData())
        name = self.param.currentData()
        if act is None or name is None:
            return
        p = act.param(name)
        low = p.min if p.min is not None else p.default - abs(p.default or 1.0)
        high = p.max if p.max is not None else p.default + abs(p.default or 1.0)
        if act.name == "leaky_relu" and name == "negative_slope":
            high = 0.3  # the interesting part of its range
        self.low.setValue(low)
        self.high.setValue(high)
        self._check()

    def values(self) -> list[float]:
        return sweep_values(self.low.value(), self.high.value(), self.count.value())

    def _check(self) -> list[str]:
        act = self.activations.get(self.activation.currentData())
        problems = ["activation: choose an activation with a parameter"] if act is None else []
        if act is not None and self.param.currentData() is not None:
            if self.low.value() >= self.high.value() and self.count.value() > 1:
                problems.append("range: 'from' must be below 'to'")
            else:
                problems += check_sweep(act, self.param.currentData(), self.values())
        colour = self.theme.error
        self.problem.setText(
            f"<span style='color:{colour}'>{'<br>'.join(problems)}</span>" if problems else ""
        )
        self.run_button.setEnabled(not problems and not self.stop_button.isEnabled())
        return problems

    def problems(self) -> list[str]:
        return self._check()

    def set_running(self, running: bool) -> None:
        self.stop_button.setEnabled(running)
        for w in (self.activation, self.param, self.low, self.high, self.count, self.task):
            w.setEnabled(not running)
        for w in (self.steps, self.seeds):
            w.setEnabled(not running)
        self._check()

    # -- the plot ---------------------------------------------------------------------

    def show_result(self, run: Mapping[str, Any], sweep: Sweep) -> None:
        """Plot a finished (or stored) sweep run."""
        self.sweep = sweep
        self.points = sweep_points(run, sweep)
        metric = run.get("metric", "metric")
        plot = self.plot.getPlotItem()
        plot.setTitle(f"{sweep.label()} on {run.get('task', '')}", size="10pt")
        plot.setLabel("left", f"final test {'R²' if metric == 'r2' else metric}")
        plot.setLabel("bottom", f"{sweep.activation}.{sweep.param}")
        x = np.array([p["value"] for p in self.points])
        mean = np.array([p["mean"] for p in self.points])
        low = np.array([p["min"] for p in self.points])
        high = np.array([p["max"] for p in self.points])
        colour = self.theme.highlight
        self.line.setData(x, mean, pen=mkpen(colour, width=2), symbolBrush=colour)
        ok = np.isfinite(mean)
        self.bars.setData(
            x=x[ok],
            y=mean[ok],
            height=None,
            top=(high - mean)[ok],
            bottom=(mean - low)[ok],
            pen=mkpen(colour, width=1.5),
        )
        bad = [p for p in self.points if p["diverged"]]
        finite = mean[ok]
        floor = float(finite.min()) if finite.size else 0.0
        self.bad.setData(
            [p["value"] for p in bad],
            [floor for _ in bad],
            brush=pg.mkBrush(self.theme.error),
            pen=mkpen(self.theme.error),
        )
        self.bad.setToolTip("values where some seeds diverged")

    def clear_result(self) -> None:
        self.points, self.sweep = [], None
        self.line.setData([], [])
        empty = np.zeros(0)
        self.bars.setData(x=empty, y=empty, top=empty, bottom=empty, height=None)
        self.bad.setData([], [])
        self.plot.getPlotItem().setTitle(None)

    def columns(self) -> dict[str, np.ndarray]:
        if not self.points:
            return {}
        keys = ("value", "mean", "min", "max", "seeds", "diverged")
        return {k: np.array([p[k] for p in self.points], dtype=float) for k in keys}

    def progress_to(self, step: int, steps: int) -> None:
        self.progress.setValue(round(1000 * step / max(1, steps)))
        self.progress.setFormat(f"step {step} / {steps}")

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        restyle(self.plot, theme)

    def export(self) -> PlotExport:
        return PlotExport("compare-sweep", "Compare: parameter sweep", self.plot, self.columns)

"""A real view of vector activations, shown beside the curves when one is selected.

Softmax-like activations (``kind="vector"``) act on a whole vector: the line plot shows
every output of a 3-logit input as logit 1 sweeps x while logits 2 and 3 stay at chosen
values, and the heatmap shows output 1 over (x1, x2) with x3 fixed. Gated activations
(GLU) split the input into halves a and b: the line plot shows out(a) for several b, the
heatmap out(a, b).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ...api import Activation
from ...figures.palette import styles_for
from ..pens import curve_pen
from ..plots import PlotExport, add_legend, make_plot, restyle
from ..state import AppState

HEAT_POINTS = 161
GATE_VALUES = (-4.0, -2.0, 0.0, 2.0, 4.0)
LINE_POINTS = 801


def vector_lines(
    act: Activation, x: np.ndarray, params: dict, others: tuple[float, float]
) -> dict[str, np.ndarray]:
    """Curves for the line plot: one per output (vector) or per gate value (gated)."""
    xt = torch.as_tensor(x, dtype=torch.float64)
    with torch.no_grad():
        if act.kind == "gated":
            out = {}
            for b in GATE_VALUES:
                pairs = torch.stack([xt, torch.full_like(xt, b)], dim=1)
                out[f"b = {b:g}"] = act.fn(pairs, **params)[:, 0].numpy().copy()
            return out
        logits = torch.stack(
            [xt, torch.full_like(xt, others[0]), torch.full_like(xt, others[1])], dim=1
        )
        y = act.fn(logits, **params).numpy()
    return {f"output {i + 1}": y[:, i].copy() for i in range(y.shape[1])}


def vector_heat(act: Activation, axis: np.ndarray, params: dict, third: float) -> np.ndarray:
    """z[i, j] = output 1 at (x1 = axis[i], x2 = axis[j]) (vector) or out(a, b) (gated)."""
    u, v = np.meshgrid(axis, axis, indexing="ij")
    cols = [u.ravel(), v.ravel()]
    if act.kind == "vector":
        cols.append(np.full(u.size, third))
    inputs = torch.as_tensor(np.stack(cols, axis=1), dtype=torch.float64)
    with torch.no_grad():
        z = act.fn(inputs, **params)[:, 0].numpy()
    return z.reshape(u.shape)


class VectorView(QWidget):
    """The line plot and heatmap for one selected vector activation."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.combo = QComboBox()
        self.combo.setToolTip("which selected vector activation to show")
        self.other = QDoubleSpinBox()
        self.third = QDoubleSpinBox()
        for box, value in ((self.other, 1.0), (self.third, -1.0)):
            box.setRange(-50, 50)
            box.setSingleStep(0.5)
            box.setValue(value)
            box.setKeyboardTracking(False)
            box.setMaximumWidth(70)
        self.other.setToolTip("the fixed second input (x₂) while x₁ sweeps the line plot")
        self.third.setToolTip("the fixed third input (x₃), in the line plot and the heatmap")
        self.other_label = QLabel("x₂ =")
        self.third_label = QLabel("x₃ =")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.combo, 1)
        for w in (self.other_label, self.other, self.third_label, self.third):
            top.addWidget(w)
        self.line_plot = make_plot(state.theme, bottom="x₁")
        self.line_plot.getPlotItem().hideButtons()
        self.legend = add_legend(self.line_plot, state.theme, offset=(6, 6))
        self.heat_plot = make_plot(state.theme, bottom="x₁", left="x₂")
        self.heat_plot.getPlotItem().hideButtons()
        self.image = pg.ImageItem()
        self.heat_plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap="viridis", interactive=False, width=12)
        self.colorbar.setImageItem(self.image, insert_in=self.heat_plot.getPlotItem())
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("<b>Vector view</b>")
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.line_plot, 1)
        layout.addWidget(self.heat_plot, 1)
        layout.addWidget(self.caption)
        self._lines: dict[str, pg.PlotDataItem] = {}
        self._line_data: dict[str, np.ndarray] = {}
        self._line_x = np.zeros(0)
        self._heat: np.ndarray | None = None
        self._axis = np.zeros(0)
        self.combo.currentTextChanged.connect(lambda _t: self.refresh())
        self.other.valueChanged.connect(lambda _v: self.refresh())
        self.third.valueChanged.connect(lambda _v: self.refresh())
        self.sync()

    def exports(self) -> list[PlotExport]:
        return [
            PlotExport("vector-lines", "Vector view: outputs", self.line_plot, self.line_columns),
            PlotExport("vector-heatmap", "Vector view: heatmap", self.heat_plot, self.heat_columns),
        ]

    def candidates(self) -> list[str]:
        return [n for n in self.state.selected if (a := self.state.activation(n)) and a.is_vector]

    def sync(self) -> None:
        """Show the view only while a vector activation is selected; prefer the focused one."""
        names = self.candidates()
        self.setVisible(bool(names))
        keep = self.combo.currentText()
        focus = self.state.focus()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(names)
        pick = focus if focus in names else keep if keep in names else (names[0] if names else "")
        self.combo.setCurrentText(pick)
        self.combo.blockSignals(False)
        self.refresh()

    def params_changed(self, name: str) -> None:
        if name == self.combo.currentText():
            self.refresh()

    def refresh(self) -> None:
        name = self.combo.currentText()
        act = self.state.activation(name) if name else None
        if act is None or not act.is_vector:
            return
        gated = act.kind == "gated"
        for w in (self.other_label, self.other, self.third_label):
            w.setVisible(not gated)
        self.third.setVisible(not gated)
        self.third_label.setText("x₃ =")
        params = {**act.defaults(), **self.state.params_for(name)}
        lo, hi = self.state.x_range
        self._line_x = np.linspace(lo, hi, LINE_POINTS)
        self._axis = np.linspace(lo, hi, HEAT_POINTS)
        try:
            others = (self.other.value(), self.third.value())
            lines = vector_lines(act, self._line_x, params, others)
            heat = vector_heat(act, self._axis, params, self.third.value())
        except Exception as exc:  # noqa: BLE001 - plugin code
            self.state.notify(f"{name}: vector view failed: {type(exc).__name__}: {exc}")
            return
        self._draw_lines(lines)
        self._heat = heat
        finite = heat[np.isfinite(heat)]
        levels = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if levels[0] == levels[1]:
            levels = (levels[0] - 0.5, levels[1] + 0.5)
        self.image.setImage(heat, autoLevels=False)
        self.image.setRect(QRectF(lo, lo, hi - lo, hi - lo))
        self.colorbar.setLevels(levels)
        plot = self.line_plot.getPlotItem()
        heat_plot = self.heat_plot.getPlotItem()
        if gated:
            self.title.setText(f"<b>{name}</b>: out = f([a, b]) over its two halves")
            plot.setLabel("bottom", "a")
            plot.setLabel("left", "out")
            heat_plot.setLabel("bottom", "a")
            heat_plot.setLabel("left", "b")
            self.caption.setText("Top: out against a for fixed gates b. Bottom: out(a, b).")
        else:
            x2, x3 = self.other.value(), self.third.value()
            self.title.setText(f"<b>{name}</b> of a 3-logit input (x₁, x₂, x₃)")
            plot.setLabel("bottom", "x₁")
            plot.setLabel("left", "outputs")
            heat_plot.setLabel("bottom", "x₁")
            heat_plot.setLabel("left", "x₂")
            self.caption.setText(
                f"Top: every output as x₁ sweeps, x₂ = {x2:g}, x₃ = {x3:g}. "
                f"Bottom: output 1 over (x₁, x₂) with x₃ = {x3:g}."
            )
        restyle(self.line_plot, self.state.theme)
        restyle(self.heat_plot, self.state.theme)

    def _draw_lines(self, lines: dict[str, np.ndarray]) -> None:
        for key in list(self._lines):
            if key not in lines:
                self.line_plot.removeItem(self._lines.pop(key))
        styles = styles_for(list(lines), self.state.theme.dark)
        for key, y in lines.items():
            item = self._lines.get(key)
            if item is None:
                item = pg.PlotDataItem(name=key)
                self.line_plot.addItem(item)
                self._lines[key] = item
            item.setPen(curve_pen(styles[key], width=1.5))
            item.setData(self._line_x, y, connect="finite")
        self._line_data = lines

    def line_columns(self) -> dict[str, np.ndarray]:
        if not self._line_data:
            return {}
        return {"x1": self._line_x, **self._line_data}

    def heat_columns(self) -> dict[str, np.ndarray]:
        """The heatmap in long form: one row per grid point."""
        if self._heat is None:
            return {}
        u, v = np.meshgrid(self._axis, self._axis, indexing="ij")
        return {"x1": u.ravel(), "x2": v.ravel(), "output": self._heat.ravel()}

    def apply_theme(self) -> None:
        restyle(self.line_plot, self.state.theme)
        restyle(self.heat_plot, self.state.theme)

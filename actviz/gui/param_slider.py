"""A labelled slider with a spin box for one activation parameter.

The slider spans ``Param.min``..``Param.max`` in 1000 steps; the spin box takes any
value in range. Changes are delivered at most once per ``interval_ms`` while dragging,
and always once more with the final value, so redraws keep pace with the mouse.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QSlider, QWidget

from ..api import Param

STEPS = 1000


def bounds(param: Param) -> tuple[float, float]:
    """Slider limits: the declared ones, or a span around the default where missing."""
    span = max(1.0, abs(param.default)) * 5.0
    lo = param.min if param.min is not None else param.default - span
    hi = param.max if param.max is not None else param.default + span
    if hi <= lo:
        hi = lo + 1.0
    return float(lo), float(hi)


def _decimals(lo: float, hi: float) -> int:
    step = (hi - lo) / STEPS
    return max(2, min(6, 1 - math.floor(math.log10(step)))) if step > 0 else 3


class ParamSlider(QWidget):
    """Emits ``valueChanged(name, value)``, throttled while the slider is dragged."""

    valueChanged = Signal(str, float)

    def __init__(
        self, param: Param, value: float, parent: QWidget | None = None, interval_ms: int = 16
    ) -> None:
        super().__init__(parent)
        self.param = param
        self.lo, self.hi = bounds(param)
        self.label = QLabel(param.name)
        self.label.setToolTip(param.description or param.name)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STEPS)
        self.slider.setToolTip(f"{param.name}: {self.lo:g} .. {self.hi:g}")
        self.spin = QDoubleSpinBox()
        self.spin.setRange(self.lo, self.hi)
        self.spin.setDecimals(_decimals(self.lo, self.hi))
        self.spin.setSingleStep((self.hi - self.lo) / 100)
        self.spin.setKeyboardTracking(False)
        self.spin.setMinimumWidth(80)
        if param.kind == "integer":
            self.spin.setDecimals(0)
            self.spin.setSingleStep(1)
        if param.learnable:
            self.label.setText(f"{param.name} (learnable)")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 0, 0, 1, 2)
        layout.addWidget(self.slider, 1, 0)
        layout.addWidget(self.spin, 1, 1)
        self._pending: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._syncing = False
        self.set_value(value)
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.sliderReleased.connect(self._flush)
        self.spin.valueChanged.connect(self._spin_changed)

    def value(self) -> float:
        return float(self.spin.value())

    def set_value(self, value: float) -> None:
        """Show ``value`` without emitting."""
        self._syncing = True
        self.spin.setValue(value)
        self.slider.setValue(self._to_step(value))
        self._syncing = False

    def _to_step(self, value: float) -> int:
        return round((value - self.lo) / (self.hi - self.lo) * STEPS)

    def _from_step(self, step: int) -> float:
        return self.lo + (self.hi - self.lo) * step / STEPS

    def _slider_moved(self, step: int) -> None:
        if self._syncing:
            return
        value = self._from_step(step)
        self._syncing = True
        self.spin.setValue(value)
        self._syncing = False
        self._pending = value
        if not self._timer.isActive():
            self._flush()  # leading edge: react at once, then at most once per interval
            self._timer.start()

    def _spin_changed(self, value: float) -> None:
        if self._syncing:
            return
        self._syncing = True
        self.slider.setValue(self._to_step(value))
        self._syncing = False
        self._pending = value
        self._flush()

    def _tick(self) -> None:
        if self._pending is not None:
            self._flush()
            self._timer.start()  # keep the pace while values keep coming

    def _flush(self) -> None:
        if self._pending is None:
            return
        value, self._pending = self._pending, None
        self.valueChanged.emit(self.param.name, value)

"""A labelled float slider for one activation parameter (superqt's ``QLabeledDoubleSlider``).

The slider spans ``Param.min``..``Param.max``; its label is an editable number. Changes
are delivered at most once per ``interval_ms`` while dragging (``qthrottled``: the first
at once, the last always), so redraws keep pace with the mouse.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget
from superqt import QLabeledDoubleSlider
from superqt.utils import qthrottled

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
        self.label = QLabel(f"{param.name} (learnable)" if param.learnable else param.name)
        self.label.setToolTip(param.description or param.name)
        self.slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(self.lo, self.hi)
        self.slider.setDecimals(_decimals(self.lo, self.hi))
        self.slider.setSingleStep((self.hi - self.lo) / 100)
        self.slider.setToolTip(f"{param.name}: {self.lo:g} .. {self.hi:g}")
        if param.kind == "integer":
            self.slider.setDecimals(0)
            self.slider.setSingleStep(1)
        value_box = getattr(self.slider, "_label", None)  # superqt's value field
        if value_box is not None:  # a narrow dock squeezes the slider, never the value
            value_box.setMinimumWidth(value_box.sizeHint().width())
        self.label.setWordWrap(True)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 0, 0)
        layout.addWidget(self.slider, 1, 0)
        self._emit = qthrottled(self._emit_now, timeout=interval_ms, leading=True, parent=self)
        self.set_value(value)
        self.slider.valueChanged.connect(self._emit)
        self.slider.sliderReleased.connect(self._emit.flush)

    def value(self) -> float:
        return float(self.slider.value())

    def set_value(self, value: float) -> None:
        """Show ``value`` without emitting."""
        with QSignalBlocker(self.slider):
            self.slider.setValue(value)

    def _emit_now(self, value: float) -> None:
        self.valueChanged.emit(self.param.name, float(value))

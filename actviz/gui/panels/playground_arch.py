"""The Playground's architecture chooser: which network every activation races in, its
options, and an estimate of the race's time and memory before Run.

The options are built from each architecture's :class:`~actviz.architectures.Option` s
(a spin box for a size, a list for choices, a check box for a switch, a text field for
text such as kernel sizes), so a plugin's architecture gets controls without GUI code.
Memory is estimated at once (cheap); time by a short probe of the race itself, run when
asked in a worker thread (:mod:`actviz.architectures.estimate` says how both are found).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...architectures.base import Architecture, Option

#: Shown first, in this order; plugin architectures follow by name.
ORDER = ("mlp", "resmlp", "cnn1d", "cnn2d", "gru", "transformer", "linear")


class ArchitectureChooser(QWidget):
    """A list of architectures and, below it, the chosen one's options.

    ``changed`` fires after every edit. :meth:`options` returns only the values that
    differ from the architecture's defaults, as ``RaceConfig.arch_options`` keeps them.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._architectures: dict[str, Architecture] = {}
        self._controls: dict[str, QWidget] = {}
        self.combo = QComboBox()
        self.combo.setToolTip("the network every activation races in")
        self.combo.setProperty("lockLabel", "Architecture")  # what a handout's lock names
        self.options_box = QWidget()
        self.options_box.setProperty("lockLabel", "Architecture options")
        self.options_form = QFormLayout(self.options_box)
        self.options_form.setContentsMargins(0, 0, 0, 0)
        self.site = QLabel()
        self.site.setWordWrap(True)
        self.site.setStyleSheet("color: gray;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.site)
        layout.addWidget(self.options_box)
        self.combo.currentIndexChanged.connect(self._arch_changed)
        self.set_architectures({})

    # -- the list ---------------------------------------------------------------------

    def set_architectures(self, architectures: Mapping[str, Architecture]) -> None:
        """List ``architectures`` (the MLP always: it is the engine's own), keeping the
        choice and its options when it is still there."""
        chosen, values = self.arch(), self.options()
        self._architectures = dict(architectures)
        names = sorted(self._architectures, key=lambda n: (_rank(n), n))
        if "mlp" not in names:
            names.insert(0, "mlp")
        self.combo.blockSignals(True)
        self.combo.clear()
        for name in names:
            self.combo.addItem(name, name)
            arch = self._architectures.get(name)
            if arch is not None:
                tip = f"{arch.description}\nactivation: {arch.site}".strip()
                self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        index = self.combo.findData(chosen)
        self.combo.setCurrentIndex(max(0, index))
        self.combo.blockSignals(False)
        self._build_options(values if index >= 0 else {})

    def arch(self) -> str:
        return self.combo.currentData() or "mlp"

    def architecture(self) -> Architecture | None:
        """The chosen architecture (``None`` for the MLP when no plugin provides it)."""
        return self._architectures.get(self.arch())

    def set_arch(self, name: str) -> str | None:
        """Choose ``name``; why it could not be chosen (``None`` when it was)."""
        index = self.combo.findData(name)
        if index < 0:
            known = ", ".join(self.combo.itemData(i) for i in range(self.combo.count()))
            return f"{name!r} is not a loaded architecture (loaded: {known}); not restored"
        self.combo.setCurrentIndex(index)
        return None

    def _arch_changed(self) -> None:
        self._build_options({})
        self.changed.emit()

    # -- the options ------------------------------------------------------------------

    def _build_options(self, values: Mapping[str, Any]) -> None:
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self._controls = {}
        arch = self.architecture()
        self.site.setText(f"activation: {arch.site}" if arch is not None and arch.site else "")
        for option in arch.options if arch is not None else ():
            control = _control(option, values.get(option.name, option.default), self._edited)
            self._controls[option.name] = control
            self.options_form.addRow(option.name.replace("_", " ").capitalize(), control)
        self.options_box.setVisible(bool(self._controls))

    def _edited(self, *_args: Any) -> None:
        self.changed.emit()

    def options(self) -> dict[str, Any]:
        """The chosen options that differ from the defaults."""
        arch = self.architecture()
        if arch is None:
            return {}
        out = {}
        for option in arch.options:
            control = self._controls.get(option.name)
            if control is None:
                continue
            value = _value(option, control)
            if value != option.default:
                out[option.name] = value
        return out

    def set_options(self, values: Mapping[str, Any]) -> list[str]:
        """Set the chosen architecture's options; one line per value that could not be."""
        arch = self.architecture()
        known = {o.name: o for o in arch.options} if arch is not None else {}
        problems = []
        for name, value in dict(values).items():
            option = known.get(name)
            if option is None:
                problems.append(f"arch_options: {self.arch()} has no option {name!r}; not restored")
                continue
            reason = option.problem(value)
            if reason:
                problems.append(f"arch_options: {name} {reason}; not restored")
                continue
            _set_value(self._controls[name], value)
        return problems

    def normalised(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` without those at the chosen architecture's defaults."""
        arch = self.architecture()
        defaults = arch.defaults() if arch is not None else {}
        return {k: v for k, v in dict(values).items() if defaults.get(k, object()) != v}


PRESS_ESTIMATE = "time: press Estimate, under the settings (a probe of a few steps of this race)"


class EstimateRow(QWidget):
    """Memory (at once) and time (on request, from a probe in a thread) of the race."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.memory = QLabel()
        self.memory.setWordWrap(True)
        self.time = QLabel(PRESS_ESTIMATE)
        self.time.setWordWrap(True)
        self.button = QPushButton("Estimate")
        self.button.setToolTip(
            "run this race for a few steps in the background and predict its whole time "
            "from the measured set-up, step and evaluation"
        )
        # the button is placed by the Playground beside its race buttons, where it stays
        # in view however long the form grows (the form scrolls)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.memory)
        layout.addWidget(self.time)
        self._relay = _Relay()
        self._relay.done.connect(self._show_time)
        self._generation = 0
        self._stop = threading.Event()

    def show_memory(self, text: str, ok: bool, colour: str) -> None:
        self.memory.setText(text if ok else f"<span style='color:{colour}'>{text}</span>")

    def invalidate(self) -> None:
        """The race changed: a running probe's answer no longer applies."""
        self._generation += 1
        self._stop.set()
        self.button.setEnabled(True)
        self.time.setText(PRESS_ESTIMATE)

    def start(self, work: Callable[[Callable[[], bool]], str]) -> None:
        """Run ``work(should_stop)`` in a thread; its text replaces the time line."""
        self.invalidate()
        generation, stop = self._generation, threading.Event()
        self._stop = stop
        self.button.setEnabled(False)
        self.time.setText("time: measuring a few steps of this race…")

        def run() -> None:
            try:
                text = work(stop.is_set)
            except Exception as exc:  # noqa: BLE001 - a probe must never end the app
                text = f"time: the probe failed ({type(exc).__name__}: {exc})"
            self._relay.done.emit(generation, text)

        threading.Thread(target=run, name="actviz-estimate", daemon=True).start()

    def _show_time(self, generation: int, text: str) -> None:
        if generation != self._generation:
            return  # an older race's answer
        self.button.setEnabled(True)
        self.time.setText(text)

    def wait(self, timeout: float = 60.0) -> bool:
        """For tests: wait until the probe's answer is shown (events are processed)."""
        import time

        from PySide6.QtWidgets import QApplication

        end = time.monotonic() + timeout
        while not self.button.isEnabled() and time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.02)
        QApplication.processEvents()
        return self.button.isEnabled()


class _Relay(QObject):
    done = Signal(int, str)  # queued to the GUI thread


def _rank(name: str) -> int:
    return ORDER.index(name) if name in ORDER else len(ORDER)


def _control(option: Option, value: Any, edited: Callable[..., None]) -> QWidget:
    tip = option.description
    if option.choices:
        w: QWidget = QComboBox()
        w.addItems(list(option.choices))
        w.setCurrentText(str(value))
        w.currentIndexChanged.connect(edited)
    elif isinstance(option.default, bool):
        w = QCheckBox()
        w.setChecked(bool(value))
        w.toggled.connect(edited)
    elif isinstance(option.default, int):
        w = QSpinBox()
        w.setRange(
            int(option.min if option.min is not None else -(2**31)),
            int(option.max if option.max is not None else 2**31 - 1),
        )
        w.setValue(int(value))
        w.valueChanged.connect(edited)
        tip += f" ({w.minimum()}..{w.maximum()})"
    elif isinstance(option.default, float):
        w = QDoubleSpinBox()
        w.setDecimals(4)
        w.setRange(
            option.min if option.min is not None else -1e9,
            option.max if option.max is not None else 1e9,
        )
        w.setValue(float(value))
        w.valueChanged.connect(edited)
    else:
        w = QLineEdit(str(value))
        w.textChanged.connect(edited)
    w.setToolTip(tip)
    return w


def _value(option: Option, control: QWidget) -> Any:
    if isinstance(control, QComboBox):
        return control.currentText()
    if isinstance(control, QCheckBox):
        return control.isChecked()
    if isinstance(control, (QSpinBox, QDoubleSpinBox)):
        return control.value()
    return control.text().strip()  # type: ignore[attr-defined]


def _set_value(control: QWidget, value: Any) -> None:
    if isinstance(control, QComboBox):
        control.setCurrentText(str(value))
    elif isinstance(control, QCheckBox):
        control.setChecked(bool(value))
    elif isinstance(control, QSpinBox):
        control.setValue(int(value))
    elif isinstance(control, QDoubleSpinBox):
        control.setValue(float(value))
    elif isinstance(control, QLineEdit):
        control.setText(str(value))

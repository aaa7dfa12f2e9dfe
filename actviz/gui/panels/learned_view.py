"""The Playground's "Learned shapes" tab: what each learnable activation became.

For the chosen activation and layer it draws every seed's curve (every unit's, for
per-unit parameters) at the step picked on the slider, over the initial curves
(dashed). The curves come from :mod:`actviz.analysis.learned_shapes`; exports and
"save as plugin" from :mod:`actviz.figures.learned`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ...analysis.learned_shapes import LearnedShape, is_learnable, learned_shapes, recorded_steps
from ...api import Activation
from ...figures.learned import (
    export_shapes_csv,
    export_shapes_figure,
    save_learned_plugin,
)
from ...figures.palette import colour_for
from ..flow_layout import FlowLayout, pair
from ..pens import mkpen
from ..plots import make_plot, restyle
from ..theme import Theme

ALL_SEEDS = "all seeds"


class LearnedShapesView(QWidget):
    """See the module docstring. ``notify`` reports results and errors in one line;
    ``colour`` gives an activation's colour (default: the palette's)."""

    def __init__(
        self,
        theme: Theme,
        activation: Callable[[str], Activation | None],
        notify: Callable[[str], None],
        colour: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self.colour = colour  # the race's colour of an activation, as in the other tabs
        self.activation = activation
        self.notify = notify
        self.run: Mapping[str, Any] = {}
        self.steps: list[int] = []
        self.shapes: list[LearnedShape] = []
        self.which = QComboBox()
        self.which.setToolTip("a learnable activation of this race")
        self.layer = QComboBox()
        self.layer.setToolTip("the hidden layer whose activation is drawn")
        self.seed = QComboBox()
        self.seed.setToolTip("one seed, or all seeds at once")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("the recorded step to draw: drag to watch the shape evolve")
        self.step_label = QLabel("step –")
        self.plot = make_plot(theme, left="f(x)", bottom="x")
        self.empty = QLabel(
            "Race a learnable activation (pade, bspline, apl, prelu_units…) "
            "to see the shape it learns."
        )
        self.empty.setWordWrap(True)
        buttons = []
        for text, tip, slot in (
            ("Export CSV…", "every drawn curve, learned and initial, as CSV", self._ask_csv),
            ("Export figure…", "the drawn curves as PNG, SVG or PDF", self._ask_figure),
            (
                "Save as plugin…",
                "this seed's learned shape as a fixed activation plugin in your plugin folder",
                self._ask_plugin,
            ),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.append(button)
        self.save_button = buttons[2]
        top = FlowLayout()  # wraps in a narrow window
        for label, widget in (
            ("activation", self.which),
            ("layer", self.layer),
            ("seed", self.seed),
        ):
            top.addWidget(pair(QLabel(label), widget))
        steps = QHBoxLayout()
        steps.addWidget(self.step_label)
        steps.addWidget(self.slider, 1)
        bottom = FlowLayout()
        for b in buttons:
            bottom.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.plot, 1)
        layout.addLayout(steps)
        layout.addLayout(bottom)
        for combo in (self.which, self.layer, self.seed):
            combo.currentIndexChanged.connect(lambda _i: self._draw())
        self.which.currentIndexChanged.connect(lambda _i: self._steps_changed())
        self.slider.valueChanged.connect(lambda _v: self._draw())

    # -- data -------------------------------------------------------------------------

    def set_run(self, run: Mapping[str, Any]) -> None:
        """Take a run (``RaceHistory.as_run()`` or a stored run) and redraw; keeps the
        chosen activation, layer and seed, and follows the newest step unless the slider
        was moved back."""
        self.run = run
        names = []
        for member in run.get("runs", []):
            act = self.activation(member["activation"])
            if act is not None and is_learnable(act) and act.kind == "elementwise":
                names.append(act.name)
        names = list(dict.fromkeys(names))
        _refill(self.which, names)
        self.empty.setVisible(not names)
        self._steps_changed()

    def _steps_changed(self) -> None:
        name = self.which.currentText()
        at_end = not self.steps or self.slider.value() >= len(self.steps) - 1
        self.steps = recorded_steps(self.run, name) if name else []
        seeds = [str(m["seed"]) for m in self.run.get("runs", []) if m["activation"] == name]
        _refill(self.seed, [ALL_SEEDS, *seeds])
        layers = len((self.run.get("config") or {}).get("hidden") or []) or 1
        _refill(self.layer, [str(i + 1) for i in range(layers)])
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(self.steps) - 1))
        if at_end:
            self.slider.setValue(len(self.steps) - 1)
        self.slider.blockSignals(False)
        self._draw()

    def show_step(self, step: int | None) -> None:
        """Move the slider to the recorded step at or before ``step`` (``None``: the
        newest), as the Playground's timeline asks."""
        if not self.steps:
            return
        if step is None:
            index = len(self.steps) - 1
        else:
            index = max(0, bisect.bisect_right(self.steps, step) - 1)
        self.slider.setValue(index)

    def current_shapes(self) -> list[LearnedShape]:
        """The curves drawn now (chosen activation, layer, seed and step)."""
        act = self.activation(self.which.currentText())
        if act is None or not self.steps:
            return []
        step = self.steps[min(self.slider.value(), len(self.steps) - 1)]
        layer = max(0, self.layer.currentIndex())
        shapes = learned_shapes(act, self.run, step, layers=[layer])
        if self.seed.currentText() not in ("", ALL_SEEDS):
            shapes = [s for s in shapes if str(s.seed) == self.seed.currentText()]
        return shapes

    # -- drawing ----------------------------------------------------------------------

    def _draw(self) -> None:
        plot = self.plot.getPlotItem()
        plot.clear()
        try:
            self.shapes = self.current_shapes()
        except Exception as exc:  # noqa: BLE001 - a plugin may raise for learned values
            self.shapes = []
            self.notify(f"{self.which.currentText()}: could not draw the learned shape: {exc}")
        if not self.shapes:
            self.step_label.setText("step –")
            return
        self.step_label.setText(f"step {self.shapes[0].step}")
        name = self.shapes[0].activation
        colour = self.colour(name) if self.colour else colour_for(name, self.theme.dark)
        alpha = max(40, int(255 / max(1, len(self.shapes)) ** 0.5))
        learned = pg.mkColor(colour)
        learned.setAlpha(alpha)
        start = mkpen(self.theme.muted, width=1, style=Qt.PenStyle.DashLine)
        for s in self.shapes:
            plot.plot(s.x, s.initial, pen=start)
        for s in self.shapes:
            plot.plot(s.x, s.learned, pen=mkpen(learned, width=2))
        plot.setTitle(f"{self.shapes[0].activation}: learned (solid) vs initial (dashed)")

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        restyle(self.plot, theme)
        self._draw()

    # -- exports ----------------------------------------------------------------------

    def export_csv(self, path: str | Path) -> Path:
        return export_shapes_csv(self.shapes, path)

    def export_figure(self, path: str | Path) -> Path:
        return export_shapes_figure(self.shapes, path, dark=self.theme.dark)

    def save_plugin(self, name: str | None = None, folder: str | Path | None = None) -> Path:
        """Save the chosen seed's learned shape (first unit drawn, per unit) as a plugin."""
        if not self.shapes:
            raise ValueError("there is no learned shape to save")
        if self.seed.currentText() in ("", ALL_SEEDS) and len({s.seed for s in self.shapes}) > 1:
            raise ValueError("choose one seed to save its learned shape")
        s = self.shapes[0]
        act = self.activation(s.activation)
        return save_learned_plugin(
            act,
            self.run,
            seed=s.seed,
            layer=s.layer,
            unit=s.unit,
            step=s.step,
            name=name,
            folder=folder,
        )

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export learned shapes", "learned.csv", "CSV (*.csv)"
        )
        if path:
            self._report(lambda: self.export_csv(path))

    def _ask_figure(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export learned shapes figure", "learned.png", "Figures (*.png *.svg *.pdf)"
        )
        if path:
            self._report(lambda: self.export_figure(path))

    def _ask_plugin(self) -> None:
        if not self.shapes:
            self.notify("there is no learned shape to save yet")
            return
        s = self.shapes[0]
        unit = f"_u{s.unit + 1}" if s.unit is not None else ""
        suggested = f"{s.activation}_learned_s{s.seed}_l{s.layer + 1}{unit}"
        name, ok = QInputDialog.getText(self, "Save learned shape", "plugin name", text=suggested)
        if ok and name:
            self._report(lambda: self.save_plugin(name.strip()))

    def _report(self, action: Callable[[], Path]) -> None:
        try:
            path = action()
        except (OSError, ValueError) as exc:
            self.notify(str(exc))
            return
        self.notify(f"saved {path}")


def _refill(combo: QComboBox, items: list[str]) -> None:
    """Replace a combo's items, keeping the current text where it is still there."""
    current = combo.currentText()
    if [combo.itemText(i) for i in range(combo.count())] == items:
        return
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(items)
    if current in items:
        combo.setCurrentText(current)
    combo.blockSignals(False)

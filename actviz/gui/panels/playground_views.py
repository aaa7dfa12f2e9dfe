"""The Playground's live views: loss and metric curves, decision boundaries (or fitted
curves) as small multiples, and the diagnostics (per-layer gradient norms, dead units,
learnable parameters).

Each view draws a :class:`RaceHistory` and only updates items in place; the panel
decides how often (a race may deliver far more evaluations than a screen can show).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...analysis.race_history import RaceHistory, union_columns
from ..pens import line_width, mkpen, title_size
from ..plots import PlotExport, add_legend, clear_layout, make_plot, regrid, restyle
from ..theme import Theme, style_plot
from .playground_form import CLASS_COLOURS, draw_data
from .playground_plots import EMPTY, BandPlot, sticky_y

LAYER_STYLES = (
    Qt.PenStyle.SolidLine,
    Qt.PenStyle.DashLine,
    Qt.PenStyle.DotLine,
    Qt.PenStyle.DashDotLine,
)
METRIC_NAMES = {"accuracy": "accuracy", "r2": "R²"}


def _mix(colour: str, background: str, amount: float) -> QColor:
    a, b = QColor(colour), QColor(background)
    return QColor(
        round(a.red() * amount + b.red() * (1 - amount)),
        round(a.green() * amount + b.green() * (1 - amount)),
        round(a.blue() * amount + b.blue() * (1 - amount)),
    )


def heat_lut(loss: str, classes: int, theme: Theme) -> tuple[np.ndarray, tuple[float, float]]:
    """Lookup table and levels of a decision grid: P(class 1) from orange through the
    background to blue (binary), one light colour per class (multi-class), grey levels
    (regression)."""
    bg = theme.background
    if loss == "bce":
        colours = [_mix(CLASS_COLOURS[0], bg, 0.6), QColor(bg), _mix(CLASS_COLOURS[1], bg, 0.6)]
        cmap = pg.ColorMap([0.0, 0.5, 1.0], colours)
        return cmap.getLookupTable(nPts=256, alpha=False), (0.0, 1.0)
    if loss == "ce":
        lut = np.array(
            [
                [c.red(), c.green(), c.blue()]
                for c in (_mix(CLASS_COLOURS[i % 3], bg, 0.5) for i in range(classes))
            ],
            dtype=np.uint8,
        )
        return lut, (-0.5, classes - 0.5)
    cmap = pg.colormap.get("CET-L1")  # perceptually uniform grey
    return cmap.getLookupTable(nPts=256, alpha=False), (0.0, 1.0)


#: The narrowest a small multiple may be: its axis and title ("sigmoid  0.875") need it.
MIN_CELL_WIDTH = 110
#: Width over height of a cell's picture of a typical 2-D task's input space.
CELL_ASPECT = 1.3


#: A boundary cell keeps the input space's shape unless it is this many times flatter
#: or taller than the space.
MAX_ASPECT_STRETCH = 2.5


def best_columns(n: int, width: float, height: float) -> int:
    """Columns of a grid of ``n`` small multiples that make each cell's picture of the
    input space (about :data:`CELL_ASPECT` wide for 1 high) as large as can be, and never
    narrower than :data:`MIN_CELL_WIDTH`, which would cut the cells. (Comparing plain
    cell sides chose two wide, flat columns for six cells in a narrow pane.)"""
    if n <= 1:
        return 1
    most = max(1, min(n, int(width // MIN_CELL_WIDTH)))
    return max(
        range(1, most + 1),
        key=lambda c: min(width / c / CELL_ASPECT, height / math.ceil(n / c)),
    )


class CurvesView(QWidget):
    """Loss (train solid, test dashed) and the task metric per activation, each the
    mean over seeds with a min-max band; log scale and smoothing."""

    optionsChanged = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log_scale = QCheckBox("log loss")
        self.log_scale.setChecked(True)
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(0)
        self.smoothing.setMaximumWidth(120)
        self.smoothing.setMinimumWidth(60)
        self.smoothing.setToolTip("exponential moving average, as in TensorBoard")
        self.smoothing_label = QLabel("smoothing 0.00")
        self.show_train = QCheckBox("train (dashed)")
        self.show_train.setChecked(True)
        self.show_train.setToolTip(
            "also draw the training-set values, dashed; solid lines are the held-out test set"
        )

        # Two short rows rather than one long one: the panel fits a 1280 px window.
        bar = QGridLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.log_scale, 0, 0)
        bar.addWidget(self.show_train, 0, 1, 1, 2)
        bar.addWidget(self.smoothing_label, 1, 0)
        bar.addWidget(self.smoothing, 1, 1)
        bar.setColumnStretch(2, 1)
        self.loss = make_plot(theme, left="loss", bottom="step")
        self.metric_plot = make_plot(theme, left="metric", bottom="step")
        for w in (self.loss, self.metric_plot):
            w.getPlotItem().hideButtons()
        # A caption above the plots, not a plot title: a title wider than a narrow plot
        # widens its scene past the widget and cuts the plot on the right.
        caption = QLabel("solid: test · dashed: train · band: min–max over seeds")
        caption.setWordWrap(True)
        caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        caption.setStyleSheet("font-size: 8pt;")
        self.metric_plot.getPlotItem().setXLink(self.loss.getPlotItem())
        self.legend = add_legend(self.metric_plot, theme, offset=(-8, -8))
        self.loss_bands = BandPlot(self.loss.getPlotItem())
        self.metric_bands = BandPlot(self.metric_plot.getPlotItem(), self.legend)
        self.split = split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.loss)
        split.addWidget(self.metric_plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(caption)
        layout.addWidget(split, 1)
        self.log_scale.toggled.connect(self._log_toggled)
        self.smoothing.valueChanged.connect(self._smoothing_moved)
        self.show_train.toggled.connect(lambda _on: self.optionsChanged.emit())
        self.live = False
        self._log_toggled(True)

    def weight(self) -> float:
        return self.smoothing.value() / 100.0

    def _smoothing_moved(self, value: int) -> None:
        self.smoothing_label.setText(f"smoothing {value / 100:.2f}")
        self.optionsChanged.emit()

    def _log_toggled(self, on: bool) -> None:
        self.loss.getPlotItem().setLogMode(y=on)
        self.loss.getPlotItem().enableAutoRange(y=True)
        self.loss.getPlotItem().setLabel("left", "loss (log)" if on else "loss")

    def clear(self) -> None:
        self.loss_bands.clear()
        self.metric_bands.clear()

    def prepare(self, names: list[str], colours: Mapping[str, str]) -> None:
        """Create the (empty) curves and legend entries of a race about to start, so the
        costly first layout and paint happen before training competes for the GIL."""
        keys = set()
        for name in names:
            colour = colours.get(name, "#888888")
            for bands in (self.loss_bands, self.metric_bands):
                legend = name if bands is self.metric_bands else None
                bands.update(name, EMPTY, colour, name=legend)
                if self.show_train.isChecked():
                    bands.update(f"{name} train", EMPTY, colour, dashed=True, fill=False)
            keys.update((name, f"{name} train"))
        self.loss_bands.retain(keys)
        self.metric_bands.retain(keys)

    def blank(self) -> None:
        """Empty the curves for a new race, keeping their items for reuse."""
        self.loss_bands.blank()
        self.metric_bands.blank()

    def set_steps(self, steps: int) -> None:
        """Fix the step axis to the race's length, so growing curves do not rescale it
        (each rescale repaints the axes)."""
        plot = self.loss.getPlotItem()
        plot.enableAutoRange(x=False)
        plot.setXRange(0, max(1, steps), padding=0.02)

    def redraw(
        self,
        history: RaceHistory,
        colours: Mapping[str, str],
        which: tuple[str, ...] = ("loss", "metric"),
    ) -> None:
        """Redraw the loss and/or metric plot (``which``) from ``history``."""
        w = self.weight()
        train = self.show_train.isChecked()
        keys = set()
        metric = METRIC_NAMES.get(history.metric, history.metric)
        if self.metric_plot.getPlotItem().getAxis("left").labelText != metric:
            self.metric_plot.getPlotItem().setLabel("left", metric)
        plots = [
            (bands, key)
            for bands, key in ((self.loss_bands, "loss"), (self.metric_bands, "metric"))
            if key in which
        ]
        for name in history.activations():
            colour = colours.get(name, "#888888")
            label = name
            status = history.status_of(name)
            if status.startswith(("diverged", "failed")):
                label = f"{name} ({status})"
            for bands, key in plots:
                test = history.band(name, f"test_{key}", w)
                if test is None:  # a task without a test split: the training values
                    test = history.band(name, f"train_{key}", w)
                legend = label if bands is self.metric_bands else None
                bands.update(name, test, colour, name=legend)
                bands.update(
                    f"{name} train",
                    history.band(name, f"train_{key}", w) if train else None,
                    colour,
                    dashed=True,
                    fill=False,
                    width=1.2,
                )
            keys.update((name, f"{name} train"))
        for bands, _key in plots:
            bands.retain(keys)
        if self.live:
            for bands, key in plots:
                log = key == "loss" and self.log_scale.isChecked()
                sticky_y(bands.plot, bands.extent(), log)

    def set_live(self, live: bool) -> None:
        """While live, y ranges only widen in round steps; afterwards they fit the data."""
        self.live = live
        if not live:
            for w in (self.loss, self.metric_plot):
                w.getPlotItem().enableAutoRange(y=True)

    def apply_theme(self, theme: Theme) -> None:
        restyle(self.loss, theme)
        restyle(self.metric_plot, theme)

    def exports(self) -> list[PlotExport]:
        return [
            PlotExport("playground-loss", "Playground: loss", self.loss, self.loss_bands.columns),
            PlotExport(
                "playground-metric",
                "Playground: metric",
                self.metric_plot,
                self.metric_bands.columns,
            ),
        ]


#: A decision-boundary cell smaller than this (width, height in px) hides its axes.
SMALL_CELL = (170, 130)


class BoundaryView(pg.GraphicsLayoutWidget):
    """One small plot per activation: the median seed's decision regions (2-D tasks) or
    fitted curve (1-D tasks), with the training data drawn on top."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setBackground(theme.background)
        self.setMinimumWidth(220)
        self.cells: dict[str, dict[str, object]] = {}
        self._signature: tuple | None = None
        self.task = None
        self.history: RaceHistory | None = None
        self.step: int | None = None  # the shown step, None: the newest
        self._cols = 0
        self._domain: tuple = ()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Re-grid the cells for the new shape, so no cell is pushed out of sight."""
        super().resizeEvent(event)
        layout = getattr(self, "ci", None)  # pyqtgraph resizes before the layout exists
        count = len(layout.items) if layout is not None else 0
        if count > 1 and self.width() > 0:
            cols = best_columns(count, self.width(), self.height())
            if cols != self._cols:
                self._cols = cols
                regrid(self, cols)
        QTimer.singleShot(0, self.fit_aspect)

    def fit_aspect(self) -> None:
        """Keep the 2-D input space's shape (a unit across as long as a unit up) in every
        cell whose shape allows it; a cell far flatter or taller than the space (more than
        :data:`MAX_ASPECT_STRETCH` times) fills with the space instead, since there the
        kept shape would leave the data a few pixels across."""
        domain = self.history.domain if self.history is not None else self._domain
        if not domain or len(domain) != 2:
            return
        (x0, x1), (y0, y1) = domain
        space = (x1 - x0) / max(y1 - y0, 1e-12)
        # small cells give their axes' room to the data (their numbers would take a
        # third of it); the domain is the same in every cell and in the form's preview.
        # Decided for the grid as a whole, so every cell looks the same.
        count = len(getattr(self, "ci", None).items) if getattr(self, "ci", None) else 0
        cols = max(1, self._cols or 1)
        rows = max(1, math.ceil(max(count, 1) / cols))
        small = self.width() / cols < SMALL_CELL[0] or self.height() / rows < SMALL_CELL[1]
        for cell in self.cells.values():
            plot = cell["plot"]
            for axis in ("left", "bottom"):
                if plot.getAxis(axis).isVisible() == small:
                    (plot.hideAxis if small else plot.showAxis)(axis)
            box = plot.getViewBox().sceneBoundingRect()
            if box.height() <= 0:
                continue
            stretch = (box.width() / box.height()) / space
            keep = 1 / MAX_ASPECT_STRETCH <= stretch <= MAX_ASPECT_STRETCH
            plot.setAspectLocked(keep, ratio=1.0)
            plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def rebuild(
        self, history: RaceHistory, colours: Mapping[str, str], task: object | None
    ) -> None:
        """Lay out one cell per activation of ``history`` (data drawn once)."""
        self.rebuild_for(history.activations(), history.data, history.domain, colours, task)
        self.history = history

    def rebuild_for(
        self,
        names: list[str],
        data: Mapping[str, np.ndarray],
        domain: tuple[tuple[float, float], ...],
        colours: Mapping[str, str],
        task: object | None,
    ) -> None:
        """Lay out one cell per activation for a new race (data drawn once); the same
        activations on the same data keep their cells (only the pictures are reset)."""
        x_sig = np.asarray(data.get("x_train", np.zeros(0)))
        signature = (tuple(names), getattr(task, "name", None), tuple(domain), x_sig.tobytes())
        self.history = None
        if signature == self._signature and self.cells:
            self.task = task
            for cell in self.cells.values():
                if "image" in cell:
                    cell["image"].clear()
                if "curve" in cell:
                    cell["curve"].setData([], [])
            return
        self._signature = signature
        clear_layout(self)
        self.cells = {}
        self.task = task
        if not names or task is None:
            return
        input_dim = int(getattr(task, "input_dim", 2))
        regression_2d = input_dim == 2 and getattr(task, "loss", "") == "mse"
        shape = (getattr(task, "extras", {}) or {}).get("grid_shape")
        x = data.get("x_train", np.zeros((0, input_dim)))
        y = data.get("y_train", np.zeros((0, 1)))
        with_target = regression_2d and shape is not None
        cells = ["target"] * with_target + names
        width, height = self.width(), self.height()
        if not self.isVisible() or width < 100:
            width, height = 500, 560
        cols = best_columns(len(cells), width, height)
        self._cols = cols
        first = None
        for i, name in enumerate(cells):
            plot = self.addPlot(row=i // cols, col=i % cols)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setStyle(tickLength=-4)
                plot.getAxis(axis).enableAutoSIPrefix(False)
            style_plot(plot, self.theme)
            plot.showGrid(x=False, y=False)
            cell: dict[str, object] = {"plot": plot}
            if name == "target" and with_target:
                xs = np.concatenate([x, data.get("x_test", x[:0])])
                ys = np.concatenate([y, data.get("y_test", y[:0])])
                draw_data(plot, task, xs, ys, domain, image_ok=True, lock_aspect=False)
                plot.setTitle("target", color=self.theme.foreground, size=title_size())
            elif input_dim == 2:
                image = pg.ImageItem()
                image.setZValue(-10)
                plot.addItem(image)
                cell["image"] = image
                if not regression_2d:
                    draw_data(plot, task, x, y, domain, size=4, lock_aspect=False)
            else:
                draw_data(plot, task, x, y, domain, size=3, lock_aspect=False)
                pen = mkpen(colours.get(name, "#888"), width=line_width(2.5))
                curve = pg.PlotDataItem(pen=pen)
                curve.setZValue(30)
                plot.addItem(curve)
                cell["curve"] = curve
            if input_dim == 2 and domain:
                (x0, x1), (y0, y1) = domain
                plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
                plot.disableAutoRange()
            elif first is not None:
                plot.setXLink(first)
                plot.setYLink(first)
            if first is None:
                first = plot
            if name != "target" or not with_target:
                self.cells[name] = cell
        self._colours = dict(colours)
        self._domain = tuple(domain) if input_dim == 2 else ()
        QTimer.singleShot(0, self.fit_aspect)

    def redraw(
        self, history: RaceHistory, names: list[str] | None = None, step: int | None = None
    ) -> None:
        """Redraw the cells of ``names`` (default: all) from ``history``: the newest
        grids, or with ``step`` the grids at that recorded step (from its snapshot)."""
        task = self.task
        self.step = step
        if task is None:
            return
        lut, levels = heat_lut(
            getattr(task, "loss", "bce"), int(getattr(task, "classes", 2)), self.theme
        )
        for name, cell in self.cells.items():
            if names is not None and name not in names:
                continue
            member, grid = self._shown(history, name, step)
            plot = cell["plot"]
            colour = self._colours.get(name, self.theme.foreground)
            status = history.status_of(name, step)
            value = member.latest("test_metric", step) if member is not None else None
            text = name
            if value is not None:
                text += f"  {value:.3f}"
            if status.startswith(("diverged", "failed")):
                text += f"  ({status})"
                colour = self.theme.error
            plot.setTitle(text, color=colour, size=title_size())
            if grid is None:
                continue
            grid = np.asarray(grid, dtype=float)
            if "image" in cell and grid.ndim == 2:
                image = cell["image"]
                image.setImage(grid.T, lut=lut, levels=levels, autoLevels=False)
                (x0, x1), (y0, y1) = history.domain
                image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            elif "curve" in cell and grid.ndim == 1 and history.grid_axes:
                cell["curve"].setData(history.grid_axes[0], grid)

    def _shown(self, history: RaceHistory, name: str, step: int | None):
        """The median member of ``name`` and its grid, newest or at ``step``."""
        member = history.median_member(name, step)
        if member is None:
            return None, None
        if step is None:
            return member, member.grid
        loss = getattr(self.task, "loss", "bce")
        return member, history.grid_at(history.run_of(member), step, loss)

    def columns(self) -> dict[str, np.ndarray]:
        """The shown grids as CSV: x, y (or x) then one column per activation."""
        history = self.history
        if history is None or not history.grid_axes:
            return {}
        out: dict[str, np.ndarray] = {}
        if len(history.grid_axes) == 2:
            xs, ys = np.meshgrid(history.grid_axes[0], history.grid_axes[1])
            out["x"], out["y"] = xs.reshape(-1), ys.reshape(-1)
        else:
            out["x"] = np.asarray(history.grid_axes[0])
        for name in self.cells:
            _member, grid = self._shown(history, name, self.step)
            if grid is not None:
                out[name] = np.asarray(grid, dtype=float).reshape(-1)
        return out if len(out) > len(history.grid_axes) else {}

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._signature = None  # the data points are drawn in theme colours: lay out anew
        self.setBackground(theme.background)
        for cell in self.cells.values():
            style_plot(cell["plot"], theme)


class DiagnosticsView(QWidget):
    """Per-layer gradient norms (log scale: vanishing gradients show as a gap between
    layers), the dead-unit fraction, and the trajectories of learnable parameters."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.grads = pg.GraphicsLayoutWidget()
        self.grads.setBackground(theme.background)
        self.grad_plots: list[pg.PlotItem] = []
        self.grad_bands: list[BandPlot] = []
        self.dead = make_plot(theme, left="dead units (fraction)", bottom="step")
        self.params = make_plot(theme, left="learnable parameter", bottom="step")
        for w in (self.dead, self.params):
            w.getPlotItem().hideButtons()
        self.dead.getPlotItem().setYRange(0, 1, padding=0.02)
        self.dead.getPlotItem().enableAutoRange(axis="y", enable=False)
        self.params.setVisible(False)
        self.dead_legend = add_legend(self.dead, theme, offset=(-8, 8))
        self.params_legend = add_legend(self.params, theme, offset=(8, 8))
        self.dead_bands = BandPlot(self.dead.getPlotItem(), self.dead_legend)
        self.param_bands = BandPlot(self.params.getPlotItem(), self.params_legend)
        self.layer_choice = QComboBox()
        self.layer_choice.addItem("mean over layers", -1)
        self.layer_choice.setToolTip("which hidden layer's dead-unit fraction to draw")
        self.params_note = QLabel("no learnable parameters in this race")
        self.params_note.setStyleSheet("color: gray;")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Dead units:"))
        row.addWidget(self.layer_choice)
        row.addStretch(1)
        right_layout.addLayout(row)
        right_layout.addWidget(self.dead, 1)
        right_layout.addWidget(self.params_note)
        right_layout.addWidget(self.params, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.grads)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._layers = 0

    def clear(self) -> None:
        clear_layout(self.grads)
        self.grad_plots, self.grad_bands = [], []
        self.dead_bands.clear()
        self.param_bands.clear()
        self._layers = 0

    def _layout_grads(self, layers: int) -> None:
        clear_layout(self.grads)
        self.grad_plots, self.grad_bands = [], []
        first = None
        for layer in range(layers):
            plot = self.grads.addPlot(row=layer, col=0)
            plot.hideButtons()
            plot.setLogMode(y=True)
            out = layer == layers - 1
            plot.setLabel("left", "output layer" if out else f"layer {layer + 1}")
            plot.getAxis("left").enableAutoSIPrefix(False)
            if layer == 0:
                plot.setTitle("gradient norm ‖∂L/∂W‖ per layer, mean over seeds", size="9pt")
            if layer == layers - 1:
                plot.setLabel("bottom", "step")
            style_plot(plot, self.theme)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            self.grad_plots.append(plot)
            self.grad_bands.append(BandPlot(plot))
        self._layers = layers

    def redraw(self, history: RaceHistory, colours: Mapping[str, str], smoothing: float) -> None:
        layers = history.layers("grad_norms")
        if layers and layers != self._layers:
            self._layout_grads(layers)
        hidden = history.layers("dead_fraction")
        if self.layer_choice.count() != hidden + 1:
            self.layer_choice.blockSignals(True)
            self.layer_choice.clear()
            self.layer_choice.addItem("mean over layers", -1)
            for i in range(hidden):
                self.layer_choice.addItem(f"layer {i + 1}", i)
            self.layer_choice.blockSignals(False)
        chosen = self.layer_choice.currentData()
        for name in history.activations():
            colour = colours.get(name, "#888888")
            for layer, bands in enumerate(self.grad_bands):
                band = history.band(name, "grad_norms", smoothing, layer)
                bands.update(name, band, colour)
            if chosen is None or chosen < 0:
                band = _mean_over_layers(history, name, hidden, smoothing)
            else:
                band = history.band(name, "dead_fraction", smoothing, chosen)
            self.dead_bands.update(name, band, colour, name=name)
        self.dead_bands.retain(set(history.activations()))
        keys = set()
        for name, pnames in history.learnable().items():
            colour = colours.get(name, "#888888")
            for pname in pnames:
                for layer in range(hidden):
                    band = history.band(name, "params", smoothing, (pname, layer))
                    key = f"{name}.{pname} layer {layer + 1}"
                    keys.add(key)
                    self.param_bands.update(key, band, colour, name=key, width=1.8, fill=True)
                    line = self.param_bands.items.get(key, {}).get("line")
                    if line is not None:
                        style = LAYER_STYLES[layer % len(LAYER_STYLES)]
                        line.setPen(mkpen(colour, width=line_width(1.8), style=style))
        self.param_bands.retain(keys)
        self.params_note.setVisible(not keys)
        self.params.setVisible(bool(keys))

    def grad_columns(self) -> dict[str, np.ndarray]:
        series = []
        for layer, bands in enumerate(self.grad_bands):
            for key, (x, y) in bands.data.items():
                series.append((f"{key} layer {layer + 1}", x, y))
        return union_columns(series)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.grads.setBackground(theme.background)
        for plot in self.grad_plots:
            style_plot(plot, theme)
        restyle(self.dead, theme)
        restyle(self.params, theme)

    def exports(self) -> list[PlotExport]:
        return [
            PlotExport(
                "playground-gradients",
                "Playground: gradient norms per layer",
                self.grads,
                self.grad_columns,
            ),
            PlotExport(
                "playground-dead-units",
                "Playground: dead-unit fraction",
                self.dead,
                self.dead_bands.columns,
            ),
            PlotExport(
                "playground-params",
                "Playground: learnable parameters",
                self.params,
                self.param_bands.columns,
            ),
        ]


def _mean_over_layers(history: RaceHistory, name: str, layers: int, smoothing: float):
    bands = [history.band(name, "dead_fraction", smoothing, i) for i in range(layers)]
    bands = [b for b in bands if b is not None]
    if not bands:
        return None
    n = min(len(b.steps) for b in bands)
    from ...analysis.race_history import Band

    stack = lambda attr: np.mean([getattr(b, attr)[:n] for b in bands], axis=0)  # noqa: E731
    return Band(bands[0].steps[:n], stack("mean"), stack("low"), stack("high"))

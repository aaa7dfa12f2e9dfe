"""The Playground's "Inside the network" tab: what each hidden unit computes.

For each activation (one row block; the chooser shows one or all) it draws the median
seed's network at the shown step (:mod:`actviz.analysis.inside` computes everything):

* per hidden layer, one small picture per unit: its output over the input plane for a
  2-D task (a diverging map, orange < 0 < blue through the background: the decision
  boundaries' class colours, at fuller strength, ``figures.inside.unit_colours``; one
  symmetric scale per layer, the 95th percentile of |output|, so the units of a layer
  compare and one large unit does not wash out the rest), or its curve along the
  input for a 1-D task (one vertical scale per layer). Dead
  units are dimmed and crossed out, and their tooltip says why;
* beside them, the layer's pre-activation histogram (grey bars) under ``f`` (solid)
  and ``f'`` (dashed): whether the inputs land on a flat tail, in a kink or in the
  linear part.

Wide layers are capped at :data:`MAX_UNITS` pictures ("first 16 of 64"). Items are
created when the layout changes and updated in place otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, QSettings, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...analysis.inside import Inside, LayerInside, inside
from ...analysis.race_history import RaceHistory, union_columns
from ...figures import Figure
from ...figures.inside import (
    GAP,
    bar_outline,
    curve_span,
    inside_figure,
    map_scale,
    tile,
    unit_colours,
)
from ...training.snapshots import Snapshot
from ..pens import mkpen
from ..plots import clear_layout, restyle
from ..theme import Theme, style_plot

#: Unit pictures drawn per layer at most; the rest are counted in the layer's title.
MAX_UNITS = 16
ALL = "all activations"
#: Height of an activation's title row, and the widest the histogram column gets.
TITLE_PX = 26
HIST_PX = 240
#: The layer rows follow the view's width between these heights; the histogram column
#: is 28% of the width, between ``MIN_HIST_PX`` and ``HIST_PX``.
MIN_ROW_PX, MAX_ROW_PX = 64, 200
MIN_HIST_PX = 140
#: Units sit side by side in one strip: each cell is 1 x 1, this far from the next.
STRIDE = 1.0 + GAP
#: How much of a dead unit's picture shows through the veil of background laid over
#: it (the cross on top stays opaque).
DEAD_OPACITY = 0.3

LEGEND = (
    "Each small picture is one hidden unit's output over the input plane "
    "(orange < 0 < blue, one scale per layer; a curve for 1-D tasks). "
    "Crossed out and dimmed: a dead unit. Grey bars: where the layer's pre-activations z "
    "fall over the training inputs, under f (solid) and f' (dashed)."
)


def unit_lut(theme: Theme) -> np.ndarray:
    """The unit maps' lookup table: ``unit_colours`` over the theme's background."""
    colours = [QColor(c) for c in unit_colours(QColor(theme.background).name())]
    return pg.ColorMap([0.0, 0.5, 1.0], colours).getLookupTable(nPts=256, alpha=False)


class InsideView(QWidget):
    """See the module docstring."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.which = QComboBox()
        self.which.setToolTip("show every activation of the race, or one")
        self.which.addItem(ALL)
        self.info = QLabel(LEGEND)
        self.info.setWordWrap(True)
        self.info.setToolTip(
            "the median seed of each activation (by its latest test metric), "
            "at the step the Playground shows"
        )
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(theme.background)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.canvas)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.viewport().installEventFilter(self)
        self._layer_rows, self._titles_count, self._widest = [], 0, 1
        self._stride = STRIDE
        top = QHBoxLayout()
        top.addWidget(QLabel("show"))
        top.addWidget(self.which)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(self.scroll_area, 1)
        #: what is drawn: activation -> its network at the shown step
        self.insides: dict[str, Inside] = {}
        #: activation -> why it has no picture (no snapshot yet, a plugin error…)
        self.problems: dict[str, str] = {}
        #: activation -> per layer the items drawn (see ``_layout``)
        self.blocks: dict[str, list[dict[str, Any]]] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self._signature: tuple | None = None
        self._gap, self._stride = 0, STRIDE
        self._source: tuple[RaceHistory, Snapshot | None, Mapping[str, str]] | None = None
        #: the choice to restore when a race's activations fill the chooser
        self._preferred = ALL
        self.which.currentIndexChanged.connect(lambda _i: self._chosen())

    # -- data -------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget the last race (a new one starts). The items stay, emptied: a race of
        the same shape reuses them instead of creating its plots again."""
        self.insides, self.problems, self._source = {}, {}, None
        for title in self.titles.values():
            title.setText("")
        for layers in self.blocks.values():
            for items in layers:
                if "image" in items:
                    items["image"].clear()
                for key in ("bars", "f", "df", "live", "dead", "cross"):
                    if key in items:
                        items[key].setData([], [])
                for cell in items["cells"]:
                    if cell["dead"]:
                        cell["frame"].setBrush(QBrush(Qt.BrushStyle.NoBrush))
                        cell["label"].setColor(self.theme.muted)
                    cell["dead"] = None

    def redraw(
        self, history: RaceHistory, snapshot: Snapshot | None, colours: Mapping[str, str]
    ) -> None:
        """Look inside each activation's median seed of ``snapshot`` and draw it."""
        self._source = (history, snapshot, colours)
        names = history.activations()
        self._set_names(names)
        shown = names if self.which.currentText() == ALL else [self.which.currentText()]
        self.insides, self.problems = {}, {}
        for name in shown:
            found = self._look(history, snapshot, name)
            if isinstance(found, str):
                self.problems[name] = found
            else:
                self.insides[name] = found
        self._layout(shown, history)
        for name in shown:
            self._draw(name, history, colours)

    def _chosen(self) -> None:
        self._preferred = self.which.currentText()
        self._draw_again()

    def _draw_again(self) -> None:
        if self._source is not None:
            self.redraw(*self._source)

    def _set_names(self, names: list[str]) -> None:
        current = [self.which.itemText(i) for i in range(1, self.which.count())]
        if current == names:
            return
        self.which.blockSignals(True)
        self.which.clear()
        self.which.addItem(ALL)
        self.which.addItems(names)
        index = self.which.findText(self._preferred)
        self.which.setCurrentIndex(max(index, 0))
        self.which.blockSignals(False)

    def _look(self, history: RaceHistory, snapshot: Snapshot | None, name: str) -> Inside | str:
        if not history.grid_axes:
            return "only 1-D and 2-D tasks with a decision grid have an input plane to draw"
        member = history.median_member(name)
        if member is None:
            return "no network to show yet"
        if snapshot is None:
            return "no snapshot of the networks yet"
        run = next(i for i, m in enumerate(history.members) if m is member)
        if run not in snapshot.runs():
            return f"run {run} is not in the snapshot at step {snapshot.step}"
        try:
            by_seed = history.data.get("x_train_by_seed") or {}  # vary: each seed its draw
            x_train = by_seed.get(member.seed, history.data.get("x_train"))
            return inside(snapshot, run, history.config, x_train, history.grid_axes)
        except Exception as exc:  # noqa: BLE001 - a plugin's error must not end the view
            return f"cannot look inside: {type(exc).__name__}: {exc}"

    # -- layout -----------------------------------------------------------------------

    def _layout(self, shown: list[str], history: RaceHistory) -> None:
        """Create the items when what is shown changes shape (names, layer widths).

        Per layer there are two plots only, the histogram and a strip holding every
        unit's picture side by side: a plot per unit made the first draw of a small
        race take seconds (pyqtgraph lays out each plot item)."""
        dims = len(history.grid_axes)
        shape = tuple(
            (name, tuple(layer.units for layer in self.insides[name].layers))
            if name in self.insides
            else (name, ())
            for name in shown
        )
        signature = (shape, dims, tuple(map(tuple, history.domain)))
        if signature == self._signature:
            return
        self._signature = signature
        clear_layout(self.canvas)
        self.blocks, self.titles = {}, {}
        widest = max((min(u, MAX_UNITS) for _, units in shape for u in units), default=1)
        res = len(history.grid_axes[0]) if dims == 2 else 0
        self._gap = max(1, round(res * GAP)) if res else 0
        self._stride = (res + self._gap) / res if res else STRIDE
        row = 0
        self._layer_rows: list[int] = []
        self._titles_count = 0
        self._widest = widest
        for name, units in shape:
            title = self.canvas.addLabel("", row=row, col=0, colspan=2, justify="left")
            self.titles[name] = title
            row += 1
            self._titles_count += 1
            layers = []
            for width in units:
                layers.append(self._layer_row(row, width, widest, dims))
                self._layer_rows.append(row)
                row += 1
            self.blocks[name] = layers
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Size the histogram column and the layer rows to the view's width: the unit
        pictures fill the strip (they were 16 px at 1024 px and left a 400 px gap at
        2560), between ``MIN_ROW_PX`` and ``MAX_ROW_PX`` high."""
        rows = getattr(self, "_layer_rows", [])
        width = self.scroll_area.viewport().width()
        if width <= 0:
            return
        hist = max(MIN_HIST_PX, min(HIST_PX, int(width * 0.28)))
        strip = max(40, width - hist - 24)
        unit = strip / (self._widest * self._stride + 0.05)
        row_px = max(MIN_ROW_PX, min(MAX_ROW_PX, int(unit * 1.35)))
        grid = self.canvas.ci.layout
        grid.setColumnFixedWidth(0, hist)
        for row in rows:
            grid.setRowFixedHeight(row, row_px)
        total = self._titles_count * TITLE_PX + len(rows) * (row_px + 6)
        self.canvas.setMinimumHeight(max(total, 100))

    def eventFilter(self, watched: Any, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        return False

    def _plot(self, row: int, col: int) -> pg.PlotItem:
        plot = self.canvas.addPlot(row=row, col=col)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).enableAutoSIPrefix(False)
            plot.getAxis(axis).setStyle(tickLength=-3, maxTickLevel=0)
        style_plot(plot, self.theme)
        plot.showGrid(x=False, y=False)
        return plot

    def _layer_row(self, row: int, width: int, widest: int, dims: int) -> dict[str, Any]:
        """A layer's histogram and its strip of unit pictures: one image (2-D) or two
        curve items (live and dead units, 1-D) for all units, one item for the crosses;
        each unit's frame carries its tooltip and dims it when it is dead."""
        theme = self.theme
        hist = self._plot(row, 0)
        bars = pg.PlotDataItem(
            pen=mkpen(theme.muted, width=1), fillLevel=0.0, brush=pg.mkBrush(theme.muted)
        )
        bars.setOpacity(0.55)
        f = pg.PlotDataItem(name="f")
        df = pg.PlotDataItem(name="f'")
        for item in (bars, f, df):
            hist.addItem(item)
        strip = self.canvas.addViewBox(row=row, col=1, enableMenu=False)
        strip.setMouseEnabled(x=False, y=False)
        strip.setAspectLocked(True)
        stride = self._stride
        strip.setRange(xRange=(-0.05, widest * stride), yRange=(-0.3, 1.05), padding=0)
        items: dict[str, Any] = {"hist": hist, "bars": bars, "f": f, "df": df, "strip": strip}
        if dims == 2:
            items["image"] = pg.ImageItem()
            strip.addItem(items["image"])
        else:
            items["live"] = pg.PlotDataItem(connect="finite")
            items["dead"] = pg.PlotDataItem(connect="finite")
            strip.addItem(items["live"])
            strip.addItem(items["dead"])
        cross = pg.PlotDataItem(pen=mkpen(theme.error, width=2), connect="pairs")
        cross.setZValue(20)
        strip.addItem(cross)
        items["cross"] = cross
        cells = []
        for u in range(min(width, MAX_UNITS)):
            x0 = u * stride
            frame = QGraphicsRectItem(x0, 0.0, 1.0, 1.0)
            frame.setPen(mkpen(theme.muted, width=0))
            frame.setZValue(10)
            strip.addItem(frame)
            # the number only: "dead" would not fit a small cell (the cross says it)
            label = pg.TextItem(str(u + 1), color=theme.muted, anchor=(0.5, 0.0))
            label.setPos(x0 + 0.5, 0.0)
            strip.addItem(label)
            cells.append({"frame": frame, "label": label, "x0": x0, "dead": None, "tip": ""})
        items["cells"] = cells
        return items

    # -- drawing ----------------------------------------------------------------------

    def _draw(self, name: str, history: RaceHistory, colours: Mapping[str, str]) -> None:
        title = self.titles.get(name)
        colour = colours.get(name, self.theme.foreground)
        seen = self.insides.get(name)
        if seen is None:
            if title is not None:
                problem = self.problems.get(name, "")
                title.setText(f"<b>{name}</b>: {problem}", color=self.theme.muted)
            return
        seed = history.members[seen.run].seed
        dead = sum(int(layer.dead.sum()) for layer in seen.layers)
        total = sum(layer.units for layer in seen.layers)
        if title is not None:
            title.setText(
                f"<b>{name}</b>, median seed {seed}, step {seen.step}: "
                f"{dead} of {total} hidden units dead",
                color=colour,
            )
        for k, (layer, items) in enumerate(zip(seen.layers, self.blocks[name], strict=False)):
            self._draw_histogram(k, layer, items, colour)
            if len(seen.axes) == 2:
                self._draw_maps(k, layer, items)
            else:
                self._draw_curves(k, layer, items, colour)

    def _draw_histogram(
        self, k: int, layer: LayerInside, items: dict[str, Any], colour: str
    ) -> None:
        """Bars scaled under the curves (their tallest bar reaches 90% of the curves'
        span); the exact counts are in the CSV export."""
        lo, hi = curve_span(layer)
        peak = max(int(layer.counts.max()), 1)
        items["bars"].setData(*bar_outline(layer, lo, hi))
        items["bars"].setFillLevel(lo)
        if layer.f is not None and layer.df is not None:
            items["f"].setData(layer.curve_x, layer.f)
            items["f"].setPen(mkpen(colour, width=2))
            items["df"].setData(layer.curve_x, layer.df)
            items["df"].setPen(mkpen(colour, width=1.5, style=Qt.PenStyle.DashLine))
        else:
            items["f"].setData([], [])
            items["df"].setData([], [])
        shown = min(layer.units, MAX_UNITS)
        cap = f" (first {shown} of {layer.units} units)" if shown < layer.units else ""
        if layer.f is None and layer.note:  # gated or vector: say why there is no curve
            cap += f" · no f ({layer.note.split(':')[0]})"
        hist = items["hist"]
        hist.setTitle(f"layer {k + 1}: z{cap}", color=self.theme.foreground, size="8pt")
        n = int(layer.counts.sum())
        tip = (
            f"layer {k + 1}: {n} pre-activations (training inputs x units); "
            f"the tallest bar holds {peak}. Solid: f, dashed: f' at this layer's parameters."
        )
        if layer.note:
            tip += f"\n{layer.note}"
        hist.setToolTip(tip)

    def _draw_maps(self, k: int, layer: LayerInside, items: dict[str, Any]) -> None:
        lut = unit_lut(self.theme)
        cells = items["cells"]
        shown = layer.maps[: len(cells)]
        scale = map_scale(shown)
        tiled = tile(shown, self._gap)
        image = items["image"]
        image.setImage(tiled.T, lut=lut, levels=(-scale, scale), autoLevels=False)
        image.setRect(QRectF(0.0, 0.0, tiled.shape[1] / shown.shape[2], 1.0))
        self._mark(
            items, k, layer, f"colour scale ±{scale:.3g} shared by the layer, beyond it saturated"
        )

    def _draw_curves(self, k: int, layer: LayerInside, items: dict[str, Any], colour: str) -> None:
        """Each unit's curve in its cell, on one vertical scale for the whole layer."""
        cells = items["cells"]
        shown = layer.maps[: len(cells)]
        finite = shown[np.isfinite(shown)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        x = np.linspace(0.0, 1.0, shown.shape[1])
        parts: dict[bool, tuple[list, list]] = {True: ([], []), False: ([], [])}
        for u, cell in enumerate(cells):
            xs, ys = parts[bool(layer.dead[u])]
            xs += [cell["x0"] + x, [np.nan]]
            ys += [0.05 + 0.9 * (shown[u] - lo) / (hi - lo), [np.nan]]
        for dead, key, pen in (
            (False, "live", mkpen(colour, width=1.5)),
            (True, "dead", mkpen(self.theme.muted, width=1.5)),
        ):
            xs, ys = parts[dead]
            if xs:
                items[key].setData(np.concatenate(xs), np.concatenate(ys), pen=pen)
            else:
                items[key].setData([], [])
        self._mark(items, k, layer, f"cells share the scale {lo:.3g} to {hi:.3g}")

    def _mark(self, items: dict[str, Any], k: int, layer: LayerInside, scale: str) -> None:
        """Cross out and dim the dead units; every unit's tooltip says what it shows."""
        xs: list[float] = []
        ys: list[float] = []
        dim = QColor(self.theme.background)
        dim.setAlphaF(1.0 - DEAD_OPACITY)
        for u, cell in enumerate(items["cells"]):
            dead = bool(layer.dead[u])
            x0 = cell["x0"]
            if dead:
                xs += [x0, x0 + 1.0, x0, x0 + 1.0]
                ys += [0.0, 1.0, 1.0, 0.0]
            if cell["dead"] is not dead:  # restyle on a change only: text items are slow
                cell["frame"].setBrush(pg.mkBrush(dim) if dead else QBrush(Qt.BrushStyle.NoBrush))
                cell["label"].setColor(self.theme.error if dead else self.theme.muted)
            cell["dead"] = dead
            values = layer.maps[u]
            low, high = float(np.nanmin(values)), float(np.nanmax(values))
            tip = f"layer {k + 1}, unit {u + 1}: output {low:.3g} to {high:.3g} ({scale})"
            if dead:
                tip = f"dead: {layer.why[u]}\n{tip}"
            cell["tip"] = tip
            cell["frame"].setToolTip(tip)
        items["cross"].setData(np.asarray(xs), np.asarray(ys))

    # -- panel duties -----------------------------------------------------------------

    def figure(self) -> Figure:
        """What the tab shows, for PNG/SVG/PDF files."""
        return inside_figure(self.insides, MAX_UNITS)

    def columns(self) -> dict[str, np.ndarray]:
        """Each drawn layer's histogram (bin centres, exact counts) and f, f' as CSV
        columns over the union of their z values."""
        series = []
        for name, seen in self.insides.items():
            for k, layer in enumerate(seen.layers):
                centres = 0.5 * (layer.edges[:-1] + layer.edges[1:])
                series.append((f"{name} layer {k + 1} count", centres, layer.counts))
                if layer.f is not None and layer.df is not None:
                    series.append((f"{name} layer {k + 1} f", layer.curve_x, layer.f))
                    series.append((f"{name} layer {k + 1} f'", layer.curve_x, layer.df))
        out = union_columns(series)
        if "step" in out:  # union_columns names its x column for histories
            out = {"z": out.pop("step"), **out}
        return out

    def save(self, settings: QSettings, prefix: str) -> None:
        """Remember what the chooser shows (an activation, or all)."""
        settings.setValue(f"{prefix}/show", self._preferred)

    def restore(self, settings: QSettings, prefix: str) -> None:
        self._preferred = str(settings.value(f"{prefix}/show", ALL) or ALL)
        index = self.which.findText(self._preferred)
        if index >= 0:
            self.which.setCurrentIndex(index)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        restyle(self.canvas, theme)
        self._signature = None  # items carry theme colours: the next redraw lays out anew

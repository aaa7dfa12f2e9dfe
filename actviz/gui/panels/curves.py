"""The Curves panel: f, f' and f'' of every selected activation, stacked, sharing x.

Each activation keeps one PlotDataItem per plot; a change re-evaluates only what changed
(one activation when its slider moves) and calls ``setData`` (no clear and replot).
A crosshair reads every curve at x into a table; shading marks saturated and dead
inputs of the focused activation and labels its notable points.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...analysis.curves import CurveSet, vector_view
from ...analysis.decimate import peak_decimate
from ...analysis.regions import dead_regions, notable_points, saturated_regions
from ...analysis.sampling import SampleCache, Sampled
from ...figures import Figure
from ...figures.curves import curve_stack
from ..activation_list import swatch
from ..measurements import Measurements
from ..number_fit import fit_number, min_number_width
from ..pens import curve_pen, mkpen
from ..plots import PlotExport, add_legend, curve_columns, make_plot, restyle
from ..settings import read_json, write_json
from ..side_room import SideRoom
from ..state import MIN_POINTS, AppState
from .base import Panel
from .vector_view import VectorView

ROWS = ("f", "d1", "d2")
ROW_LABELS = {"f": "f(x)", "d1": "f′(x)", "d2": "f″(x)"}
#: Why a readout cell shows "—" where the crosshair lies on the curve's x range.
UNDEFINED = {
    "f": "f is not defined at this x (no finite value)",
    "d1": "f′ is not defined at this x: f jumps or has no finite slope here",
    "d2": "f″ is not defined at this x: f′ jumps here (a kink in f, as relu's at 0)",
}
SHORT_VIEW = {"vector": "x, 0, 0", "gated": "a = b = x"}


def legend_name(act) -> str:
    view = SHORT_VIEW.get(act.kind)
    return f"{act.name} [{view}]" if view else act.name


class CurvesPanel(Panel):
    """See the module docstring."""

    key = "curves"
    title = "Curves"

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, measurements, parent)
        self.cache = SampleCache()
        self.data: dict[str, Sampled] = {}
        self.failed: dict[str, str] = {}
        self.items: dict[str, dict[str, pg.PlotDataItem]] = {}
        self.line_width = 1.0
        self._styles: dict[str, tuple] = {}
        self._readout_names: list[str] = []
        self._mark_state: dict[str, tuple] = {}
        self._x: np.ndarray | None = None
        self._grid_key: tuple = ()
        self._dirty: set[str] = set()
        self._cross_x: float | None = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.flush)
        # What each curve's samples were reduced to: (x from, x to, pixels) of the view.
        self._display_window: tuple[float, float, int] | None = None
        self._redisplay = QTimer(self)
        self._redisplay.setSingleShot(True)
        self._redisplay.setInterval(0)
        self._redisplay.timeout.connect(self._push_all)

        self._build_controls()
        self.widgets: dict[str, pg.PlotWidget] = {}
        self.plot_splitter = QSplitter(Qt.Orientation.Vertical)
        first = None
        for row in ROWS:
            w = make_plot(state.theme, left=ROW_LABELS[row])
            w.getPlotItem().hideButtons()
            w.getPlotItem().getAxis("left").setWidth(56)  # stacked plots line up
            self.widgets[row] = w
            self.plot_splitter.addWidget(w)
            if first is None:
                first = w.getPlotItem()
                self.legend = add_legend(w, state.theme, offset=(8, 8))
                self.legend.setColumnCount(1)
            else:
                w.getPlotItem().setXLink(first)
            self.register_plot(
                PlotExport(
                    f"curves-{row}",
                    f"Curves: {ROW_LABELS[row]}",
                    w,
                    lambda r=row: self.columns(r),
                    figure=self.stack_figure,
                )
            )
        self.widgets["d2"].getPlotItem().setLabel("bottom", "x")
        view = self.widgets["f"].getPlotItem().vb
        view.sigXRangeChanged.connect(self._view_changed)
        view.sigResized.connect(self._view_changed)
        self._lines = {}
        self._regions: dict[str, list[pg.LinearRegionItem]] = {r: [] for r in ROWS}
        self._marks: dict[str, pg.ScatterPlotItem] = {}
        self._mark_labels: dict[str, list[pg.TextItem]] = {r: [] for r in ROWS}
        self._proxies = []
        for row, w in self.widgets.items():
            line = pg.InfiniteLine(angle=90, movable=False)
            line.setZValue(50)
            w.addItem(line, ignoreBounds=True)
            self._lines[row] = line
            scatter = pg.ScatterPlotItem(size=8, symbol="o")
            scatter.setZValue(60)
            w.addItem(scatter, ignoreBounds=True)
            self._marks[row] = scatter
            self._proxies.append(
                pg.SignalProxy(w.scene().sigMouseMoved, rateLimit=60, slot=self._mouse_moved)
            )

        self.readout = QTableWidget(0, 4)
        self.readout.setHorizontalHeaderLabels(["activation", "f(x)", "f′(x)", "f″(x)"])
        self.readout.verticalHeader().setVisible(False)
        self.readout.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.readout.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.readout.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        # Numbers are written to fit their cell (never "…"); a cell never gets narrower
        # than the shortest form of a number, the table scrolls sideways instead.
        self.readout.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.readout.horizontalHeader().setMinimumSectionSize(
            min_number_width(self.readout.fontMetrics())
        )
        # wide enough for the name and three numbers: the splitter may not squeeze it
        self.readout.setMinimumWidth(4 * min_number_width(self.readout.fontMetrics()) + 24)
        self.readout.horizontalHeader().sectionResized.connect(lambda *_: self._update_readout())
        self.readout_title = QLabel("x = 0")
        self.vector_view = VectorView(state, self)
        for plot in self.vector_view.exports():
            self.register_plot(plot)
        side = QSplitter(Qt.Orientation.Vertical)
        readout_box = QWidget()
        readout_layout = QVBoxLayout(readout_box)
        readout_layout.setContentsMargins(0, 0, 0, 0)
        readout_layout.addWidget(self.readout_title)
        readout_layout.addWidget(self.readout)
        side.addWidget(readout_box)
        side.addWidget(self.vector_view)
        side.setStretchFactor(0, 1)
        side.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.plot_splitter)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([760, 300])
        # the readout as wide as a name and three numbers, the plots get the rest
        self.readout_room = SideRoom(self.splitter, self._readout_width, share=0.33)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.controls)
        layout.addWidget(self.splitter, 1)

        state.selectionChanged.connect(self._selection_changed)
        state.paramsChanged.connect(self._params_changed)
        state.xRangeChanged.connect(self._range_changed)
        state.catalogueChanged.connect(self._catalogue_changed)
        state.currentChanged.connect(lambda _n: self._decorate())
        state.themeChanged.connect(self.apply_theme)
        self.apply_theme()
        self._apply_rows()
        self._selection_changed()
        self._range_changed()

    def _readout_width(self) -> int:
        """The readout's width for its longest name and three numbers of 6 digits; a
        vector activation's view below it asks for more when it is shown."""
        table = self.readout
        metrics = table.fontMetrics()
        names = [table.item(r, 0).text() for r in range(table.rowCount()) if table.item(r, 0)]
        name = max((metrics.horizontalAdvance(n) for n in names), default=0)
        name = max(name + 40, table.horizontalHeader().sectionSizeHint(0))  # + colour swatch
        number = metrics.horizontalAdvance("−0.00000") + 12
        bar = table.verticalScrollBar().sizeHint().width()
        width = name + 3 * number + bar + 2 * table.frameWidth() + 4
        if self.vector_view.isVisibleTo(self):
            width = max(width, 420)
        return width

    # -- controls ---------------------------------------------------------------------

    def _build_controls(self) -> None:
        # Two rows of controls rather than a tool bar: nothing hides in an overflow menu,
        # and each row fits a 1024 px window beside the docks.
        self.controls = QWidget()
        self.x_lo = QDoubleSpinBox()
        self.x_hi = QDoubleSpinBox()
        for box in (self.x_lo, self.x_hi):
            box.setRange(-1e6, 1e6)
            box.setDecimals(2)
            box.setKeyboardTracking(False)
            box.setMaximumWidth(76)
        self.x_lo.setValue(self.state.x_range[0])
        self.x_hi.setValue(self.state.x_range[1])
        self.points = QSpinBox()
        self.points.setRange(MIN_POINTS, 200_000)
        self.points.setSingleStep(1000)
        self.points.setValue(self.state.points)
        self.points.setKeyboardTracking(False)
        self.points.setToolTip("samples on the x range")
        self.show_d1 = QCheckBox("f′")
        self.show_d2 = QCheckBox("f″")
        self.show_d1.setChecked(True)
        self.show_d2.setChecked(True)
        self.crosshair = QCheckBox("crosshair")
        self.crosshair.setChecked(True)
        self.saturation = QCheckBox("saturated |f′| <")
        self.saturation.setToolTip("shade where the slope is small but not zero")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(1e-4, 1.0)
        self.threshold.setDecimals(3)
        self.threshold.setSingleStep(0.01)
        self.threshold.setValue(0.05)
        self.threshold.setMaximumWidth(70)
        self.dead = QCheckBox("dead (f′ = 0)")
        self.dead.setToolTip("shade where no gradient flows back")
        self.marks = QCheckBox("marks")
        self.marks.setToolTip("label notable points: peak slope, minima and maxima")
        self.marks.setChecked(True)
        self.focus_label = QLabel()
        self.focus_label.setToolTip("shading and marks are drawn for the current activation")
        reset = QPushButton("Fit")
        reset.setToolTip("fit the plots to the data")
        reset.clicked.connect(self.fit)
        rows = QVBoxLayout(self.controls)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        first, second = QHBoxLayout(), QHBoxLayout()
        for w in (QLabel("x from"), self.x_lo, QLabel("to"), self.x_hi, QLabel("points")):
            first.addWidget(w)
        first.addWidget(self.points)
        first.addSpacing(12)
        for w in (self.show_d1, self.show_d2, self.crosshair, reset):
            first.addWidget(w)
        first.addStretch(1)
        for w in (self.saturation, self.threshold, self.dead, self.marks):
            second.addWidget(w)
        second.addSpacing(12)
        second.addWidget(self.focus_label, 1)
        rows.addLayout(first)
        rows.addLayout(second)
        self.x_lo.valueChanged.connect(self._range_edited)
        self.x_hi.valueChanged.connect(self._range_edited)
        self.points.valueChanged.connect(self._range_edited)
        self.show_d1.toggled.connect(self._apply_rows)
        self.show_d2.toggled.connect(self._apply_rows)
        self.crosshair.toggled.connect(self._crosshair_toggled)
        for box in (self.saturation, self.dead, self.marks):
            box.toggled.connect(self._decorate)
        self.threshold.valueChanged.connect(self._decorate)

    def _range_edited(self) -> None:
        self.state.set_x_range(self.x_lo.value(), self.x_hi.value(), self.points.value())
        self._show_range()  # a refused range puts the boxes back to the one in use

    def _show_range(self) -> None:
        lo, hi = self.state.x_range
        boxes = ((self.x_lo, lo), (self.x_hi, hi), (self.points, self.state.points))
        for box, value in boxes:
            if box.value() != value:
                box.blockSignals(True)
                box.setValue(value)
                box.blockSignals(False)

    def set_row_visible(self, row: str, on: bool) -> None:
        {"d1": self.show_d1, "d2": self.show_d2}[row].setChecked(on)

    def _apply_rows(self) -> None:
        shown = {"f": True, "d1": self.show_d1.isChecked(), "d2": self.show_d2.isChecked()}
        for row, w in self.widgets.items():
            w.setVisible(shown[row])
        last = [r for r in ROWS if shown[r]][-1]
        for row, w in self.widgets.items():
            w.getPlotItem().setLabel("bottom", "x" if row == last else None)
            w.getPlotItem().showAxis("bottom", row == last)
        if shown["d2"] and any(self.data[n].d2 is None for n in self.data):
            self.schedule(self.state.selected)
        else:
            self._push_all()

    def _crosshair_toggled(self, on: bool) -> None:
        for line in self._lines.values():
            line.setVisible(on and self._cross_x is not None)
        self._update_readout()

    def fit(self) -> None:
        lo, hi = self.state.x_range
        self.widgets["f"].getPlotItem().setXRange(lo, hi, padding=0.0)
        for w in self.widgets.values():
            w.getPlotItem().enableAutoRange(axis="y")

    # -- state changes ----------------------------------------------------------------

    def _catalogue_changed(self) -> None:
        self.cache.clear()
        for name in list(self.items):
            self._remove(name)
        self._selection_changed()

    def _selection_changed(self) -> None:
        wanted = list(self.state.selected)
        for name in list(self.items):
            if name not in wanted:
                self._remove(name)
        new = [n for n in wanted if n not in self.items]
        for name in new:
            self._add(name)
        for name in wanted:
            self._restyle_items(name)
        self.schedule(new)
        self.vector_view.sync()
        self._decorate()
        if hasattr(self, "readout_room"):  # the names (and a vector view) set its width
            self.readout_room.schedule()

    def _params_changed(self, name: str) -> None:
        if name in self.items:
            self.schedule([name])
        self.vector_view.params_changed(name)

    def _range_changed(self) -> None:
        lo, hi = self.state.x_range
        self._show_range()
        self._x = np.linspace(lo, hi, self.state.points)
        self._grid_key = (lo, hi, self.state.points)
        self.schedule(self.state.selected)
        self.widgets["f"].getPlotItem().setXRange(lo, hi, padding=0.0)
        self.vector_view.refresh()

    # -- curve items ------------------------------------------------------------------

    def _pen(self, name: str):
        return curve_pen(self.state.style(name), width=self.line_width)

    def _add(self, name: str) -> None:
        act = self.state.activation(name)
        if act is None:
            return
        items = {}
        for row, w in self.widgets.items():
            label = legend_name(act) if row == "f" else None
            item = pg.PlotDataItem(name=label, pen=self._pen(name))
            w.addItem(item)
            items[row] = item
        self.items[name] = items

    def _remove(self, name: str) -> None:
        self._styles.pop(name, None)
        for row, item in self.items.pop(name, {}).items():
            self.widgets[row].removeItem(item)
        self.data.pop(name, None)
        self.failed.pop(name, None)

    def _restyle_items(self, name: str) -> None:
        """Set pen and stacking, only when they change (``setPen`` re-renders the curve)."""
        focus = name == self.state.focus()
        style = (self.state.style(name), self.line_width, focus)
        if self._styles.get(name) == style:
            return
        self._styles[name] = style
        pen = self._pen(name)
        for item in self.items.get(name, {}).values():
            item.setPen(pen)
            item.setZValue(10 if focus else 0)

    def set_line_width(self, width: float, antialias: bool) -> None:
        """Thin 1 px lines are fastest; thicker, smoothed lines read better on a projector."""
        self.line_width = width
        for name, items in self.items.items():
            self._restyle_items(name)
            for item in items.values():
                item.opts["antialias"] = antialias
                item.updateItems()

    # -- evaluation and drawing -------------------------------------------------------

    def schedule(self, names) -> None:
        """Mark activations for re-evaluation; the work happens once per event-loop turn."""
        self._dirty.update(names)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Evaluate what changed and update the plots now."""
        self._timer.stop()
        dirty, self._dirty = self._dirty, set()
        if self._x is None:
            return
        window = self._view_window()
        if window != self._display_window:  # the view changed too: redraw every curve
            self._display_window = window
            dirty.update(n for n in self.items if n in self.data)
        with_d2 = self.show_d2.isChecked()
        for name in [n for n in self.state.selected if n in dirty and n in self.items]:
            act = self.state.activation(name)
            params = self.state.params_for(name)
            try:
                data = self.cache.get(act, self._x, self._grid_key, params, with_d2=with_d2)
            except Exception as exc:  # noqa: BLE001 - a plugin may raise for some values
                shown = ", ".join(
                    f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in params.items()
                )
                message = f"{type(exc).__name__}: {exc}"
                self.failed[name] = message
                self.data.pop(name, None)
                self.state.notify(f"{name} failed to evaluate ({shown}): {message}")
                self._push(name)
                continue
            self.failed.pop(name, None)
            self.data[name] = data
            self._push(name)
        if self.state.focus() in dirty:
            self._decorate()
        self._update_readout()

    def _push(self, name: str) -> None:
        data = self.data.get(name)
        items = self.items.get(name)
        if items is None:
            return
        window = self._display_window
        for row, item in items.items():
            if not self.widgets[row].isVisibleTo(self) and data is not None:
                continue
            y = None if data is None else getattr(data, row)
            if y is None:
                item.setData([], [])
                continue
            x = data.x
            if window is not None:
                lo, hi, pixels = window
                x, y = peak_decimate(x, y, pixels, lo, hi)
            if np.isfinite(y).all():
                item.setData(x, y, connect="all", skipFiniteCheck=True)
            else:
                item.setData(x, y, connect="finite")

    def _push_all(self) -> None:
        self._display_window = self._view_window()
        for name in self.items:
            self._push(name)

    def _view_window(self) -> tuple[float, float, int] | None:
        """The visible x range and its width in pixels (``None`` before the first layout)."""
        vb = self.widgets["f"].getPlotItem().vb
        width = int(vb.width() * self.devicePixelRatioF())
        if width < 50:
            return None
        lo, hi = vb.viewRange()[0]
        return float(lo), float(hi), width

    def _view_changed(self) -> None:
        """After a zoom, pan or resize, re-reduce the stored samples to the new view."""
        if self._view_window() != self._display_window:
            self._redisplay.start()

    def columns(self, row: str) -> dict[str, np.ndarray]:
        """The plotted data of one row, one column per activation (NaN where it failed)."""
        x = self._x
        curves = {}
        for name in self.state.selected:
            data = self.data.get(name)
            y = getattr(data, row) if data is not None else None
            curves[name] = y if y is not None else np.full_like(x, np.nan)
        return curve_columns(x, curves)

    def stack_figure(self) -> Figure:
        """The shown rows (f, f', f'') of every selected activation as one figure."""
        shown = [r for r, w in self.widgets.items() if not w.isHidden()]
        sets, labels = [], {}
        for name in self.state.selected:
            data, act = self.data.get(name), self.state.activation(name)
            if data is None or act is None:
                continue
            d2 = data.d2 if data.d2 is not None else np.full_like(data.x, np.nan)
            sets.append(CurveSet(name, data.x, data.f, data.d1, d2, vector_view(act)))
            labels[name] = legend_name(act)
        return curve_stack(sets, shown, labels=labels)

    # -- crosshair --------------------------------------------------------------------

    def _mouse_moved(self, event) -> None:
        if not self.crosshair.isChecked():
            return
        pos = event[0]
        for w in self.widgets.values():
            plot = w.getPlotItem()
            if w.isVisible() and plot.sceneBoundingRect().contains(pos):
                self.set_crosshair(float(plot.vb.mapSceneToView(pos).x()))
                return

    def set_crosshair(self, x: float | None) -> None:
        """Put the crosshair at ``x`` (``None`` hides it) and read every curve there."""
        self._cross_x = x
        for line in self._lines.values():
            if x is not None:
                line.setValue(x)
            line.setVisible(x is not None and self.crosshair.isChecked())
        self._update_readout()

    def readout_values(self) -> dict[str, tuple[float, float, float]]:
        """Each shown curve's (f, f', f'') at the crosshair (interpolated between samples)."""
        x = self._cross_x
        out = {}
        if x is None:
            return out
        for name in self.state.selected:
            data = self.data.get(name)
            if data is None:
                continue
            values = []
            for row in ROWS:
                y = getattr(data, row)
                inside = data.x[0] <= x <= data.x[-1]
                ok = y is not None and inside
                values.append(float(np.interp(x, data.x, y)) if ok else math.nan)
            out[name] = tuple(values)
        return out

    def _update_readout(self) -> None:
        """Write the values at the crosshair into the table, reusing its cells."""
        x = self._cross_x
        values = self.readout_values()
        names = list(self.state.selected)
        self.readout_title.setText("x = —" if x is None else f"x = {x:.4g}")
        table = self.readout
        if names != self._readout_names:
            self._readout_names = names
            table.setRowCount(len(names))
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            for r, name in enumerate(names):
                item = QTableWidgetItem(name)
                item.setIcon(swatch(self.state.colour(name)))
                table.setItem(r, 0, item)
                for c in range(1, 4):
                    cell = QTableWidgetItem()
                    cell.setTextAlignment(right)
                    table.setItem(r, c, cell)
            # all rows shown, however much room the vector view takes (up to 8 rows)
            rows = min(len(names), 8)
            height = table.horizontalHeader().height() + 4
            table.setMinimumHeight(height + rows * table.verticalHeader().defaultSectionSize())
        metrics = table.fontMetrics()
        normal = self.readout.palette().text().color()
        bad = QColor(self.state.theme.error)
        for r, name in enumerate(names):
            failed = self.failed.get(name)
            row_values = values.get(name)
            data = self.data.get(name)
            inside = x is not None and data is not None and data.x[0] <= x <= data.x[-1]
            for c in range(3):
                cell = table.item(r, c + 1)
                tip = failed or ""
                if failed:
                    text = "error" if c == 0 else ""
                else:
                    v = row_values[c] if row_values else math.nan
                    text = fit_number(v, table.columnWidth(c + 1) - 10, metrics)
                    if not text and inside:  # measured, and undefined here: say so
                        text, tip = "—", UNDEFINED[ROWS[c]]
                if cell.text() != text:
                    cell.setText(text)
                cell.setToolTip(tip)
                cell.setForeground(bad if failed else normal)

    # -- shading and marks ------------------------------------------------------------

    def _decorate(self) -> None:
        """Shade and mark the focused activation (the current one, if shown)."""
        name = self.state.focus()
        for n in self.items:
            self._restyle_items(n)
        self.focus_label.setText(f"for: {name}" if name else "")
        data = self.data.get(name) if name else None
        spans: list[tuple[tuple[float, float], str]] = []
        marks = []
        if data is not None:
            if self.saturation.isChecked():
                for span in saturated_regions(data.x, data.d1, self.threshold.value()):
                    spans.append((span, self.state.theme.saturation))
            if self.dead.isChecked():
                for span in dead_regions(data.x, data.d1):
                    spans.append((span, self.state.theme.dead))
            if self.marks.isChecked():
                marks = notable_points(data.x, data.f, data.d1)
        key = (self.state.theme.name, tuple(spans))
        for row, w in self.widgets.items():
            self._draw_marks(row, w, [m for m in marks if m.row == row])
            if self._mark_state.get(f"regions-{row}") == key:
                continue
            self._mark_state[f"regions-{row}"] = key
            pool = self._regions[row]
            while len(pool) < len(spans):
                region = pg.LinearRegionItem(movable=False, pen=pg.mkPen(None))
                region.setZValue(-10)
                w.addItem(region, ignoreBounds=True)
                pool.append(region)
            for i, region in enumerate(pool):
                if i < len(spans):
                    (lo, hi), colour = spans[i]
                    region.setRegion((lo, hi))
                    region.setBrush(pg.mkBrush(colour))
                    region.show()
                else:
                    region.hide()

    def _draw_marks(self, row: str, widget: pg.PlotWidget, marks) -> None:
        theme = self.state.theme
        key = (theme.name, tuple(marks))
        if self._mark_state.get(row) == key:
            return
        self._mark_state[row] = key
        self._marks[row].setData(
            [m.x for m in marks],
            [m.y for m in marks],
            brush=pg.mkBrush(theme.background),
            pen=mkpen(theme.mark, width=1.5),
        )
        labels = self._mark_labels[row]
        while len(labels) < len(marks):
            text = pg.TextItem(anchor=(0, 1.1))
            text.setZValue(70)
            widget.addItem(text, ignoreBounds=True)
            labels.append(text)
        for i, label in enumerate(labels):
            if i < len(marks):
                label.setText(marks[i].label, color=theme.mark)
                label.setPos(marks[i].x, marks[i].y)
                label.show()
            else:
                label.hide()
        self._anchor_labels(row)

    def _anchor_labels(self, row: str) -> None:
        """Hang each mark label where it stays inside its plot (again when the view moves)."""
        box = self.widgets[row].getPlotItem().getViewBox()
        if not getattr(box, "_labels_follow", False):
            box._labels_follow = True
            box.sigRangeChanged.connect(lambda *_a, r=row: self._anchor_labels(r))
        (x0, x1), (_y0, y1) = box.viewRange()
        px, py = box.viewPixelSize()
        for label in self._mark_labels[row]:
            if label.isVisible() and px > 0 and py > 0:
                size = label.textItem.boundingRect()
                pos = label.pos()
                room = ((x1 - pos.x()) / px, (pos.x() - x0) / px, (y1 - pos.y()) / py)
                label.setAnchor(inside_anchor(size.width(), size.height(), room))

    def notable(self) -> list:
        """The marks currently drawn (for tests and export captions)."""
        name = self.state.focus()
        data = self.data.get(name) if name else None
        if data is None or not self.marks.isChecked():
            return []
        return notable_points(data.x, data.f, data.d1)

    # -- theme and settings -----------------------------------------------------------

    def apply_theme(self) -> None:
        theme = self.state.theme
        for w in self.widgets.values():
            restyle(w, theme)
        pen = mkpen(theme.muted, width=1, style=Qt.PenStyle.DashLine, cosmetic=True)
        for line in self._lines.values():
            line.setPen(pen)
        self.vector_view.apply_theme()
        self._decorate()

    def save_state(self, settings: QSettings) -> None:
        write_json(
            settings,
            "curves/options",
            {
                "d1": self.show_d1.isChecked(),
                "d2": self.show_d2.isChecked(),
                "crosshair": self.crosshair.isChecked(),
                "saturation": self.saturation.isChecked(),
                "threshold": self.threshold.value(),
                "dead": self.dead.isChecked(),
                "marks": self.marks.isChecked(),
            },
        )

    def restore_state(self, settings: QSettings) -> None:
        opts = read_json(settings, "curves/options", {})
        if not isinstance(opts, dict):
            return
        boxes = {
            "d1": self.show_d1,
            "d2": self.show_d2,
            "crosshair": self.crosshair,
            "saturation": self.saturation,
            "dead": self.dead,
            "marks": self.marks,
        }
        for key, box in boxes.items():
            if isinstance(opts.get(key), bool):
                box.setChecked(opts[key])
        if isinstance(opts.get("threshold"), (int, float)):
            self.threshold.setValue(float(opts["threshold"]))


def inside_anchor(
    width: float, height: float, room: tuple[float, float, float]
) -> tuple[float, float]:
    """Where a mark's label (``width`` x ``height`` px) hangs from its point so that it
    stays inside the plot: above and to the right, unless ``room`` (px to the right, left
    and top edges) is too small for it."""
    left = width + 6 > room[0] and room[1] > room[0]
    below = 1.2 * height > room[2]
    return (1.0 if left else 0.0, -0.1 if below else 1.1)

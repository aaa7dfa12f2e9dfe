"""The Properties panel: a sortable table of measured properties, and the deep-signal view.

Every value is measured (``actviz.analysis.properties``) in a worker thread as the panel
needs it; the deep-signal plots show per-layer statistics of a 50-layer random MLP
(``actviz.analysis.deep_signal``) for each selected activation.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...figures.curves import columns_figure
from ..flow_layout import FlowLayout
from ..frozen_column import FrozenColumn
from ..measurements import Measurements
from ..pens import mkpen
from ..plots import PlotExport, add_legend, make_plot, restyle
from ..row_height import rows_follow_font
from ..settings import read_json, write_json
from ..sorting import SortProxy
from ..state import AppState
from .base import Panel
from .properties_model import SORT_ROLE, PropertiesModel

DEEP_PLOTS = (
    ("act_mean", "activation mean", False),
    ("act_var", "activation variance", True),
    ("grad_var", "gradient variance", True),
)


class PropertiesPanel(Panel):
    """See the module docstring."""

    key = "properties"
    title = "Properties"

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, measurements, parent)
        self.model = PropertiesModel(state.theme.error)
        self.proxy = SortProxy(SORT_ROLE, self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        rows_follow_font(self.table)
        self.frozen = FrozenColumn(self.table)  # names stay while scrolling right
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.clicked.connect(self._row_clicked)

        self.only_selected = QCheckBox("selected activations only")
        self.status = QLabel()
        self.export_csv = QPushButton("Export table as CSV…")
        bar = FlowLayout()  # wraps in a narrow window and in presentation mode
        bar.addWidget(self.only_selected)
        bar.addWidget(self.export_csv)
        bar.addWidget(self.status)
        self.only_selected.toggled.connect(self._rebuild_rows)
        self.export_csv.clicked.connect(lambda: self.tableExportRequested.emit("properties-table"))

        deep = QWidget()
        deep_layout = QVBoxLayout(deep)
        deep_layout.setContentsMargins(0, 0, 0, 0)
        self.deep_title = QLabel(
            "<b>Deep signal</b>: a 50-layer random MLP (width 256, LeCun-normal weights, fixed "
            "seed, N(0, 1) inputs). Forward: mean and variance of each layer's activations. "
            "Backward: variance of the gradient reaching each layer."
        )
        self.deep_title.setWordWrap(True)
        deep_layout.addWidget(self.deep_title)
        row = QHBoxLayout()
        self.deep_widgets: dict[str, pg.PlotWidget] = {}
        self.deep_items: dict[str, dict[str, pg.PlotDataItem]] = {}
        for key, title, log in DEEP_PLOTS:
            w = make_plot(state.theme, title=title, bottom="layer")
            w.getPlotItem().hideButtons()
            w.getPlotItem().setLogMode(y=log)
            if key == "act_var":  # bottom left: empty for every typical activation
                add_legend(w, state.theme, offset=(6, -6))
            self.deep_widgets[key] = w
            row.addWidget(w)
            self.register_plot(
                PlotExport(
                    f"deep-signal-{key.replace('_', '-')}",
                    f"Deep signal: {title}",
                    w,
                    lambda k=key: self.deep_columns(k),
                    figure=lambda k=key, t=title, g=log: columns_figure(
                        self.deep_columns(k), x="layer", ylabel=t, ylog=g, name=f"deep-{k}"
                    ),
                )
            )
        deep_layout.addLayout(row, 1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(deep)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(200)
        self._refresh_timer.timeout.connect(self._refresh_if_shown)
        state.catalogueChanged.connect(self._catalogue_changed)
        state.selectionChanged.connect(self._selection_changed)
        state.paramsChanged.connect(lambda _n: self._refresh_timer.start())
        state.themeChanged.connect(self.apply_theme)
        measurements.ready.connect(self._ready)
        self._rebuild_rows()

    # -- rows -------------------------------------------------------------------------

    def names(self) -> list[str]:
        if self.only_selected.isChecked():
            return list(self.state.selected)
        return sorted(self.state.usable())

    def _catalogue_changed(self) -> None:
        self.model.clear_values()
        self._rebuild_rows()

    def _selection_changed(self) -> None:
        if self.only_selected.isChecked():
            self._rebuild_rows()
        else:
            self._sync_deep_items()
            if self.isVisible():
                self.request_all()

    def _rebuild_rows(self) -> None:
        self.model.set_names(self.names())
        self._sync_deep_items()
        if self.isVisible():
            self.request_all()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.request_all()

    def _refresh_if_shown(self) -> None:
        if self.isVisible():  # a hidden panel catches up in showEvent
            self.request_all()

    def request_all(self) -> None:
        """Ask for every measurement the panel shows; what is cached is shown at once.

        Properties come first (a row is useful without its cost), then the deep signal of
        the selected activations, then costs.
        """
        names = self.model.names
        for name in names:
            self._apply("properties", name)
        for name in self.state.selected:
            self._apply("deep", name)
        for name in names:
            self._apply("cost", name)
        self._update_status()

    def _apply(self, kind: str, name: str) -> None:
        if kind == "properties":
            props = self.measurements.properties(name)
            error = self.measurements.error("properties", name)
            if props is not None or error is not None:
                self.model.set_properties(name, props, error)
        elif kind == "cost":
            cost = self.measurements.cost(name)
            if cost is not None:
                self.model.set_cost(name, cost)
        elif kind == "deep":
            self._draw_deep(name)

    def _ready(self, kind: str, name: str) -> None:
        if kind == "deep" or name in self.model.names:
            self._apply(kind, name)
        self._update_status()

    def _update_status(self) -> None:
        done = sum(1 for n in self.model.names if n in self.model.props)
        costs = sum(1 for n in self.model.names if n in self.model.costs)
        total = len(self.model.names)
        if done == total and costs == total:
            self.status.setText(f"{total} activations measured")
        else:
            self.status.setText(f"measuring… properties {done}/{total}, cost {costs}/{total}")

    def _row_clicked(self, index) -> None:
        source = self.proxy.mapToSource(index)
        if source.isValid():
            self.state.set_current(self.model.names[source.row()])

    # -- deep signal ------------------------------------------------------------------

    def _sync_deep_items(self) -> None:
        wanted = set(self.state.selected)
        for name in list(self.deep_items):
            if name not in wanted:
                for key, item in self.deep_items.pop(name).items():
                    self.deep_widgets[key].removeItem(item)
        for name in self.state.selected:
            if name not in self.deep_items:
                items = {}
                for key, w in self.deep_widgets.items():
                    item = pg.PlotDataItem(name=name if key == "act_var" else None)
                    w.addItem(item)
                    items[key] = item
                self.deep_items[name] = items
            pen = mkpen(self.state.colour(name), width=1.5, cosmetic=True)
            for item in self.deep_items[name].values():
                item.setPen(pen)

    def _draw_deep(self, name: str) -> None:
        items = self.deep_items.get(name)
        if items is None:
            return
        signal = self.measurements.deep(name)
        if signal is None:
            return
        for key, item in items.items():
            y = np.asarray(getattr(signal, key), dtype=np.float64)
            log = dict((k, lg) for k, _t, lg in DEEP_PLOTS)[key]
            if log:
                y = np.where(y > 0, y, np.nan)  # a zero variance cannot be drawn on a log axis
            item.setData(signal.layers, y, connect="finite")

    def deep_columns(self, key: str) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name in self.state.selected:
            signal = self.measurements.deep(name)
            if signal is None:
                continue
            out.setdefault("layer", signal.layers.astype(np.float64))
            out[name] = np.asarray(getattr(signal, key), dtype=np.float64)
        return out

    def tables(self):
        return {"properties-table": self.model.csv_columns}

    # -- theme and settings -----------------------------------------------------------

    def apply_theme(self) -> None:
        self.model.error_colour = self.state.theme.error
        for w in self.deep_widgets.values():
            restyle(w, self.state.theme)

    def save_state(self, settings: QSettings) -> None:
        write_json(
            settings,
            "properties/options",
            {
                "only_selected": self.only_selected.isChecked(),
                "sort_column": self.table.horizontalHeader().sortIndicatorSection(),
                "sort_order": int(self.table.horizontalHeader().sortIndicatorOrder().value),
            },
        )

    def restore_state(self, settings: QSettings) -> None:
        opts = read_json(settings, "properties/options", {})
        if not isinstance(opts, dict):
            return
        if isinstance(opts.get("only_selected"), bool):
            self.only_selected.setChecked(opts["only_selected"])
        column = opts.get("sort_column")
        order = opts.get("sort_order")
        if isinstance(column, int) and isinstance(order, int) and 0 <= column <= 13:
            self.table.sortByColumn(column, Qt.SortOrder(order))

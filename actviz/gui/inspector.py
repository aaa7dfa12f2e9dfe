"""The right dock: everything about the current activation, and its parameter sliders.

The formula is drawn from the plugin's LaTeX; declared properties are shown next to the
measured ones (computed off the GUI thread) and disagreements are flagged.
"""

from __future__ import annotations

import html
import math
import re

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..analysis.properties import Properties, at_defaults
from ..api import Activation, Param
from . import formula
from .measurements import Measurements
from .param_slider import ParamSlider
from .state import AppState

LINK_PATTERNS = (
    (re.compile(r"arXiv:(\d{4}\.\d{4,5})"), "https://arxiv.org/abs/{}"),
    (re.compile(r"doi:(\S+)"), "https://doi.org/{}"),
    (re.compile(r"(https?://\S+)"), "{}"),
)


def reference_html(text: str) -> str:
    """A reference with arXiv ids, DOIs and URLs turned into links."""
    out = html.escape(text)
    for pattern, url in LINK_PATTERNS:
        match = pattern.search(text)
        if match:
            target = url.format(match.group(1))
            escaped = html.escape(match.group(0))
            return out.replace(escaped, f'<a href="{html.escape(target)}">{escaped}</a>', 1)
    return out


def fmt_range(lo: float | None, hi: float | None) -> str:
    def one(v: float | None) -> str:
        if v is None or (isinstance(v, float) and math.isinf(v)):
            return "∞" if (v is None or v > 0) else "−∞"
        return f"{v + 0.0:.4g}"

    return f"[{one(lo) if lo is not None and not math.isinf(lo) else '−∞'}, {one(hi)}]"


def _declared_text(act: Activation, name: str, props: Properties | None, show) -> str:
    """The declared value at the measured parameters; a plain value away from the defaults
    is marked as declared for the defaults (it is not checked there)."""
    value = getattr(act, name)
    if value is None:
        return "—"
    params = props.params if props else act.defaults()
    try:
        text = show(act.declared(name, params))
    except Exception as exc:  # noqa: BLE001 - a plugin's declaration may raise
        return f"error: {type(exc).__name__}"
    if not callable(value) and props and not at_defaults(act, params):
        text += " (at defaults)"
    return text


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def comparison_rows(act: Activation, props: Properties | None) -> list[tuple[str, str, str, bool]]:
    """(property, declared, measured, disagrees) for the inspector's table."""
    flags = " ".join(props.flags) if props else ""
    rows = []
    declared_range = _declared_text(act, "output_range", props, lambda r: fmt_range(*r))
    measured_range = fmt_range(props.range_lo, props.range_hi) if props else "…"
    rows.append(("output range", declared_range, measured_range, "range:" in flags))
    rows.append(
        (
            "monotonic",
            _declared_text(act, "monotonic", props, _yes_no),
            ("yes" if props.monotonic else "no") if props else "…",
            "monotonic:" in flags,
        )
    )
    rows.append(
        (
            "smoothness",
            _declared_text(act, "smoothness", props, str),
            props.continuity if props else "…",
            "smoothness:" in flags,
        )
    )
    rows.append(
        (
            "zero-centred",
            _declared_text(act, "zero_centered", props, _yes_no),
            (f"{'yes' if props.zero_centred else 'no'} (E={props.mean + 0.0:.2g})")
            if props
            else "…",
            "zero-centred:" in flags,
        )
    )
    if act.stochastic:
        rows.append(("stochastic", "yes", "not measured as jumps", False))
    return rows


def breakable(text: str) -> str:
    """``text`` with a break allowed after each '/' and '_' (paths and identifiers are
    long words; a label wraps only between words)."""
    return re.sub(r"(?<=[/_])(?=[^<>\s])(?![^<]*>)", "\u200b", text)


class Inspector(QScrollArea):
    """Formula, description, references, sliders and declared-vs-measured properties."""

    def __init__(
        self, state: AppState, measurements: Measurements, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.measurements = measurements
        self.setWidgetResizable(True)
        self.setMinimumWidth(240)
        # everything wraps to the dock's width: nothing is cut and nothing scrolls sideways
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._formula_pixmap = None
        body = QWidget()
        self.setWidget(body)
        self.layout_ = QVBoxLayout(body)
        self.layout_.setContentsMargins(8, 8, 8, 8)

        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.formula = QLabel()
        self.formula.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.formula.setMinimumHeight(48)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.params_box = QGroupBox("Parameters")
        self.params_layout = QVBoxLayout(self.params_box)
        self.reset = QPushButton("Reset to defaults")
        self.reset.clicked.connect(lambda: self._reset())
        self.sliders: dict[str, ParamSlider] = {}

        self.compare_box = QGroupBox("Declared vs measured")
        compare_layout = QVBoxLayout(self.compare_box)
        self.compare = QTableWidget(0, 3)
        self.compare.setHorizontalHeaderLabels(["property", "declared", "measured"])
        self.compare.verticalHeader().setVisible(False)
        # the columns share the dock's width and long values wrap onto more lines
        self.compare.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.compare.setWordWrap(True)
        self.compare.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.compare.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.compare.setMinimumWidth(0)
        self.compare.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.compare.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.compare.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.flags = QLabel()
        self.flags.setWordWrap(True)
        compare_layout.addWidget(self.compare)
        compare_layout.addWidget(self.flags)

        self.about_box = QGroupBox("About")
        self.about = QFormLayout(self.about_box)
        self.about.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)

        self.error_box = QGroupBox("Load error")
        error_layout = QVBoxLayout(self.error_box)
        self.error_text = QPlainTextEdit()
        self.error_text.setReadOnly(True)
        self.error_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        error_layout.addWidget(self.error_text)

        for w in (self.title, self.subtitle, self.formula, self.description):
            self.layout_.addWidget(w)
        for w in (self.error_box, self.params_box, self.compare_box, self.about_box):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)

        self._math_ready = False
        self._remeasure = QTimer(self)
        self._remeasure.setSingleShot(True)
        self._remeasure.setInterval(250)
        self._remeasure.timeout.connect(self.refresh_measured)

        state.currentChanged.connect(lambda _name: self.show_activation())
        state.catalogueChanged.connect(self.show_activation)
        state.themeChanged.connect(self._draw_formula)
        state.paramsChanged.connect(self._params_changed)
        measurements.ready.connect(self._measured)
        self.show_activation()

    # -- content ----------------------------------------------------------------------

    def show_activation(self) -> None:
        name = self.state.current
        entry = None
        if name:
            try:
                entry = self.state.catalogue.entry(name)
            except KeyError:
                entry = None
        self._clear_params()
        while self.about.rowCount():
            self.about.removeRow(0)
        if entry is None:
            self.title.setText("No activation")
            self.subtitle.setText("Click an activation in the list to see it here.")
            for w in (self.formula, self.description):
                w.clear()
            for box in (self.params_box, self.compare_box, self.about_box, self.error_box):
                box.hide()
            return
        act = entry.activation
        self.title.setText(act.name)
        where = f"{entry.source}: {entry.plugin}"
        year = f" · {act.year}" if act.year else ""
        self.subtitle.setText(f"{act.family} · {act.kind}{year} · {where}")
        self.subtitle.setToolTip(entry.location)
        self.description.setText(act.description or "(no description)")
        self._draw_formula()
        self.error_box.setVisible(not entry.ok)
        if not entry.ok:
            err = entry.error
            self.error_text.setPlainText(f"{err.summary()}\n\n{err.traceback or ''}".strip())
        self._build_params(act if entry.ok else None)
        self._fill_about(act)
        self.compare_box.setVisible(entry.ok)
        if entry.ok:
            self.refresh_measured()

    def enable_math(self) -> None:
        """Draw formulas from now on; the window calls this after its first paint, since
        importing matplotlib takes ~0.4 s (until then the space stays blank)."""
        if not self._math_ready:
            self._math_ready = True
            self._draw_formula()

    def _draw_formula(self) -> None:
        self._formula_pixmap = None
        act = self.state.activation(self.state.current)
        latex = act.formula if act else ""
        if not latex:
            self.formula.setText("")
            return
        if not self._math_ready:
            self.formula.clear()  # raw LaTeX would flash before the drawn formula
            self.formula.setToolTip(latex)
            return
        pixmap = formula.render(latex, self.state.theme.foreground)
        if pixmap is None:
            self.formula.setText(latex)  # replaces any previous pixmap
            self.formula.setToolTip("mathtext could not draw this formula; shown as LaTeX")
        else:
            self._formula_pixmap = pixmap
            self._fit_formula()
            self.formula.setToolTip(latex)

    def _clear_params(self) -> None:
        for slider in self.sliders.values():
            slider.setParent(None)
            slider.deleteLater()
        self.sliders.clear()
        while self.params_layout.count():
            item = self.params_layout.takeAt(0)
            if item.widget() is not None and item.widget() is not self.reset:
                item.widget().deleteLater()

    def _build_params(self, act: Activation | None) -> None:
        if act is None or not act.params:
            self.params_box.setVisible(bool(act))
            if act is not None:
                self.params_layout.addWidget(QLabel("This activation has no parameters."))
            return
        self.params_box.show()
        values = self.state.params_for(act.name)
        for p in act.params:
            if p.name not in values:  # vector and per-unit values: shown in Learned shapes
                continue
            if p.kind == "choice":
                self.params_layout.addWidget(self._choice_box(act.name, p, values[p.name]))
                continue
            slider = ParamSlider(p, values[p.name])
            slider.valueChanged.connect(
                lambda pname, value, n=act.name: self.state.set_param(n, pname, value)
            )
            self.params_layout.addWidget(slider)
            self.sliders[p.name] = slider
        self.params_layout.addWidget(self.reset)

    # -- fitting the dock's width -----------------------------------------------------

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_formula()
        self._fit_compare()

    def _room(self) -> int:
        margins = self.layout_.contentsMargins()
        return max(40, self.viewport().width() - margins.left() - margins.right())

    def _fit_formula(self) -> None:
        """The drawn formula, shrunk to the dock's width when wider (never enlarged)."""
        pixmap = self._formula_pixmap
        if pixmap is None:
            return
        room = int(self._room() * pixmap.devicePixelRatio())
        if pixmap.width() > room:
            pixmap = pixmap.scaledToWidth(room, Qt.TransformationMode.SmoothTransformation)
        self.formula.setPixmap(pixmap)

    def _fit_compare(self) -> None:
        """Rows as tall as their wrapped text; the table as tall as its rows."""
        table = self.compare
        table.resizeRowsToContents()
        height = sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(height + table.horizontalHeader().height() + 4)

    def _fill_about(self, act: Activation) -> None:
        self.about_box.show()

        def add(label: str, text: str) -> None:
            value = QLabel(breakable(text))
            value.setWordWrap(True)
            value.setOpenExternalLinks(True)
            value.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextBrowserInteraction
                | Qt.TextInteractionFlag.TextSelectableByMouse
            )
            self.about.addRow(f"<b>{label}</b>", value)

        if act.references:
            add("References", "<br>".join(reference_html(r) for r in act.references))
        if act.use_cases:
            add("Use cases", "<br>".join("• " + html.escape(u) for u in act.use_cases))
        if act.limitations:
            add("Limitations", "<br>".join("• " + html.escape(u) for u in act.limitations))
        if act.is_vector:
            from ..analysis.curves import vector_view

            add("Plotted as", html.escape(vector_view(act)))
        if act.formula:
            add("LaTeX", f"<code>{html.escape(act.formula)}</code>")

    def _choice_box(self, activation: str, p: Param, value: str) -> QWidget:
        """A labelled drop-down for a choice option (a base function, a mode)."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(p.name))
        combo = QComboBox()
        combo.addItems(list(p.choices))
        combo.setCurrentText(str(value))
        combo.setToolTip(p.description or p.name)
        combo.currentTextChanged.connect(
            lambda text, n=activation, pname=p.name: self.state.set_param(n, pname, text)
        )
        row.addWidget(combo, 1)
        return box

    def _reset(self) -> None:
        name = self.state.current
        if name:
            self.state.reset_params(name)

    # -- live values ------------------------------------------------------------------

    def _params_changed(self, name: str) -> None:
        if name != self.state.current:
            return
        values = self.state.params_for(name)
        for pname, slider in self.sliders.items():
            if (
                pname in values
                and abs(slider.value() - values[pname]) > 1e-12
                and not slider.slider.isSliderDown()
            ):
                slider.set_value(values[pname])
        self._remeasure.start()

    def _measured(self, kind: str, name: str) -> None:
        if kind == "properties" and name == self.state.current:
            self.refresh_measured()

    def refresh_measured(self) -> None:
        name = self.state.current
        act = self.state.activation(name)
        if act is None:
            return
        props = self.measurements.properties(name)
        rows = comparison_rows(act, props)
        self.compare.setRowCount(len(rows))
        bad = QColor(self.state.theme.error)
        for r, (label, declared, measured, disagrees) in enumerate(rows):
            cells = [label, declared, measured]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(("⚠ " if disagrees and c == 2 else "") + text)
                if disagrees:
                    item.setForeground(bad)
                self.compare.setItem(r, c, item)
        self._fit_compare()
        if props is None:
            error = self.measurements.error("properties", name)
            self.flags.setText(f"Measuring failed: {error}" if error else "Measuring…")
        elif props.flags:
            items = "".join(f"<li>{html.escape(f)}</li>" for f in props.flags)
            colour = self.state.theme.error
            self.flags.setText(
                f"<span style='color:{colour}'>Disagreements:</span><ul>{items}</ul>"
            )
        else:
            self.flags.setText("Every declared property agrees with the measurement.")

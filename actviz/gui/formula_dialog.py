"""New activation from a typed formula: live f and f', symbolic derivative, validation, save.

The user types a name and a formula in ``x`` and declares its parameters; ~150 ms after
the last edit the dialog parses it with :mod:`actviz.formula` (never ``eval``: the
parser translates a whitelisted syntax tree), renders f and its symbolic derivative,
plots both, and runs the host's validation on the built activation. A
:class:`~actviz.formula.FormulaError` is shown in red with its span underlined in the
formula field. Save writes a normal plugin file into the user's plugin folder and
the main window reloads and selects it. What the user typed is kept in the settings
store, so closing the dialog by mistake loses nothing.

``ACTVIZ_OPEN=formula`` opens the dialog as the app starts (screenshots, demos).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFontDatabase,
    QInputMethodEvent,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..api import Param
from ..figures.palette import colour_for
from ..formula import (
    CONSTANTS,
    FUNCTIONS,
    MAX_LENGTH,
    VARIABLE,
    Formula,
    FormulaError,
    PluginWriteError,
    check_name,
    check_param_name,
    plugin_path,
    write_compiled_plugin,
)
from ..formula.sandbox import time_limit
from ..host.validation import ValidationReport
from ..paths import user_plugin_dir
from . import formula as latex_render
from .formula_worker import CompileOutcome, FormulaCompiler
from .pens import mkpen
from .plots import make_plot, restyle
from .settings import open_settings, read_json, write_json
from .theme import LIGHT, Theme

if TYPE_CHECKING:
    from .owner_window import OwnerWindow
    from .state import AppState

OPEN_ENV = "ACTVIZ_OPEN"
DRAFT_KEY = "formula_dialog/draft"
GEOMETRY_KEY = "formula_dialog/geometry"
DEBOUNCE_MS = 150
#: Time allowed for tidying the derivative while the user types (saving takes longer).
LIVE_BUDGET_S = 0.2
POINTS = 1201
COLUMNS = ("Name", "Default", "Min", "Max", "Learnable")
#: What a parameter offered from the formula starts with: a positive scale around 1.
SUGGESTED = ("1.0", "0.01", "10.0")
EXAMPLE = {
    "name": "snake",
    "formula": "x + sin(a*x)**2/a",
    "params": [["a", "1.0", "0.1", "10.0", True]],
}
PREVIEW_NAME = "preview"
#: Formulas longer than this get no caret line under the error (it would not wrap).
CARET_MAX_CHARS = 80


# -- pure helpers (no widgets) ----------------------------------------------------------


def unknown_names(text: str, declared: Iterable[str]) -> list[str]:
    """Names ``text`` uses as values that are not ``x``, a constant or a declared parameter.

    Only ``ast.parse`` is used (it builds a tree, it runs nothing); names that could not
    be parameters (functions, reserved words, ``_private``) are left out, in order of
    first use.
    """
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return []
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    skip = {VARIABLE, *CONSTANTS, *FUNCTIONS, *declared}
    found: list[str] = []
    nodes = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called),
        key=lambda n: n.col_offset,
    )
    for node in nodes:
        if node.id in skip or node.id in found:
            continue
        try:
            check_param_name(node.id)
        except FormulaError:
            continue
        found.append(node.id)
    return found


def _number(text: str, label: str, row: int, *, optional: bool) -> float | None:
    text = text.strip()
    if not text and optional:
        return None
    try:
        value = float(text)
    except ValueError:
        what = f"{label} {text!r} is not a number" if text else f"{label} is empty"
        raise FormulaError(f"parameter row {row + 1}: {what}") from None
    if not math.isfinite(value):
        raise FormulaError(f"parameter row {row + 1}: {label} must be a finite number")
    return value


def params_from_rows(rows: list[list[Any]]) -> list[Param]:
    """``[name, default, min, max, learnable]`` rows as typed -> parameters, or FormulaError.

    The error's ``param`` names the row's parameter so the table can mark it.
    """
    params = []
    for i, (name, default, lo, hi, learnable) in enumerate(rows):
        name = str(name).strip()
        if not name:
            raise FormulaError(f"parameter row {i + 1}: give the parameter a name")
        check_param_name(name)
        value = _number(str(default), "default", i, optional=False)
        low = _number(str(lo), "min", i, optional=True)
        high = _number(str(hi), "max", i, optional=True)
        try:
            params.append(Param(name, value, low, high, learnable=bool(learnable)))
        except ValueError as exc:
            raise FormulaError(str(exc), param=name) from None
    return params


# -- the formula field --------------------------------------------------------------------


class FormulaEdit(QLineEdit):
    """A line edit that can underline a span of its text in red (the offending part)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 11.0))
        self.setFont(font)
        self.setMaxLength(MAX_LENGTH)
        self.error_span: tuple[int, int] | None = None
        self._colour = LIGHT.error

    def set_error_span(self, span: tuple[int, int] | None, colour: str | None = None) -> None:
        """Underline ``span`` (start, end) with a red wave; ``None`` clears it."""
        if colour:
            self._colour = colour
        if span is not None:
            start = max(0, min(span[0], len(self.text())))
            end = max(start, min(span[1], len(self.text())))
            if end == start:  # an error at the very end (``x +``): mark the last character
                start = max(0, start - 1)
                end = len(self.text())
            span = (start, end)
        self.error_span = span
        # Text formats reach a line edit's layout only through an input method event
        # with an empty pre-edit string: it changes no text, only how it is drawn.
        attributes = []
        if span is not None and span[1] > span[0]:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(self._colour))
            fmt.setForeground(QColor(self._colour))
            background = QColor(self._colour)
            background.setAlpha(40)
            fmt.setBackground(background)
            attributes.append(
                QInputMethodEvent.Attribute(
                    QInputMethodEvent.AttributeType.TextFormat,
                    span[0] - self.cursorPosition(),
                    span[1] - span[0],
                    fmt,
                )
            )
        QCoreApplication.sendEvent(self, QInputMethodEvent("", attributes))

    def select_error(self) -> None:
        """Select the underlined part, so typing replaces it."""
        if self.error_span is not None:
            start, end = self.error_span
            self.setFocus()
            self.setSelection(start, end - start)


# -- the dialog ---------------------------------------------------------------------------


class FormulaDialog(QDialog):
    """See the module docstring. ``saved`` carries the activation name and the file path."""

    saved = Signal(str, str)

    def __init__(self, state: AppState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New activation from formula")
        self.state = state
        self.theme: Theme = state.theme if state is not None else LIGHT
        self.settings = open_settings()
        self.formula: Formula | None = None
        self.report: ValidationReport | None = None
        self.problem: str | None = None  # why Save is off, in words
        self._loading = False

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh)
        self.compiler = FormulaCompiler(LIVE_BUDGET_S, self)
        self.compiler.finished.connect(self._show_outcome)
        self.compiler.warm_up()

        self._build()
        self.compiler.busyChanged.connect(self._show_busy)
        self._load_draft()
        self.refresh()
        if state is not None:
            state.themeChanged.connect(self._theme_changed)

    def _theme_changed(self) -> None:
        if self.state is not None:
            self.theme = self.state.theme
        self._restyle_static()
        self.refresh()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("lower-case name, e.g. my_swish")
        self.formula_edit = FormulaEdit()
        self.formula_edit.setPlaceholderText("a formula in x, e.g. x * sigmoid(beta * x)")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.RichText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.linkActivated.connect(lambda _link: self.formula_edit.select_error())
        self.suggest_button = QPushButton()
        self.suggest_button.setToolTip(
            "declare these names as parameters (default 1, range 0.01-10)"
        )
        self.suggest_button.clicked.connect(self.add_unknown_params)
        self.suggest_button.hide()

        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Formula f(x) =", self.formula_edit)
        form.addRow("", self.error_label)
        form.addRow("", self.suggest_button)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(110)
        self.table.setMaximumHeight(190)
        self.add_button = QPushButton("&Add parameter")
        self.remove_button = QPushButton("&Remove parameter")
        self.add_button.clicked.connect(lambda: self.add_param_row())
        self.remove_button.clicked.connect(self.remove_param_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        params_box = QGroupBox("Parameters")
        params_layout = QVBoxLayout(params_box)
        params_layout.addWidget(self.table)
        params_layout.addLayout(buttons)

        self.help_label = QLabel(
            "Functions: "
            + ", ".join(FUNCTIONS)
            + f". Constants: {', '.join(CONSTANTS)}. Operators: + - * / **; "
            "where(x > 0, a, b) picks by a condition. Nothing typed here is run as code."
        )
        self.help_label.setWordWrap(True)
        self.validation_label = QLabel()
        self.validation_label.setWordWrap(True)
        self.validation_label.setTextFormat(Qt.TextFormat.RichText)
        validation_box = QGroupBox("Validation (as when the plugin loads)")
        QVBoxLayout(validation_box).addWidget(self.validation_label)

        self.f_tex = QLabel()
        self.d_tex = QLabel()
        for label in (self.f_tex, self.d_tex):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            label.setMinimumHeight(40)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tex_holder = QWidget()
        tex_layout = QVBoxLayout(tex_holder)
        tex_layout.setContentsMargins(4, 4, 4, 4)
        tex_layout.addWidget(self.f_tex)
        tex_layout.addWidget(self.d_tex)
        self.tex_area = QScrollArea()
        self.tex_area.setWidget(tex_holder)
        self.tex_area.setWidgetResizable(True)
        self.tex_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tex_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tex_area.setFixedHeight(112)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addLayout(form)
        left_layout.addWidget(self.tex_area)
        left_layout.addWidget(params_box)
        left_layout.addWidget(validation_box)
        left_layout.addWidget(self.help_label)
        left_layout.addStretch(1)

        self.f_plot = make_plot(self.theme, left="f(x)")
        self.d_plot = make_plot(self.theme, left="f′(x)", bottom="x")
        self.d_plot.setXLink(self.f_plot)
        self.f_curve = self.f_plot.plot([], [], connect="finite")
        self.d_curve = self.d_plot.plot([], [], connect="finite")
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.f_plot)
        plots.addWidget(self.d_plot)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(plots, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([440, 640])

        self.target_label = QLabel()
        self.target_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("&Save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.busy_bar = QProgressBar()  # indeterminate while the formula compiles
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(110)
        self.busy_bar.setFormat("checking…")
        self.busy_bar.setToolTip("compiling the formula (stopped after a few seconds)")
        self.busy_bar.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.target_label, 1)
        bottom.addWidget(self.busy_bar)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self.name_edit.textChanged.connect(self.schedule)
        self.formula_edit.textChanged.connect(self.schedule)
        self.table.itemChanged.connect(lambda _item: self.schedule())
        self._restyle_static()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(1120, 700)

    def _restyle_static(self) -> None:
        self.help_label.setStyleSheet(f"color: {self.theme.muted};")
        self.target_label.setStyleSheet(f"color: {self.theme.muted};")
        self.formula_edit.set_error_span(self.formula_edit.error_span, self.theme.error)
        for plot in (self.f_plot, self.d_plot):
            restyle(plot, self.theme)
        self._pen_curves()

    def _pen_curves(self) -> None:
        """Draw f and f' in the colour the activation will have once it is added."""
        colour = colour_for(self.name_edit.text().strip() or "formula", self.theme.dark)
        for curve in (self.f_curve, self.d_curve):
            curve.setPen(mkpen(colour, width=2))

    # -- parameters table -----------------------------------------------------------------

    def add_param_row(
        self,
        name: str = "",
        default: str = "1.0",
        lo: str = "",
        hi: str = "",
        learnable: bool = False,
    ) -> int:
        """Append a parameter row (typed values are kept as text until parsed)."""
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        for column, text in enumerate((name, default, lo, hi)):
            self.table.setItem(row, column, QTableWidgetItem(str(text)))
        check = QTableWidgetItem()
        check.setFlags(
            Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
        )
        check.setCheckState(Qt.CheckState.Checked if learnable else Qt.CheckState.Unchecked)
        check.setToolTip("trained with the network (arrives as a tensor)")
        self.table.setItem(row, len(COLUMNS) - 1, check)
        self.table.blockSignals(False)
        if not name and not self._loading:
            self.table.setCurrentCell(row, 0)
            self.table.editItem(self.table.item(row, 0))  # type the name straight away
        self.schedule()
        return row

    def remove_param_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
        self.schedule()

    def param_rows(self) -> list[list[Any]]:
        """The table as typed: ``[name, default, min, max, learnable]`` per row."""
        rows = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(len(COLUMNS))]
            texts = [c.text() if c is not None else "" for c in cells[:-1]]
            learnable = cells[-1] is not None and cells[-1].checkState() == Qt.CheckState.Checked
            rows.append([*texts, learnable])
        return rows

    def add_unknown_params(self) -> None:
        """Declare every undeclared name the formula uses, with :data:`SUGGESTED` values."""
        declared = [row[0].strip() for row in self.param_rows()]
        for name in unknown_names(self.formula_edit.text(), declared):
            self.add_param_row(name, *SUGGESTED)
        self.refresh()

    def _mark_param_rows(self, bad: str | None) -> None:
        colour = QColor(self.theme.error)
        colour.setAlpha(60)
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is None:
                continue
            hit = bad is not None and item.text().strip() == bad
            for c in range(len(COLUMNS) - 1):
                cell = self.table.item(r, c)
                if cell is not None:
                    cell.setBackground(colour if hit else QColor(0, 0, 0, 0))
        self.table.blockSignals(False)

    # -- live update ----------------------------------------------------------------------

    def schedule(self) -> None:
        """Refresh once the user pauses typing for :data:`DEBOUNCE_MS`."""
        if not self._loading:
            self.timer.start()

    @property
    def busy(self) -> bool:
        """True while a formula is being compiled (off the GUI thread)."""
        return self.compiler.busy

    def refresh(self) -> None:
        """Compile the formula in the background; :meth:`_show_outcome` shows the answer.

        Compiling never runs on this thread, so the dialog stays responsive however
        slow sympy is; typing again makes the pending answer stale.
        """
        self.timer.stop()
        self._save_draft()
        text = self.formula_edit.text()
        try:
            params = params_from_rows(self.param_rows())
        except FormulaError as exc:
            self.compiler.invalidate()
            self._show_outcome(CompileOutcome(self.compiler.generation, text, None, None, exc))
            return
        self.compiler.request(text, params, self._name_or_preview(), self.theme.foreground)

    def _show_outcome(self, outcome: CompileOutcome) -> None:
        """Plot, render and validate what the compiler produced, and decide about Save."""
        text, error = outcome.text, outcome.error
        self.formula, self.report = outcome.formula, outcome.report
        self._show_error(error, text)
        self._show_suggestion(text)
        if self.formula is not None:
            self._plot(self.formula)
            self._render_tex(self.formula)
        else:
            self._dim_previous()
        self._show_validation()
        self._update_save(error)

    def _show_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        if busy:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip("checking the formula…")
            self.validation_label.setText(
                f"<span style='color:{self.theme.muted}'>checking the formula… (stopped "
                f"after {time_limit():g} s if sympy takes longer)</span>"
            )

    def _name_or_preview(self) -> str:
        try:
            return check_name(self.name_edit.text().strip())
        except FormulaError:
            return PREVIEW_NAME

    def _show_error(self, error: FormulaError | None, text: str) -> None:
        self.formula_edit.set_error_span(error.span if error else None, self.theme.error)
        self._mark_param_rows(error.param if error else None)
        if error is None:
            self.error_label.clear()
            self.error_label.hide()
            return
        colour = self.theme.error
        message = _escape(error.message)
        caret = ""
        if error.span is not None:
            caret = "<a href='select'>select the part</a>"
            if len(text) <= CARET_MAX_CHARS:  # a longer <pre> would push the plots away
                marked = _escape(error.caret(text))
                caret = f"<pre style='margin:2px 0 0 0; color:{colour}'>{marked}</pre>{caret}"
        self.error_label.setText(f"<span style='color:{colour}'>{message}</span>{caret}")
        self.error_label.show()

    def _show_suggestion(self, text: str) -> None:
        declared = [row[0].strip() for row in self.param_rows()]
        names = unknown_names(text, declared)
        if names:
            listed = ", ".join(names)
            word = "parameters" if len(names) > 1 else "a parameter"
            self.suggest_button.setText(f"Add {listed} as {word}")
        self.suggest_button.setVisible(bool(names))

    def _grid(self) -> torch.Tensor:
        lo, hi = self.state.x_range if self.state is not None else (-6.0, 6.0)
        return torch.linspace(lo, hi, POINTS, dtype=torch.float64)

    def _plot(self, formula: Formula) -> None:
        x = self._grid()
        values = formula.defaults()
        with torch.no_grad():
            f = formula.fn(x, **values).to(torch.float64).numpy()
            d = formula.derivative(x, **values).to(torch.float64).numpy()
        xs = x.numpy()
        self.f_curve.setData(xs, np.asarray(f, dtype=float))
        self.d_curve.setData(xs, np.asarray(d, dtype=float))
        self._pen_curves()
        for curve in (self.f_curve, self.d_curve):
            curve.setOpacity(1.0)

    def _dim_previous(self) -> None:
        """Keep the last good curves, faded, while the formula is being edited."""
        for curve in (self.f_curve, self.d_curve):
            curve.setOpacity(0.3)
        for label in (self.f_tex, self.d_tex):
            label.setEnabled(False)

    def _render_tex(self, formula: Formula) -> None:
        labels = {"f": self.f_tex, "d": self.d_tex}
        for which, full in latex_render.formula_lines(formula.latex, formula.derivative_latex):
            label = labels[which]
            label.setEnabled(True)
            # drawn on the compiler's thread already (see FormulaCompiler): a cache hit
            pixmap = latex_render.render(full, self.theme.foreground, dpi=latex_render.DIALOG_DPI)
            if pixmap is None:
                label.setText(full)  # mathtext cannot draw it: show the LaTeX itself
            else:
                label.setPixmap(pixmap)
            label.setToolTip(full)

    def _show_validation(self) -> None:
        if self.report is None:
            self.validation_label.setText(
                f"<span style='color:{self.theme.muted}'>runs once the problem above is fixed"
                "</span>"
            )
            return
        good, bad = self.theme.foreground, self.theme.error
        parts = []
        for check in self.report.checks:
            if check.ok:
                parts.append(f"<span style='color:{good}'>✓ {check.name}</span>")
            else:
                detail = _escape(check.detail)
                parts.append(f"<span style='color:{bad}'>✗ {check.name}: {detail}</span>")
        note = ""
        if self.report.ok:
            note = "<br>f′ is the symbolic derivative; it matches autograd on the test grid."
        self.validation_label.setText(" &nbsp; ".join(parts) + note)

    def target(self) -> Path | None:
        """The file Save writes, or ``None`` while the name is not usable."""
        try:
            name = check_name(self.name_edit.text().strip())
        except FormulaError:
            return None
        return plugin_path(user_plugin_dir(), name)

    def _clash(self, name: str, target: Path) -> str | None:
        """Another plugin already using this activation or module name, in words."""
        if self.state is None:
            return None
        here = str(target.resolve())
        cat = self.state.catalogue
        for entry in cat.entries:
            if entry.name == name and entry.location != here:
                return f"the name {name!r} is taken by plugin {entry.plugin!r} ({entry.source})"
        for record in cat.plugins:
            if record.name == name and record.location != here:
                return f"a plugin module named {name!r} exists ({record.source}); choose another"
        return None

    def _update_save(self, error: FormulaError | None) -> None:
        problem = None
        name = self.name_edit.text().strip()
        target = self.target()
        if target is None:
            try:
                check_name(name)
            except FormulaError as exc:
                problem = exc.message if name else "give the activation a name"
        if problem is None and error is not None:
            problem = error.message
        if problem is None and self.report is not None and not self.report.ok:
            problem = f"validation failed: {self.report.error}"
        if problem is None and target is not None:
            problem = self._clash(name, target)
        self.problem = problem
        self.save_button.setEnabled(problem is None)
        if problem is not None:
            self.save_button.setToolTip(f"cannot save: {problem}")
        else:
            self.save_button.setToolTip(f"write {target} and load it")
        self.target_label.setText(f"Saves to {_short(target)}" if target else "")
        self.target_label.setToolTip(str(target) if target else "")

    # -- saving ---------------------------------------------------------------------------

    def save(self) -> Path | None:
        """Write the plugin file (asking before replacing one); returns its path."""
        target = self.target()
        if self.busy or self.timer.isActive() or self.formula is None:
            return None  # Save is off until the current text has been checked
        if self.problem is not None or target is None:
            return None
        name = target.stem
        overwrite = False
        if target.exists():
            answer = QMessageBox.question(
                self,
                "Replace plugin?",
                f"{target} already exists.\n\nReplace it with this formula?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
            overwrite = True
        try:
            path = write_compiled_plugin(target.parent, name, self.formula, overwrite=overwrite)
        except FormulaError as exc:
            self._show_error(exc, self.formula_edit.text())
            return None
        except FileExistsError:
            QMessageBox.warning(
                self, "Not saved", f"{target} appeared while saving; save again to replace it."
            )
            return None
        except (PluginWriteError, OSError) as exc:
            QMessageBox.warning(
                self,
                "Cannot write the plugin",
                f"actviz cannot write into your plugin folder\n{target.parent}\n\n{exc}\n\n"
                "Check that the folder is writable, or point ACTVIZ_USER_PLUGIN_DIR at one "
                "that is. Your formula is kept in this dialog.",
            )
            return None
        self.settings.remove(DRAFT_KEY)
        self.saved.emit(name, str(path))
        self.accept()
        return path

    # -- remembered draft -----------------------------------------------------------------

    def _draft(self) -> dict[str, Any]:
        return {
            "name": self.name_edit.text(),
            "formula": self.formula_edit.text(),
            "params": self.param_rows(),
        }

    def _save_draft(self) -> None:
        if not self._loading:
            write_json(self.settings, DRAFT_KEY, self._draft())

    def _load_draft(self) -> None:
        draft = read_json(self.settings, DRAFT_KEY, None)
        if not isinstance(draft, dict):
            draft = EXAMPLE
        self._loading = True
        try:
            self.set_draft(draft)
        finally:
            self._loading = False
        geometry = self.settings.value(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)

    def set_draft(self, draft: dict[str, Any]) -> None:
        """Fill the fields from a draft (name, formula, parameter rows as typed)."""
        self.name_edit.setText(str(draft.get("name", "")))
        self.formula_edit.setText(str(draft.get("formula", "")))
        self.table.setRowCount(0)
        for row in draft.get("params", []) or []:
            if isinstance(row, list) and len(row) == len(COLUMNS):
                *texts, learnable = row
                self.add_param_row(*(str(t) for t in texts), learnable=bool(learnable))

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        self.timer.stop()
        if result != QDialog.DialogCode.Accepted:
            self._save_draft()
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.sync()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.timer.stop()
        self._save_draft()
        super().closeEvent(event)


def _short(path: Path) -> str:
    """``path`` with the home folder written as ``~`` (plugin folders are deep)."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- hooking into the main window ---------------------------------------------------------


def open_dialog(window: OwnerWindow) -> FormulaDialog:
    """Show the dialog (one per window); a saved activation is loaded and selected."""
    dialog = window.findChild(FormulaDialog)
    if dialog is None:
        dialog = FormulaDialog(window.state, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda name, path: show_saved(window, name, path))
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def show_saved(window: OwnerWindow, name: str, path: str) -> None:
    """Reload the plugins and select the new activation (or say why it did not load)."""
    window.reload_plugins()
    state = window.state
    if name in state.usable():
        state.toggle(name, True)
        state.set_current(name)
        window.show_message(f"saved {path}: {name} is loaded and selected")
        return
    broken = [e for e in state.catalogue.entries if e.name == name and e.error is not None]
    reason = broken[0].error.message if broken else "it was not found after reloading"
    window.show_message(f"saved {path}, but {name} did not load: {reason}")

"""New activation from formula: live preview, errors with their span, parameters, saving."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from actviz.gui import formula_dialog
from actviz.gui.formula_dialog import FormulaDialog
from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost, load_catalogue
from actviz.paths import user_plugin_dir


@pytest.fixture
def dialog(qtbot):
    d = FormulaDialog()
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


@pytest.fixture
def make_window(qtbot, monkeypatch):
    for var in ("ACTVIZ_SELECT", "ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_OPEN"):
        monkeypatch.delenv(var, raising=False)

    def make() -> MainWindow:
        w = MainWindow(PluginHost(use_entry_points=False, use_env=False), watch=False)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        return w

    return make


def type_formula(qtbot, d: FormulaDialog, text: str, rows: list | None = None) -> None:
    """Replace the formula (and parameter rows) as a user would, then wait for the preview."""
    if rows is not None:
        d.table.setRowCount(0)
        for row in rows:
            d.add_param_row(*row)
    d.formula_edit.clear()
    qtbot.keyClicks(d.formula_edit, text)
    assert d.timer.isActive()  # debounced: nothing is parsed while the user types
    qtbot.waitUntil(lambda: not d.timer.isActive() and not d.busy, timeout=30000)


def settle(qtbot, d: FormulaDialog) -> None:
    """Check the current text now and wait for the background compile to answer."""
    d.refresh()
    qtbot.waitUntil(lambda: not d.busy, timeout=30000)


def value_at(curve, x: float) -> float:
    xs, ys = curve.getData()
    return float(np.interp(x, xs, ys))


def red_pixels(widget, colour: str) -> int:
    """Pixels close to the theme's error colour in a grab of ``widget``."""
    image = widget.grab().toImage()
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if np.abs(np.array([c.red(), c.green(), c.blue()]) - target).max() < 40:
                count += 1
    return count


def test_a_valid_formula_plots_f_and_its_derivative(qtbot, dialog):
    dialog.name_edit.setText("swish_one")
    type_formula(qtbot, dialog, "x*sigmoid(x)", rows=[])
    assert dialog.formula is not None and dialog.formula_edit.error_span is None
    assert dialog.error_label.isHidden()
    assert value_at(dialog.f_curve, 1.0) == pytest.approx(0.7311, abs=1e-4)
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(x * torch.sigmoid(x), x)
    assert value_at(dialog.d_curve, 1.0) == pytest.approx(float(grad), abs=1e-4)
    assert value_at(dialog.d_curve, -3.0) == pytest.approx(
        float(torch.sigmoid(torch.tensor(-3.0)) * (1 + -3.0 * torch.sigmoid(torch.tensor(3.0)))),
        abs=1e-4,
    )
    # Both formulas are drawn (mathtext) and carry their LaTeX.
    assert not dialog.f_tex.pixmap().isNull() and not dialog.d_tex.pixmap().isNull()
    assert dialog.f_tex.toolTip() == r"f(x) = x \sigma\left(x\right)"
    assert dialog.d_tex.toolTip().startswith("f'(x) = ") and r"\sigma" in dialog.d_tex.toolTip()
    text = dialog.validation_label.text()
    assert "✓ derivative" in text and "✗" not in text
    assert dialog.save_button.isEnabled()
    assert str(user_plugin_dir() / "swish_one.py") in dialog.save_button.toolTip()


@pytest.mark.parametrize(
    ("text", "span", "words"),
    [
        ("x.__class__", (0, 11), "attributes ('.__class__') are not allowed"),
        ("foo(x)", (0, 3), "unknown function 'foo'"),
        ("x +", (2, 3), "syntax error"),
        ("x * exec(x)", (4, 8), "unknown function 'exec'"),
    ],
)
def test_an_invalid_formula_shows_its_error_and_disables_save(qtbot, dialog, text, span, words):
    type_formula(qtbot, dialog, "x", rows=[])
    clean = red_pixels(dialog.formula_edit, dialog.theme.error)
    type_formula(qtbot, dialog, text)
    assert dialog.formula is None
    assert dialog.formula_edit.error_span == span
    label = dialog.error_label.text()
    assert dialog.error_label.isVisible() and words in label
    caret_line = " " * span[0] + "^" * (span[1] - span[0])
    assert caret_line in label  # the formula with carets under the offending part
    assert not dialog.save_button.isEnabled()
    assert dialog.save_button.toolTip().startswith("cannot save: ")
    assert words in dialog.save_button.toolTip()
    # The span is drawn: red underline and text appear in the field.
    assert red_pixels(dialog.formula_edit, dialog.theme.error) > clean + 5
    # "select the part" selects exactly the offending text, so typing replaces it.
    dialog.formula_edit.select_error()
    assert dialog.formula_edit.selectionStart() == span[0]
    assert dialog.formula_edit.selectedText() == text[span[0] : span[1]]


def test_declaring_parameters(qtbot, dialog):
    dialog.name_edit.setText("swish_beta")
    type_formula(qtbot, dialog, "x * sigmoid(beta * x)", rows=[])
    assert "unknown name 'beta'" in dialog.save_button.toolTip()
    assert dialog.suggest_button.isVisible()
    assert dialog.suggest_button.text() == "Add beta as a parameter"
    qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    assert dialog.param_rows() == [["beta", "1.0", "0.01", "10.0", False]]
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)
    assert dialog.suggest_button.isHidden() and dialog.save_button.isEnabled()
    assert value_at(dialog.f_curve, 1.0) == pytest.approx(1 / (1 + math.exp(-1)), abs=1e-4)

    dialog.table.item(0, 1).setText("2")
    qtbot.waitUntil(lambda: not dialog.timer.isActive() and not dialog.busy, timeout=30000)
    assert value_at(dialog.f_curve, 1.0) == pytest.approx(1 / (1 + math.exp(-2)), abs=1e-4)
    dialog.table.item(0, 4).setCheckState(Qt.CheckState.Checked)
    settle(qtbot, dialog)
    assert dialog.formula.params[0].learnable and dialog.report.ok

    dialog.table.item(0, 1).setText("abc")
    settle(qtbot, dialog)
    assert "parameter row 1: default 'abc' is not a number" in dialog.save_button.toolTip()
    dialog.table.item(0, 1).setText("20")  # outside [min, max]
    settle(qtbot, dialog)
    assert "default 20.0 is outside [0.01, 10.0]" in dialog.error_label.text()
    assert dialog.table.item(0, 1).background().color().alpha() > 0  # the row is marked
    dialog.table.item(0, 1).setText("1")

    dialog.add_param_row("gamma", "0.5")
    settle(qtbot, dialog)
    assert "'gamma' is declared but the formula does not use it" in dialog.save_button.toolTip()
    dialog.table.selectRow(1)
    dialog.remove_param_row()
    settle(qtbot, dialog)
    assert [row[0] for row in dialog.param_rows()] == ["beta"]
    assert dialog.save_button.isEnabled()


def test_bad_names_disable_save(qtbot, make_window):
    w = make_window()
    d = formula_dialog.open_dialog(w)
    type_formula(qtbot, d, "x * tanh(x)", rows=[])
    d.name_edit.setText("Bad Name")
    settle(qtbot, d)
    assert (
        not d.save_button.isEnabled() and "must start with a lower-case" in d.save_button.toolTip()
    )
    d.name_edit.setText("relu")
    settle(qtbot, d)
    assert "taken by plugin 'relu_family'" in d.save_button.toolTip()


def test_menu_entry_and_save_loads_and_selects_the_activation(qtbot, make_window):
    w = make_window()
    (plugins,) = [a.menu() for a in w.menuBar().actions() if a.text() == "&Plugins"]
    (action,) = [a for a in plugins.actions() if a.text() == "New activation from &formula…"]
    assert action.shortcut().toString() == "Ctrl+Shift+N"
    action.trigger()
    d = w.findChild(FormulaDialog)
    assert d is not None and d.isVisible()
    d.name_edit.setText("swish_b")
    type_formula(qtbot, d, "x*sigmoid(beta*x)", rows=[("beta", "1.5", "0.1", "5", True)])
    assert d.save_button.isEnabled()
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)

    path = user_plugin_dir() / "swish_b.py"
    assert path.is_file()
    assert "swish_b" in w.state.usable()
    assert "swish_b" in w.state.selected and w.state.current == "swish_b"
    assert "(error)" not in w.activation_list.item("swish_b").text(0)
    qtbot.waitUntil(lambda: w.findChild(FormulaDialog) is None, timeout=2000)  # closed

    # A fresh host loads the written file with the same values and derivative.
    act = load_catalogue(use_entry_points=False, use_env=False).get("swish_b")
    assert act.params[0].default == 1.5 and act.params[0].learnable
    x = torch.linspace(-4, 4, 9, dtype=torch.float64)
    expected = x * torch.sigmoid(1.5 * x)
    assert torch.allclose(act.fn(x, beta=1.5), expected)
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad((xg * torch.sigmoid(1.5 * xg)).sum(), xg)
    assert torch.allclose(act.derivative(x, beta=1.5), grad)


def test_an_unwritable_folder_gets_a_clear_message(qtbot, dialog, tmp_path, monkeypatch):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ACTVIZ_USER_PLUGIN_DIR", str(blocker / "plugins"))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args))
    dialog.name_edit.setText("nowhere")
    type_formula(qtbot, dialog, "x * tanh(x)", rows=[])
    assert dialog.save() is None
    ((_parent, title, text),) = shown
    assert title == "Cannot write the plugin"
    assert str(blocker / "plugins") in text and "ACTVIZ_USER_PLUGIN_DIR" in text
    assert dialog.isVisible() and dialog.formula_edit.text() == "x * tanh(x)"


def test_an_existing_file_is_replaced_only_when_the_user_agrees(qtbot, dialog, monkeypatch):
    folder = user_plugin_dir()
    folder.mkdir(parents=True)
    target = folder / "mine.py"
    target.write_text("# my own work\n")
    answers = []

    def answer(choice):
        def ask(_parent, title, text, *rest):
            answers.append((title, text))
            return choice

        return ask

    dialog.name_edit.setText("mine")
    type_formula(qtbot, dialog, "x * erf(x)", rows=[])
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    assert dialog.save() is None
    assert target.read_text() == "# my own work\n"
    assert answers[0][0] == "Replace plugin?" and str(target) in answers[0][1]

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    assert dialog.save() == target
    assert 'FORMULA = "x * erf(x)"' in target.read_text()


def test_the_draft_survives_closing_by_mistake(qtbot):
    first = FormulaDialog()
    qtbot.addWidget(first)
    first.show()
    first.name_edit.setText("half_typed")
    first.add_param_row("k", "0.5", "", "2", True)
    qtbot.keyClicks(first.formula_edit, " + k")  # the example is "x + sin(a*x)**2/a"
    first.reject()  # Escape / Close before the preview even ran

    second = FormulaDialog()
    qtbot.addWidget(second)
    assert second.name_edit.text() == "half_typed"
    assert second.formula_edit.text() == "x + sin(a*x)**2/a + k"
    assert second.param_rows() == [["a", "1.0", "0.1", "10.0", True], ["k", "0.5", "", "2", True]]
    qtbot.waitUntil(lambda: not second.busy, timeout=30000)
    assert second.save_button.isEnabled()


def test_actviz_open_formula_opens_the_dialog_at_start(qtbot, make_window, monkeypatch):
    w = make_window()
    assert w.findChild(FormulaDialog) is None
    monkeypatch.setenv("ACTVIZ_OPEN", "formula")
    w2 = make_window()
    qtbot.waitUntil(lambda: w2.findChild(FormulaDialog) is not None, timeout=3000)
    d = w2.findChild(FormulaDialog)
    assert d.isVisible() and d.formula_edit.text() == "x + sin(a*x)**2/a"
    qtbot.waitUntil(lambda: not d.busy, timeout=30000)
    assert d.save_button.isEnabled()


#: Within the size budget but slow in sympy (about 8 s here): the time limit must stop it.
SLOW = (
    "max(x**1,x**2,x**3,x**4,x**5,x**6,x**7,x**8)"
    "*max(sin(x)**1,sin(x)**2,sin(x)**3,sin(x)**4,sin(x)**5,sin(x)**6,sin(x)**7,sin(x)**8)"
)


def test_the_dialog_stays_responsive_while_a_slow_formula_compiles(qtbot, dialog, monkeypatch):
    # a limit well under the formula's compile time (0.6-1.1 s with sympy already loaded,
    # more in a fresh compiler): it is stopped
    monkeypatch.setenv("ACTVIZ_FORMULA_LIMIT_S", "0.2")
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)
    ticks: list[float] = []
    beat = QTimer()
    beat.setInterval(20)
    beat.timeout.connect(lambda: ticks.append(time.monotonic()))
    beat.start()
    dialog.formula_edit.setText(SLOW)
    dialog.refresh()
    assert dialog.busy and dialog.busy_bar.isVisible() and not dialog.save_button.isEnabled()
    started = time.monotonic()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)
    beat.stop()
    during = [t for t in ticks if t >= started]
    gaps = [b - a for a, b in zip(during, during[1:], strict=False)]
    assert len(during) >= 5 and max(gaps) < 0.5  # the event loop kept running throughout
    assert "too complex: compiling took longer than 0.2 s and was stopped" in (
        dialog.error_label.text()
    )
    assert not dialog.save_button.isEnabled() and dialog.busy_bar.isHidden()


def test_a_long_formulas_latex_is_drawn_off_the_gui_thread(qtbot, dialog, monkeypatch):
    """mathtext takes seconds for a long formula: the compiler's thread draws it, and the
    GUI thread only loads the finished picture."""
    import threading

    from actviz.gui import formula as latex_render

    drawn_on: list[bool] = []
    original = latex_render.mathtext_png

    def spy(latex, colour, dpi):
        drawn_on.append(threading.current_thread() is threading.main_thread())
        return original(latex, colour, dpi)

    # the opening formula's answer first, shown and drawn: only the new one is watched
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)
    QCoreApplication.processEvents()
    monkeypatch.setattr(latex_render, "mathtext_png", spy)
    latex_render._render_png.cache_clear()
    dialog.formula_edit.setText("x * tanh(x) + sin(x) ** 2")
    dialog.refresh()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60000)
    assert dialog.formula is not None and dialog.f_tex.pixmap() is not None
    assert drawn_on and not any(drawn_on)  # both lines drawn, none on the GUI thread


def test_typing_again_makes_the_old_answer_stale(qtbot, dialog, monkeypatch):
    monkeypatch.setenv("ACTVIZ_FORMULA_LIMIT_S", "2")
    dialog.name_edit.setText("fresh")
    dialog.table.setRowCount(0)
    dialog.formula_edit.setText(SLOW)
    dialog.refresh()
    dialog.formula_edit.setText("x * tanh(x)")
    dialog.refresh()
    shown = []
    dialog.compiler.finished.connect(lambda outcome: shown.append(outcome.text))
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60000)
    qtbot.wait(200)
    assert shown == ["x * tanh(x)"]  # the slow formula's answer never reached the screen
    assert dialog.formula.text == "x * tanh(x)" and dialog.error_label.isHidden()
    assert value_at(dialog.f_curve, 2.0) == pytest.approx(2 * math.tanh(2), abs=1e-4)
    assert dialog.save_button.isEnabled()


def test_a_formula_that_would_fail_validation_cannot_be_saved(qtbot, dialog):
    dialog.name_edit.setText("tower")
    type_formula(qtbot, dialog, "exp(exp(exp(exp(x))))", rows=[])
    assert not dialog.save_button.isEnabled()
    assert dialog.save_button.toolTip().startswith(
        "cannot save: validation failed: finite: NaN/inf output for finite input"
    )
    assert dialog.save() is None
    assert not (user_plugin_dir() / "tower.py").exists()

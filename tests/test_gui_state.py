"""Remembered state across launches, themes, and keyboard shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QKeySequence

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost


@pytest.fixture
def make_window(qtbot, monkeypatch):
    for var in ("ACTVIZ_SELECT", "ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)

    def make():
        w = MainWindow(PluginHost([], use_entry_points=False, use_env=False))
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        return w

    return make


def test_state_is_restored_after_recreating_the_window(make_window):
    w = make_window()
    w.state.set_selected(["prelu", "gelu", "sine"])
    w.state.set_current("prelu")
    w.state.set_param("prelu", "a", 0.4)
    w.state.set_x_range(-3.0, 5.0, 999)
    w.curves.set_row_visible("d2", False)
    w.show_panel("properties")
    w.theme_actions["dark"].trigger()
    w.resize(1111, 640)
    w.close()

    again = make_window()
    assert again.state.selected == ["prelu", "gelu", "sine"]
    assert again.state.current == "prelu"
    assert again.state.params_for("prelu")["a"] == pytest.approx(0.4)
    assert again.inspector.sliders["a"].value() == pytest.approx(0.4)
    assert again.state.x_range == (-3.0, 5.0) and again.state.points == 999
    assert again.curves.x_lo.value() == -3.0
    assert not again.curves.show_d2.isChecked()
    assert again.current_panel() is again.panel("properties")
    assert again.state.theme_choice == "dark" and again.state.theme.dark
    # Qt's offscreen screen is 800 x 800, so restoreGeometry clamps the width to the
    # window's minimum; the height fits and must come back exactly.
    assert again.height() == 640


def test_dark_theme_changes_plot_colours(make_window):
    w = make_window()
    w.theme_actions["light"].trigger()
    light = w.curves.widgets["f"].backgroundBrush().color()
    w.toggle_theme()
    dark = w.curves.widgets["f"].backgroundBrush().color()
    assert light == QColor("#ffffff")
    assert dark.lightness() < 60
    axis = w.curves.widgets["f"].getPlotItem().getAxis("left")
    assert axis.textPen().color().lightness() > 180  # readable on the dark background


def test_shortcuts_switch_tabs_and_toggle_plots(make_window):
    w = make_window()

    def trigger(keys: str) -> None:
        for action in w.findChildren(type(w.export_action)):
            if action.shortcut() == QKeySequence(keys):
                action.trigger()
                return
        raise AssertionError(f"no action for {keys}")

    for key in ("properties", "plugins", "curves"):  # Ctrl+<tab number>
        trigger(f"Ctrl+{1 + w.panels.index(w.panel(key))}")
        assert w.current_panel() is w.panel(key)
    shown = w.curves.show_d1.isChecked()
    trigger("Ctrl+D")
    assert w.curves.show_d1.isChecked() is not shown
    for keys in ("Ctrl+E", "Ctrl+Shift+R", "F5", "Ctrl+F", "Ctrl+Q", "Ctrl+Shift+E"):
        assert any(
            a.shortcut() == QKeySequence(keys) for a in w.findChildren(type(w.export_action))
        )


def test_no_two_actions_share_a_shortcut(make_window):
    """Qt fires neither of two actions bound to the same keys ("ambiguous shortcut")."""
    w = make_window()
    owners: dict[str, list[str]] = {}
    for action in w.findChildren(type(w.export_action)):
        for keys in action.shortcuts():
            text = keys.toString()
            if text:
                owners.setdefault(text, []).append(action.text().replace("&", ""))
    shared = {keys: names for keys, names in owners.items() if len(names) > 1}
    assert not shared, f"shortcuts bound twice: {shared}"


def test_a_bad_x_range_is_refused_with_a_message(make_window):
    w = make_window()
    before = w.state.x_range
    w.curves.x_lo.setValue(10.0)  # above the upper end
    assert w.state.x_range == before
    assert "x range" in w.statusBar().currentMessage()

"""The Plugins panel: broken plugins with tracebacks, reload on file changes, new from template."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost
from actviz.paths import user_plugin_dir

GOOD = textwrap.dedent(
    """
    import torch
    from actviz import Activation, hookimpl

    @hookimpl
    def actviz_activations():
        return [Activation(name="{name}", fn=lambda x: x * torch.sigmoid(2 * x))]
    """
)


@pytest.fixture
def make_window(qtbot, monkeypatch):
    for var in ("ACTVIZ_SELECT", "ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)

    def make(plugin_dirs=()):
        w = MainWindow(PluginHost(plugin_dirs, use_entry_points=False, use_env=False))
        qtbot.addWidget(w)
        w.show()
        w.show_panel("plugins")
        qtbot.waitExposed(w)
        return w

    return make


def test_a_broken_plugin_shows_its_error_and_traceback(make_window, tmp_path):
    (tmp_path / "exploding.py").write_text("import torch\n\nraise RuntimeError('boom at import')\n")
    (tmp_path / "nan_maker.py").write_text(
        textwrap.dedent(
            """
            import torch
            from actviz import Activation, hookimpl

            @hookimpl
            def actviz_activations():
                return [Activation(name="nan_maker", fn=lambda x: torch.log(x))]
            """
        )
    )
    w = make_window([tmp_path])
    panel = w.panel("plugins")
    panel.select_plugin("exploding")
    text = panel.details.toPlainText()
    assert "Status:      error" in text
    assert "boom at import" in text
    assert "Traceback (most recent call last)" in text and "exploding.py" in text
    assert panel.details.isReadOnly()
    panel.copy_details()
    assert "boom at import" in QGuiApplication.clipboard().text()
    item = w.activation_list.item("nan_maker")
    assert "(error)" in item.text(0) and "NaN" in item.toolTip(0)
    assert "2 errors" in w.counts_label.text()
    assert "relu" in w.state.usable()  # the rest keep working


def test_adding_a_file_to_a_watched_folder_reloads(make_window, qtbot):
    folder = user_plugin_dir()
    folder.mkdir(parents=True)
    w = make_window()
    assert str(folder) in w.watcher.watched()
    (folder / "fresh.py").write_text(GOOD.format(name="fresh"))
    qtbot.waitUntil(lambda: "fresh" in w.state.usable(), timeout=10000)
    assert w.panel("plugins").tree.findItems("fresh", Qt.MatchFlag.MatchExactly, 0)
    (folder / "fresh.py").unlink()
    qtbot.waitUntil(lambda: "fresh" not in w.state.usable(), timeout=10000)


def test_reload_keeps_selection_and_picks_up_edits(make_window, tmp_path):
    (tmp_path / "mine.py").write_text(GOOD.format(name="mine"))
    w = make_window([tmp_path])
    w.watcher.watcher.removePaths(w.watcher.watched())  # reload by hand only
    w.state.set_selected(["mine", "relu"])
    (tmp_path / "mine.py").write_text(GOOD.format(name="mine").replace("2 * x", "5 * x"))
    w.reload_plugins()
    assert w.state.selected == ["mine", "relu"]
    w.curves.flush()
    y = w.curves.data["mine"].f
    assert y[-1] == pytest.approx(6.0 / (1 + np.exp(-30.0)))


def test_new_plugin_from_template_is_written_loaded_and_selected(make_window):
    w = make_window()
    path = w.panel("plugins").new_plugin("my_first")
    assert path is not None and path.endswith("my_first.py")
    assert "my_first" in w.state.usable()
    assert "my_first" in w.state.selected
    assert w.state.current == "my_first"
    messages = []
    w.state.message.connect(messages.append)
    assert w.panel("plugins").new_plugin("my_first") is None
    assert "already exists" in messages[-1]

"""Start-up: the window opens first, plugins are checked in the background and arrive as done."""

from __future__ import annotations

import textwrap

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost

DTYPE_CHANGER = textwrap.dedent(
    """
    import torch
    from actviz import hookimpl, Activation
    torch.set_default_dtype(torch.float64)
    @hookimpl
    def actviz_activations():
        return [Activation(name="tanh_twice", fn=lambda x: torch.tanh(2 * x))]
    """
)


def test_window_opens_before_plugins_are_checked(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("ACTVIZ_SELECT", "relu,tanh_twice")
    (tmp_path / "dtype_changer.py").write_text(DTYPE_CHANGER)
    host = PluginHost([tmp_path], use_entry_points=False, use_env=False)
    w = MainWindow(host, watch=False, background=True)
    qtbot.addWidget(w)
    steps: list[tuple[int, int]] = []
    w.loader.progressed.connect(lambda _cat, done, total: steps.append((done, total)))
    assert w.loader.running and not w.loader.bar.isHidden()  # loading, the window is built
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: not w.loader.running, timeout=120_000)
    assert w.loader.bar.isHidden()
    assert steps and steps[-1][0] == steps[-1][1] == len(w.state.catalogue.plugins)
    assert w.state.catalogue.entry("relu").ok and w.state.catalogue.entry("tanh_twice").ok
    assert w.state.selected == ["relu", "tanh_twice"]  # the saved selection, once it arrived
    w.show_panel("plugins")
    panel = w.panel("plugins")
    panel.select_plugin("dtype_changer")
    assert "Warning:     importing it changed torch's default dtype" in panel.details.toPlainText()


def _loaded_window(qtbot, background: bool) -> MainWindow:
    w = MainWindow(
        PluginHost([], use_entry_points=False, use_env=False), watch=False, background=background
    )
    qtbot.addWidget(w)
    w.show()
    w.show_panel("playground")
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: not w.loader.running, timeout=120_000)
    return w


def test_the_playground_offers_a_task_once_plugins_arrive_in_the_background(qtbot):
    """While plugins load, "Import CSV…" is the task list's only item; it must not stay
    chosen (a first launch showed it, with red fields and Train disabled)."""
    w = _loaded_window(qtbot, background=True)
    form = w.panel("playground").form
    assert form.task.currentData() == "moons"
    assert form.problems == [] and form.config() is not None
    assert w.panel("playground").train_button.isEnabled()


def test_the_task_of_the_last_launch_comes_back_after_background_loading(qtbot):
    first = _loaded_window(qtbot, background=False)
    form = first.panel("playground").form
    form.task.setCurrentIndex(form.task.findData("circles"))
    first.close()  # saves the form
    again = _loaded_window(qtbot, background=True)
    assert again.panel("playground").form.task.currentData() == "circles"

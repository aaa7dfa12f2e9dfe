"""Changing the window's font never crashes the app.

Qt asks a widget for its metrics (``QWidget.metric``) while a font change propagates;
PySide looks for a Python override of that virtual on the *instance*, so a plain
attribute named ``metric`` (the Playground once kept its accuracy plot there) was
called as if it were the method, and the error path killed the interpreter with a
segmentation fault. The font change runs in a child process so a crash fails the test
instead of ending the session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from PySide6.QtCore import QObject

from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost

SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication(sys.argv)
    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    w.resize(1024, 700)
    w.show()
    for panel in w.panels:
        w.set_current_panel(panel)
        app.processEvents()
    font = QFont(w.font())
    font.setPointSize(17)
    w.setFont(font)
    app.processEvents()
    sizes = {l.font().pointSize() for l in w.findChildren(QLabel) if not l.styleSheet()}
    print("label sizes", sorted(sizes))
    for panel in w.panels:
        panel.shutdown()
    """
)


def test_setting_the_main_window_font_reaches_its_labels_without_a_crash(tmp_path):
    env = dict(os.environ, ACTVIZ_DATA_DIR=str(tmp_path / "data"))
    env.setdefault("ACTVIZ_CACHE_DIR", str(tmp_path / "cache"))
    env["QT_QPA_PLATFORM"] = "offscreen"
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_SELECT"):
        env.pop(var, None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-3000:]}"
    line = next(x for x in done.stdout.splitlines() if x.startswith("label sizes"))
    assert "17" in line


def _qt_method_names(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("PySide6"):
            names.update(n for n in vars(klass) if not n.startswith("_"))
    return names


def test_no_widget_hides_a_qt_method_behind_a_plain_attribute(qtbot, monkeypatch):
    """A non-callable instance attribute named like a Qt method (``metric``, ``scroll``,
    ``thread``...) is what PySide calls when Qt calls that method: never allowed."""
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_SELECT"):
        monkeypatch.delenv(var, raising=False)
    window = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(window)
    window.show()
    hidden = []
    try:
        for obj in [window, *window.findChildren(QObject)]:
            own = getattr(obj, "__dict__", {})
            qt = _qt_method_names(type(obj))
            hidden += [
                f"{type(obj).__name__}.{name}"
                for name, value in own.items()
                if name in qt and not callable(value)
            ]
    finally:
        for panel in window.panels:
            panel.shutdown()
    assert sorted(set(hidden)) == []

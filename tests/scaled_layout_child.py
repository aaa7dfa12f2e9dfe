"""Run in a child process by ``test_gui_layout_scaled.py``: the window on a screen of
a given size and scale (Qt reads both before the application starts, so they cannot be
changed inside the test process), checked with ``geometry.layout_problems``.

Usage: python scaled_layout_child.py WIDTHxHEIGHT  (the screen; QT_SCALE_FACTOR may be set)
Prints one JSON object: the device pixel ratio, the logical screen and the problems
found per panel, before and after a short race and in presentation mode.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from geometry import layout_problems  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def settle(app: QApplication, ms: int = 30) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def every_panel(window, app, label: str) -> list[str]:
    found = []
    for panel in window.panels:
        window.set_current_panel(panel)
        settle(app)
        found += [f"{label} {panel.key}: {p}" for p in layout_problems(window)]
    return found


def main() -> None:
    app = QApplication(sys.argv[:1])
    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost

    window = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    screen = app.primaryScreen().geometry()
    window.setGeometry(screen)
    window.show()
    settle(app, 100)
    found = every_panel(window, app, "before a race")
    playground = window.panel("playground")
    window.show_panel("playground")
    form = playground.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(80)
    form.seeds.setText("1")
    form.steps.setValue(40)
    loop = QEventLoop()
    playground.raceFinished.connect(lambda _id: loop.quit())
    QTimer.singleShot(120_000, loop.quit)
    playground.train_button.click()
    loop.exec()
    raced = len(playground.boundaries.cells)
    found += every_panel(window, app, "after a race")
    window.presentation.enter()
    settle(app, 100)
    found += every_panel(window, app, "presentation")
    window.presentation.leave()
    for panel in window.panels:
        panel.shutdown()
    print(
        json.dumps(
            {
                "ratio": window.devicePixelRatioF(),
                "screen": [screen.width(), screen.height()],
                "raced": raced,
                "problems": found,
            }
        )
    )


if __name__ == "__main__":
    main()

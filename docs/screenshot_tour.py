"""Every panel before a race, after it and in presentation mode, one PNG each (run under Xvfb).

    XVFB_SIZE=1024x700 ../shared/tools/xvfb-shot /tmp/shots 200 1 -- \\
        python docs/screenshot_tour.py /tmp/shots/tour

The window fills the virtual screen; each picture is the whole screen as the X server
shows it (``QScreen.grabWindow(0)``), named ``PHASE-PANEL.png`` (``before``, ``after``,
``present``). With ``QT_SCALE_FACTOR=2`` the pictures are in device pixels. Settings
and runs go to a fresh temporary folder; the app quits when the tour is done.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACTIVATIONS = ["relu", "tanh", "gelu", "sigmoid", "silu", "pade"]
PAUSE_MS = int(os.environ.get("ACTVIZ_TOUR_PAUSE_MS", "1500"))


def main(out: Path) -> int:
    home = Path(tempfile.mkdtemp(prefix="actviz-tour-"))
    os.environ["ACTVIZ_DATA_DIR"] = str(home / "data")
    os.environ["ACTVIZ_SETTINGS_DIR"] = str(home / "settings")
    os.environ["ACTVIZ_USER_PLUGIN_DIR"] = str(home / "plugins")
    os.environ["ACTVIZ_SELECT"] = ",".join(ACTIVATIONS)
    os.environ["ACTVIZ_THEME"] = "light"
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost

    app = QApplication(sys.argv[:1])
    window = MainWindow(PluginHost([]))
    window.setGeometry(app.primaryScreen().availableGeometry())
    window.show()
    playground = window.panel("playground")
    steps: list = []

    def tour(phase: str) -> None:
        for panel in window.panels:
            steps.append(lambda p=panel: window.set_current_panel(p))
            steps.append(
                lambda p=panel: (
                    app.primaryScreen().grabWindow(0).save(str(out / f"{phase}-{p.key}.png"))
                )
            )

    def run_next() -> None:
        if steps:
            steps.pop(0)()
            QTimer.singleShot(PAUSE_MS, run_next)

    def race() -> None:
        window.show_panel("playground")
        form = playground.form
        form.task.setCurrentIndex(form.task.findData("moons"))
        form.seeds.setText("3")
        form.steps.setValue(600)
        playground.start_race()

    def after_race(_id: object) -> None:
        tour("after")
        steps.append(window.presentation.enter)
        tour("present")
        steps.append(window.presentation.leave)
        steps.append(app.quit)
        QTimer.singleShot(PAUSE_MS, run_next)

    playground.raceFinished.connect(after_race)
    tour("before")
    steps.append(race)
    QTimer.singleShot(3 * PAUSE_MS, run_next)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "tour")))

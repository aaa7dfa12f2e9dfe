"""Open actviz in a state worth a screenshot, for docs/screenshots/ (run it under Xvfb).

    ../shared/tools/xvfb-shot /tmp/shots 5 3 -- python docs/make_screenshots.py playground

Views: ``playground`` (a race on moons, 6 activations x 3 seeds, started by itself),
``playground-diagnostics`` (the same race, then its gradient tab),
``playground-learned`` (the learnable activations, then their Learned shapes tab),
``playground-inside`` (relu, tanh and gelu, 8-8, watched live on the Inside tab),
``playground-held`` (a circles race with x1², x2², L2 and relu>tanh, held after 150
steps by Step N, then the timeline scrubbed back to step 50),
``playground-presentation`` (the race, then presentation mode), ``compare`` (two
stored runs overlaid), ``sweep`` (leaky_relu's slope swept), ``discover`` (a
search of about a minute on the swish teacher) and ``discover-presentation`` (the same in
presentation mode). Settings and runs go
to a fresh temporary folder, so the pictures do not depend on who takes them. The
window fills the virtual screen (``XVFB_SIZE``); ``ACTVIZ_SHOT_INSPECTOR=1`` keeps the
Inspector dock open.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACTIVATIONS = ["relu", "tanh", "gelu", "sigmoid", "silu", "elu"]
LEARNABLE = ["pade", "bspline", "apl", "prelu_units"]
INSIDE = ["relu", "tanh", "gelu"]


def _store_runs() -> None:
    """Two races for the Compare panel: the classics, then the smooth ones."""
    import torch

    from actviz.host import load_catalogue
    from actviz.storage import RunStore, store_race
    from actviz.training import RaceConfig

    torch.set_num_threads(1)
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    with RunStore() as store:
        for name, acts, hidden in (
            ("classics, 8-8", ["relu", "tanh", "sigmoid"], (8, 8)),
            ("smooth ones, wider 16-16", ["relu", "gelu", "silu"], (16, 16)),
        ):
            config = RaceConfig(
                task="spiral", activations=acts, seeds=3, steps=1500, hidden=hidden, lr=0.02
            )
            store_race(config, cat.activations, cat.tasks["spiral"], store, name=name)


def _held(window, panel) -> None:
    """Step N from idle: the race holds at 150; then the timeline goes back to 50."""
    from PySide6.QtCore import QTimer

    form = panel.form
    form.task.setCurrentIndex(form.task.findData("circles"))
    form.hidden.setText("6, 6")
    form.per_layer.setText("relu>tanh")
    for feature in ("x1sq", "x2sq"):
        form.features[feature].setChecked(True)
    form.l2.setValue(0.001)
    panel.step_n.setValue(150)

    def scrub() -> None:
        steps = panel.timeline.steps()
        if steps and steps[-1] >= 150:
            panel.timeline.slider.setValue(steps.index(50))
        else:
            QTimer.singleShot(300, scrub)

    QTimer.singleShot(500, lambda: panel.step_race())
    QTimer.singleShot(1500, scrub)


def main(view: str) -> int:
    home = Path(tempfile.mkdtemp(prefix="actviz-shots-"))
    os.environ["ACTVIZ_DATA_DIR"] = str(home / "data")
    os.environ["ACTVIZ_SETTINGS_DIR"] = str(home / "settings")
    os.environ["ACTVIZ_USER_PLUGIN_DIR"] = str(home / "plugins")
    chosen = {"playground-learned": LEARNABLE, "playground-inside": INSIDE}
    os.environ["ACTVIZ_SELECT"] = ",".join(chosen.get(view, ACTIVATIONS))
    os.environ["ACTVIZ_THEME"] = "light"
    if view in ("compare", "sweep"):
        _store_runs()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost

    app = QApplication(sys.argv[:1])
    window = MainWindow(PluginHost([]))
    # the whole virtual screen (XVFB_SIZE=1024x700 for the small window; 1600x1000 default)
    window.setGeometry(app.primaryScreen().availableGeometry())
    if not os.environ.get("ACTVIZ_SHOT_INSPECTOR"):
        window.inspector_dock.hide()
    window.show()
    if view.startswith("playground"):
        window.show_panel("playground")
        panel = window.panel("playground")
        form = panel.form
        form.task.setCurrentIndex(form.task.findData("moons"))
        form.seeds.setText("3")
        form.steps.setValue(1000)
        if view == "playground-diagnostics":
            form.hidden.setText("8, 8, 8")
            panel.raceFinished.connect(lambda _id: panel.views.setCurrentIndex(1))
        if view == "playground-learned":
            form.hidden.setText("8, 8")
            form.steps.setValue(250)

            def learned(_id: object) -> None:
                panel.views.setCurrentWidget(panel.learned)
                panel.learned.which.setCurrentText("bspline")

            panel.raceFinished.connect(learned)
        if view == "playground-inside":
            form.hidden.setText("8, 8")
            panel.views.setCurrentWidget(panel.inside)
        if view == "playground-presentation":
            form.steps.setValue(600)
            panel.raceFinished.connect(lambda _id: window.presentation.enter())
        if view == "playground-held":
            _held(window, panel)
        else:
            QTimer.singleShot(500, panel.start_race)
    elif view.startswith("discover"):
        window.show_panel("discover")
        panel = window.panel("discover")
        panel.tasks.setText("teacher:x*sigmoid(x)")
        panel.strategy.setCurrentText("evolution")
        panel.budget.setValue(1.5)
        panel.steps.setValue(100)
        # a search of about a minute: small batches, a few dozen races
        panel.extra = {"batch": 8, "shard_size": 8, "max_races": 16, "verify_seeds": 4}
        if view == "discover-presentation":
            QTimer.singleShot(400, window.presentation.enter)
        QTimer.singleShot(500, panel.primary_action)
    else:
        window.show_panel("compare")
        panel = window.panel("compare")

        def choose() -> None:
            panel.refresh()
            ids = sorted(r["id"] for r in panel.model.runs)
            panel.select(ids)
            if view == "sweep":
                panel.views.setCurrentIndex(1)
                sweep = panel.sweep_view
                sweep.choose("leaky_relu", "negative_slope", 0.0, 0.3, 6)
                sweep.task.setCurrentIndex(sweep.task.findData("spiral"))
                sweep.steps.setValue(1500)
                panel.select(ids[:1])
                panel.start_sweep()

        QTimer.singleShot(500, choose)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "playground"))

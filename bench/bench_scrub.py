"""How long the Playground takes to show one scrubbed step in every view.

A race of 8 activations x 5 seeds on moons is trained in the Playground (offscreen);
then the timeline is moved to each recorded step in a shuffled order, first with no
grid computed yet (each step recomputes one grid per activation from its snapshot),
then again (grids cached). Printed: median and 95th percentile milliseconds per step
shown, painting included, for the boundaries tab and the diagnostics tab.

    python bench/bench_scrub.py                 # 2,000 steps
    python bench/bench_scrub.py --steps 500     # quicker
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACTIVATIONS = ["relu", "tanh", "sigmoid", "gelu", "silu", "elu", "leaky_relu", "softplus"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="actviz-bench-"))
    for var in ("ACTVIZ_SETTINGS_DIR", "ACTVIZ_DATA_DIR", "ACTVIZ_USER_PLUGIN_DIR"):
        os.environ[var] = str(home / var)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["ACTVIZ_SELECT"] = ",".join(ACTIVATIONS)
    import numpy as np
    import torch
    from PySide6.QtWidgets import QApplication

    torch.set_num_threads(1)
    app = QApplication([])
    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost

    window = MainWindow(PluginHost(use_user_dir=False, use_entry_points=False), watch=False)
    window.resize(1400, 900)
    window.show()
    window.show_panel("playground")
    panel = window.panel("playground")
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.seeds.setText(str(args.seeds))
    form.steps.setValue(args.steps)
    panel.start_race()
    while panel.running:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    steps = panel.timeline.steps()
    print(
        f"moons, {len(ACTIVATIONS)} activations x {args.seeds} seeds, {args.steps:,} steps: "
        f"{len(steps)} recorded steps"
    )
    for tab in (panel.views.widget(0), panel.diagnostics):
        panel.views.setCurrentWidget(tab)
        app.processEvents()
        for label in ("first visit", "again"):
            order = list(steps)
            random.Random(0).shuffle(order)
            times = []
            for step in order:
                started = time.perf_counter()
                panel._show_step(step)
                panel.views.currentWidget().repaint()
                times.append(time.perf_counter() - started)
            ms = np.array(times) * 1e3
            name = "boundaries" if tab is not panel.diagnostics else "diagnostics"
            print(
                f"  {name:<12} {label:<12} median {np.median(ms):6.1f} ms  "
                f"p95 {np.percentile(ms, 95):6.1f} ms  max {ms.max():6.1f} ms"
            )
        panel.history._grids.clear()
    panel.shutdown()


if __name__ == "__main__":
    main()

"""How long F5 (presentation mode on or off) and opening a handout file take after a race.

Scenario: a finished race of 6 activations x 3 seeds on moons in the Playground; then
presentation mode is entered and left ``--toggles`` times (every plot restyled, the
window repainted), and a handout file with two locks is opened as many times. Times are
the GUI thread's CPU time (``time.thread_time``) and wall time, medians over the repeats.

    python bench/bench_presentation.py [--toggles 5]

Goal: each well under a second, so a teacher never waits for the projector view.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ACTVIZ_SETTINGS_DIR", tempfile.mkdtemp(prefix="actviz-bench-"))
os.environ.setdefault("ACTVIZ_DATA_DIR", tempfile.mkdtemp(prefix="actviz-bench-"))
os.environ["ACTVIZ_SELECT"] = "relu,tanh,gelu,sigmoid,silu,elu"


def timed(app, window, action) -> tuple[float, float]:
    """(CPU, wall) seconds of ``action`` plus the repaint of ``window`` it causes."""
    cpu, wall = time.thread_time(), time.perf_counter()
    action()
    app.processEvents()
    window.grab()
    return time.thread_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toggles", type=int, default=5)
    args = parser.parse_args()
    import torch
    from PySide6.QtWidgets import QApplication

    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost

    torch.set_num_threads(1)
    app = QApplication(sys.argv[:1])
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    w.resize(1500, 920)
    w.show()
    w.activateWindow()
    w.show_panel("playground")
    panel = w.panel("playground")
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.steps.setValue(200)
    done: list[object] = []
    panel.raceFinished.connect(done.append)
    panel.start_race()
    while not done:
        app.processEvents()
        time.sleep(0.01)
    folder = Path(tempfile.mkdtemp(prefix="actviz-bench-"))
    path = w.handouts.save_to(folder / "bench", "Bench", "", ["lr", "optimizer"])
    results: dict[str, list[tuple[float, float]]] = {"enter": [], "leave": [], "open": []}
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(timed, app, w, w.presentation.enter)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        w.presentation.leave()
    for _ in range(args.toggles):
        results["enter"].append(timed(app, w, w.presentation.enter))
        results["leave"].append(timed(app, w, w.presentation.leave))
        results["open"].append(timed(app, w, lambda: w.handouts.open_file(path)))
    print(f"6 activations x 3 seeds on moons, {args.toggles} repeats (medians)")
    for name, samples in results.items():
        cpu = statistics.median(s[0] for s in samples)
        wall = statistics.median(s[1] for s in samples)
        print(f"  {name:<6} CPU {cpu * 1000:7.1f} ms   wall {wall * 1000:7.1f} ms")
    w.close()


if __name__ == "__main__":
    main()

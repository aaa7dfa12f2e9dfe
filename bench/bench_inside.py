"""What the "Inside the network" tab costs the GUI thread while a race runs.

A real race is trained first (moons, relu/tanh/gelu x 3 seeds); then, on its last
snapshot, it times: looking inside one network (``analysis.inside.inside``), the tab's
first draw (creating its plots) and a redraw (what a live race pays at most once a
second), each including the repaint. Times are the GUI thread's CPU time
(``time.thread_time``), which other processes on a shared machine do not inflate.

    python bench/bench_inside.py [--hidden 8,8] [--repeats 10]
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

import torch  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from actviz.analysis.inside import inside  # noqa: E402
from actviz.analysis.race_history import RaceHistory  # noqa: E402
from actviz.gui.panels.inside_view import InsideView  # noqa: E402
from actviz.gui.theme import LIGHT  # noqa: E402
from actviz.host import load_catalogue  # noqa: E402
from actviz.training.config import RaceConfig  # noqa: E402
from actviz.training.engine import race  # noqa: E402
from actviz.training.events import Evaluation, Started  # noqa: E402

NAMES = ["relu", "tanh", "gelu"]


def cpu_ms(call) -> float:
    start = time.thread_time()
    call()
    return 1000 * (time.thread_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", default="8,8")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    hidden = tuple(int(w) for w in args.hidden.split(","))
    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication([])
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    cfg = RaceConfig(task="moons", activations=NAMES, seeds=3, steps=200, hidden=hidden)
    history = RaceHistory()
    snapshot = None
    for event in race(cfg, cat.activations, cat.tasks["moons"], snapshots=True):
        if isinstance(event, Started):
            history.start(event)
        elif isinstance(event, Evaluation):
            history.add(event)
            snapshot = event.snapshot
    assert snapshot is not None
    x = history.data["x_train"]
    look = [
        cpu_ms(lambda: inside(snapshot, 0, history.config, x, history.grid_axes))
        for _ in range(args.repeats)
    ]
    view = InsideView(LIGHT)
    view.resize(1100, 800)
    view.show()
    colours = {n: "#1f77b4" for n in NAMES}

    def draw() -> None:
        view.redraw(history, snapshot, colours)
        view.canvas.repaint()
        app.processEvents()

    first = cpu_ms(draw)
    again = [cpu_ms(draw) for _ in range(args.repeats)]
    units = sum(min(w, 16) for w in hidden) * len(NAMES)
    print(f"hidden {args.hidden}, {len(NAMES)} activations, {units} unit pictures drawn")
    print(f"inside() of one network : {statistics.median(look):7.1f} ms CPU (median)")
    print(f"first draw (layout)     : {first:7.1f} ms CPU")
    print(f"redraw                  : {statistics.median(again):7.1f} ms CPU (median)")


if __name__ == "__main__":
    main()

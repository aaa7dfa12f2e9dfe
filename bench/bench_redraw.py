"""How long a slider step takes to redraw the Curves panel, against bare pyqtgraph.

Scenario: 20 activations x 10 000 points, f and f' shown, one slider
dragged. Per frame, *ours* is everything the app does for one slider value (set the
parameter, evaluate the changed activation, ``setData``, crosshair readout, marks) plus
rendering the plots; *bare* is ``setData`` of the very same arrays into a plain pyqtgraph
widget of the same size and rendering it. Both run in this process, interleaved, so the
ratio is fair on a busy machine. A second scenario changes every curve (a new x range).

    python bench/bench_redraw.py [--curves 20] [--points 10000] [--frames 60]

Goal: ratio <= 1.2 and ours under 16.7 ms (one 60 Hz frame). Times are the GUI thread's
CPU time (``time.thread_time``), which other processes on a shared machine do not inflate;
wall-clock medians are printed too.
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

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import torch  # noqa: E402
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget  # noqa: E402

from actviz.gui.main_window import MainWindow  # noqa: E402
from actviz.host import PluginHost  # noqa: E402

FRAME_MS = 1000 / 60


class Clock:
    """Wall and GUI-thread CPU time of a block, appended to two lists."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Clock:
        self._w, self._c = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall.append(time.perf_counter() - self._w)
        self.cpu.append(time.thread_time() - self._c)


class Bare(QWidget):
    """Two stacked PlotWidgets with one PlotDataItem per curve.

    ``like_ours`` gives the plots the same look as the app's (grid at major ticks, a
    legend, peak downsampling), so the ratio measures what our code adds; without it
    they are pyqtgraph's defaults.
    """

    def __init__(self, names: list[str], colours: list[str], like_ours: bool) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plots = [pg.PlotWidget(), pg.PlotWidget()]
        self.items: dict[str, list[pg.PlotDataItem]] = {n: [] for n in names}
        for i, plot in enumerate(self.plots):
            layout.addWidget(plot)
            if like_ours:
                item = plot.getPlotItem()
                item.showGrid(x=True, y=True, alpha=0.25)
                for axis in ("left", "bottom"):
                    item.getAxis(axis).setStyle(maxTickLevel=0)
                item.setDownsampling(auto=True, mode="peak")
                if i == 0:
                    item.addLegend(offset=(8, 8))
            for name, colour in zip(names, colours, strict=True):
                item = pg.PlotDataItem(
                    pen=pg.mkPen(colour, width=1, cosmetic=True), name=name if i == 0 else None
                )
                plot.addItem(item)
                self.items[name].append(item)
        self.plots[1].getPlotItem().setXLink(self.plots[0].getPlotItem())

    def show_data(self, name: str, x: np.ndarray, f: np.ndarray, d1: np.ndarray) -> None:
        for item, y in zip(self.items[name], (f, d1), strict=True):
            item.setData(x, y)


def stats(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return (
        f"median {statistics.median(ms):6.2f} ms  mean {statistics.fmean(ms):6.2f}  p95 {p95:6.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--curves", type=int, default=20)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--drag", default="leaky_relu.negative_slope", metavar="NAME.PARAM")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: steady)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    app = QApplication.instance() or QApplication([])

    window = MainWindow(PluginHost([], use_user_dir=False, use_entry_points=False, use_env=False))
    window.resize(1600, 1000)
    window.show()
    drag_name, drag_param = args.drag.split(".")
    usable = window.state.usable()
    names = [drag_name] + [
        n for n, a in sorted(usable.items()) if not a.is_vector and n != drag_name
    ]
    names = names[: args.curves]
    curves = window.curves
    window.state.set_selected(names)
    window.state.set_current(drag_name)
    curves.set_row_visible("d2", False)
    window.state.set_x_range(-6.0, 6.0, args.points)
    curves.flush()
    app.processEvents()
    plots = curves.plot_splitter
    size = plots.size()

    colours = [window.state.colour(n) for n in names]
    bares = {"same look": Bare(names, colours, True), "defaults": Bare(names, colours, False)}
    for bare in bares.values():
        bare.resize(size)
        bare.show()
        for n in names:
            d = curves.data[n]
            bare.show_data(n, d.x, d.f, d.d1)
    app.processEvents()

    window.measurements.wait()
    app.processEvents()

    param = usable[drag_name].param(drag_param)
    lo, hi = param.min or 0.0, param.max or 1.0
    values = np.linspace(lo, hi, args.frames + 5)
    warm = 5
    ours, evals = Clock(), Clock()
    base = {k: Clock() for k in bares}
    for value in values:
        with ours:
            with evals:
                window.state.set_param(drag_name, drag_param, float(value))
                curves.flush()
            plots.grab()
        d = curves.data[drag_name]
        for key, bare in bares.items():
            with base[key]:
                bare.show_data(drag_name, d.x, d.f, d.d1)
                bare.grab()

    # Every curve changes: a new x range (all activations re-evaluated, no cache hits).
    ours_all = Clock()
    base_all = {k: Clock() for k in bares}
    for k in range(12):
        span = 6.0 + 0.05 * (k + 1)
        with ours_all:
            window.state.set_x_range(-span, span, args.points)
            curves.flush()
            plots.grab()
        for key, bare in bares.items():
            with base_all[key]:
                for n in names:
                    d = curves.data[n]
                    bare.show_data(n, d.x, d.f, d.d1)
                bare.grab()

    def med(samples: list[float], skip: int) -> float:
        return statistics.median(samples[skip:]) * 1000

    def line(label: str, clock: Clock, skip: int, ref: Clock | None = None) -> str:
        cpu, wall = med(clock.cpu, skip), med(clock.wall, skip)
        text = f"  {label:<20} cpu {cpu:6.2f} ms   wall {wall:6.2f} ms"
        if ref is not None:
            text += f"   ratio cpu {med(ref.cpu, skip) / med(clock.cpu, skip):.2f}x"
            text += f"  wall {med(ref.wall, skip) / med(clock.wall, skip):.2f}x"
        return text

    print(f"actviz redraw benchmark: {len(names)} activations x {args.points} points, f and f'")
    print(
        f"plots {size.width()}x{size.height()} px, Qt platform {app.platformName()}, "
        f"torch threads {torch.get_num_threads()}, dragging {args.drag}; medians"
    )
    print("slider step (one activation re-evaluated, all 40 curves rendered):")
    print(line("ours", ours, warm))
    print(line("  of which eval etc.", evals, warm))
    for key, clock in base.items():
        print(line(f"bare, {key}", clock, warm, ours))
    ratio = med(ours.cpu, warm) / med(base["same look"].cpu, warm)
    ms = med(ours.cpu, warm)
    met = ratio <= 1.2 and ms < FRAME_MS
    print(
        f"goal (cpu): <= 1.2x bare (same look) and < {FRAME_MS:.1f} ms: "
        f"{ratio:.2f}x, {ms:.1f} ms: {'met' if met else 'NOT met'}"
    )
    print("all curves change (new x range, 20 activations re-evaluated):")
    print(line("ours", ours_all, 2))
    for key, clock in base_all.items():
        print(line(f"bare, {key}", clock, 2, ours_all))
    window.close()
    for bare in bares.values():
        bare.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Does the window keep answering while a race trains at full speed, and what does the
live GUI cost the race?

In one process: a 1 ms timer on the GUI thread measures how late its ticks come (idle,
then while the Playground races in its worker thread with every plot live), and the
same race is timed headless (a plain loop that stores the run, like ``actviz train``)
and from the Playground. Goals: timer lateness p99 <= 8 ms, no stall over 50 ms,
throughput with the GUI live >= 0.8x headless.

    python bench/bench_gui_latency.py                    # 6 activations x 3 seeds, moons
    python bench/bench_gui_latency.py --steps 4000 --switch-interval 0.001
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

ACTIVATIONS = ["relu", "tanh", "gelu", "sigmoid", "silu", "elu"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class TickProbe:
    """A 1 ms precise QTimer; records how much later than 1 ms each tick arrives."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.late: list[tuple[float, float]] = []
        self._last: float | None = None

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.late.append((now, max(0.0, (now - self._last) * 1000.0 - 1.0)))
        self._last = now

    def start(self) -> None:
        self.late, self._last = [], None
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def between(self, start: float, end: float) -> list[float]:
        """Lateness (ms) of the ticks whose wait began between ``start`` and ``end`` (a
        stall belongs to the moment the GUI thread stopped answering)."""
        out = []
        for when, late in self.late:
            began = when - (late + 1.0) / 1000.0
            if start < began <= end:
                out.append(late)
        return out


def summary(late: list[float]) -> str:
    if not late:
        return "no ticks"
    return (
        f"{len(late)} ticks, lateness median {statistics.median(late):.2f} ms, "
        f"p99 {percentile(late, 99):.2f} ms, worst {max(late):.1f} ms, "
        f"stalls > 50 ms: {sum(v > 50 for v in late)}"
    )


def headless(config, catalogue, store_dir: Path) -> float:
    """Steps per second of the race pulled in a plain loop that also stores it."""
    from actviz.storage import RaceRecorder, RunStore
    from actviz.training import race

    with RunStore(store_dir / "headless.sqlite") as store:
        recorder = RaceRecorder(store)
        started = time.perf_counter()
        current = race(config, catalogue.activations, catalogue.tasks[config.task])
        for event in current:
            recorder(event)
        took = time.perf_counter() - started
    return current.result.steps_done / took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000, help="steps of the timed race")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=2.0, help="seconds of idle timing")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="sys.setswitchinterval for the whole run (Python's default is 0.005 s)",
    )
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    data_dir = Path(tempfile.mkdtemp(prefix="actviz-bench-"))
    os.environ["ACTVIZ_DATA_DIR"] = str(data_dir)
    os.environ["ACTVIZ_SETTINGS_DIR"] = str(data_dir / "settings")
    os.environ["ACTVIZ_SELECT"] = ",".join(ACTIVATIONS)
    from actviz.gui.headless import ensure_app

    app = ensure_app()
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost
    from actviz.training import RaceConfig, run_race

    window = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    window.resize(1600, 1000)
    window.show()
    window.show_panel("playground")
    panel = window.panel("playground")
    catalogue = window.state.catalogue
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.seeds.setText(str(args.seeds))
    form.steps.setValue(args.steps)
    app.processEvents()
    config = form.config()
    if config is None:
        print("the form refused the race:", form.problems)
        return 2
    print(
        f"race: {config.task}, {len(config.activations)} activations x {args.seeds} seeds, "
        f"hidden {list(config.hidden)}, {config.optimizer}, {config.steps} steps; "
        f"torch threads 1, switch interval {sys.getswitchinterval() * 1000:.1f} ms, "
        f"Qt platform {app.platformName()}"
    )
    # warm-up: imports, the first Adam, the first draw
    warm = RaceConfig(**{**config.to_dict(), "steps": 20})
    run_race(warm, catalogue.activations, catalogue.tasks[warm.task])
    app.processEvents()

    probe = TickProbe()
    probe.start()
    loop = QEventLoop()
    QTimer.singleShot(round(args.idle * 1000), loop.quit)
    loop.exec()
    probe.stop()
    idle = probe.between(0, float("inf"))
    print(f"idle:          {summary(idle)}")

    before = headless(config, catalogue, data_dir)
    print(f"headless:      {before:,.0f} steps/s")

    def gui_race(with_probe: bool) -> dict[str, float]:
        """Times (perf_counter) of one race started from the Playground: ``start``,
        ``training`` (the first step done), ``worker`` (its end), ``gui`` (the window
        showing the end)."""
        times: dict[str, float] = {}
        loop = QEventLoop()
        mark = lambda _id: times.setdefault("gui", time.perf_counter())  # noqa: E731

        def first_step(event: object) -> None:
            if getattr(event, "step", 0) > 0:
                times.setdefault("training", time.perf_counter())

        panel.raceFinished.connect(mark)
        panel.raceFinished.connect(loop.quit)
        if with_probe:
            probe.start()
        times["start"] = time.perf_counter()
        panel.start_race()
        worker = panel.runner.worker
        direct = Qt.ConnectionType.DirectConnection  # runs in the worker: no GUI delay
        worker.event.connect(first_step, direct)
        worker.finished.connect(lambda *_a: times.setdefault("worker", time.perf_counter()), direct)
        loop.exec()  # the application's event loop, as when a person watches the race
        probe.stop()
        panel.raceFinished.disconnect(mark)
        panel.raceFinished.disconnect(loop.quit)
        times["rate"] = panel.last_result.steps_done / (times["worker"] - times["start"])
        return times

    for label in ("first race (lays out the plots)", "second race (reuses them)"):
        times = gui_race(with_probe=True)
        start_up = probe.between(times["start"], times["training"])
        busy = probe.between(times["training"], times["worker"])
        rate_gui = times["rate"]
        print(f"{label}:")
        print(
            f"  start-up:    {(times['training'] - times['start']) * 1000:.0f} ms from Train "
            f"to the first step; worst tick lateness {max(start_up, default=0):.0f} ms"
        )
        print(f"  training:    {summary(busy)}")
        print(
            f"  throughput:  {rate_gui:,.0f} steps/s ({rate_gui / before:.2f}x the first headless)"
            f" with the 1 ms probe; the window showed the end "
            f"{(times['gui'] - times['worker']) * 1000:.0f} ms after the worker finished"
        )
    rate_plain = gui_race(with_probe=False)["rate"]
    after = headless(config, catalogue, data_dir)
    rate_headless = (before + after) / 2
    print(
        f"headless again: {after:,.0f} steps/s; the baseline below is the mean, "
        f"{rate_headless:,.0f} steps/s (the two differ by {abs(before - after) / rate_headless:.0%}"
        ": other load on this machine)"
    )
    print(
        f"without probe: {rate_plain:,.0f} steps/s ({rate_plain / rate_headless:.2f}x "
        "headless), the GUI live but nothing else waking the GUI thread"
    )
    p99, worst = percentile(busy, 99), max(busy) if busy else float("nan")
    ratio = rate_plain / rate_headless
    ok = p99 <= 8 and worst <= 50 and ratio >= 0.8
    print(
        f"goals (second race; throughput without the probe): p99 <= 8 ms: {p99:.2f} ms; "
        f"no stall > 50 ms: worst {worst:.1f} ms; >= 0.8x headless: {ratio:.2f}x "
        f"-> {'met' if ok else 'NOT met'}"
    )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

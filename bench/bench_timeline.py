"""What keeping a race's timeline costs: the same race with snapshots off and on.

A race of 8 activations x 5 seeds on moons (default network), 20,000 steps, is run
once without snapshots and once with them, each in a fresh process. With snapshots
every evaluation's networks go into a :class:`Timeline`, as the Playground keeps
them. Printed per mode: steps/s, evaluations, snapshots kept and their bytes, and
the process's resident memory before the race and its growth: right after the race,
after asking glibc to return freed memory (the engine has it keep freed memory for
the next step, so the plain growth overstates what is held) with the timeline still
held, and once race and timeline are dropped.

    python bench/bench_timeline.py                 # 20,000 steps, 8 x 5
    python bench/bench_timeline.py --steps 2000    # quicker
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACTIVATIONS = ["relu", "tanh", "sigmoid", "gelu", "silu", "elu", "leaky_relu", "softplus"]


def rss_mb() -> float:
    """Resident memory now (Linux: /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(snapshots: bool, steps: int, seeds: int) -> dict:
    """Run the race in this process; the figures as a dict."""
    import torch

    from actviz.host import load_catalogue
    from actviz.training.config import RaceConfig
    from actviz.training.engine import race
    from actviz.training.events import Evaluation
    from actviz.training.snapshots import Snapshotter
    from actviz.training.timeline import Timeline

    torch.set_num_threads(1)
    spent = [0.0]  # seconds inside Snapshotter.take: the cost itself, whatever the load
    take = Snapshotter.take

    def timed_take(self: Snapshotter, step: int):
        started = time.perf_counter()
        try:
            return take(self, step)
        finally:
            spent[0] += time.perf_counter() - started

    Snapshotter.take = timed_take
    catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    cfg = RaceConfig(task="moons", activations=ACTIVATIONS, seeds=seeds, steps=steps)
    # a tiny warm-up race: imports and the first Adam are not the timeline's cost
    warm = RaceConfig(task="moons", activations=ACTIVATIONS[:1], seeds=1, steps=5)
    list(race(warm, catalogue.activations, catalogue.tasks["moons"], snapshots=snapshots))
    timeline = Timeline()
    evaluations = 0
    before = rss_mb()
    spent[0] = 0.0
    started = time.perf_counter()
    current = race(cfg, catalogue.activations, catalogue.tasks["moons"], snapshots=snapshots)
    for event in current:
        if isinstance(event, Evaluation):
            evaluations += 1
            if event.snapshot is not None:
                timeline.add(event.snapshot)
    wall = time.perf_counter() - started
    snapshot_s = spent[0]
    one_snapshot = timeline.first().nbytes() if len(timeline) else 0
    after = rss_mb()
    _trim()  # glibc keeps freed memory for the next step (device.keep_freed_memory)
    held = rss_mb()
    kept, thinned, nbytes = len(timeline), timeline.thinned, timeline.nbytes
    done, runs, train_s = current.result.steps_done, len(current.runs), current.result.train_seconds
    # what dropping the timeline gives back (the rest is the race's own, or glibc's)
    del timeline, current, event
    gc.collect()
    _trim()
    freed = rss_mb()
    return {
        "snapshots": snapshots,
        "steps": done,
        "runs": runs,
        "wall_s": wall,
        "train_s": train_s,
        "steps_per_s": done / wall,
        "snapshot_s": snapshot_s,
        "evaluations": evaluations,
        "kept": kept,
        "thinned": thinned,
        "timeline_bytes": nbytes,
        "snapshot_bytes": one_snapshot,
        "rss_before_mb": before,
        "rss_after_mb": after,
        "rss_held_mb": held,
        "rss_dropped_mb": freed,
        "peak_mb": peak_mb(),
    }


def _trim() -> None:
    """Ask glibc to hand freed heap pages back, so RSS shows what is still held."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--child", choices=["on", "off"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one(args.child == "on", args.steps, args.seeds)))
        return
    print(
        f"moons, {len(ACTIVATIONS)} activations x {args.seeds} seeds, {args.steps:,} steps, "
        "default network; each mode in a fresh process"
    )
    rows = []
    for mode in ("off", "on"):
        done = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--steps", str(args.steps)]
            + ["--seeds", str(args.seeds)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    header = (
        f"{'snapshots':>9} {'steps/s':>9} {'wall s':>7} {'evals':>6} {'kept':>5} "
        f"{'timeline':>10} {'RSS before':>11} {'RSS after':>10} {'growth':>8} "
        f"{'trimmed':>8} {'dropped':>8}"
    )
    print(header)
    for r in rows:
        growth = r["rss_after_mb"] - r["rss_before_mb"]
        print(
            f"{'on' if r['snapshots'] else 'off':>9} {r['steps_per_s']:>9,.0f} "
            f"{r['wall_s']:>7.1f} {r['evaluations']:>6} {r['kept']:>5} "
            f"{r['timeline_bytes'] / 1e6:>8.2f}MB {r['rss_before_mb']:>9.1f}MB "
            f"{r['rss_after_mb']:>8.1f}MB {growth:>+6.1f}MB "
            f"{r['rss_held_mb'] - r['rss_before_mb']:>+6.1f}MB "
            f"{r['rss_dropped_mb'] - r['rss_before_mb']:>+6.1f}MB"
        )
    print(
        "growth: RSS after the race less before it; trimmed: the same once glibc has "
        "returned freed memory, the timeline still held; dropped: race and timeline gone"
    )
    off, on = rows
    print(
        f"one snapshot of {on['runs']} networks: {on['snapshot_bytes']:,} bytes; "
        f"timeline {on['timeline_bytes']:,} bytes in {on['kept']} snapshots "
        f"({on['thinned']} dropped to fit the budget); "
        f"speed with snapshots {on['steps_per_s'] / off['steps_per_s']:.2f}x of without"
    )
    print(
        f"taking the {on['kept'] + on['thinned']} snapshots: {on['snapshot_s'] * 1e3:.0f} ms "
        f"({100 * on['snapshot_s'] / on['wall_s']:.2f}% of the race's wall time; "
        "steps/s of separate runs on a shared machine vary more than that)"
    )


if __name__ == "__main__":
    main()

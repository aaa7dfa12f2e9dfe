"""How long the desktop app takes to be usable, with plugins cached, side by side with a
bare ``import torch``.

Each round starts, one after another in fresh processes: ``python -c "import torch"``,
the app with the built-ins, and (``--plugins N``) the app with a plugin folder of N
simple activations in one file (a third-party plugin). The app runs offscreen with
``ACTVIZ_EXIT_WHEN_READY=1``: it quits at the first paint after the plugins have loaded
(panels drawn, activations listed) and prints when it first painted and when it was
ready. The validation cache is filled first, so every round is the warm case. Medians
over the rounds; the goal (issue 22) is ready within 3 s of launch on this machine.
Load slows all three alike: compare the ready time with the bare import of the same run.

    python bench/bench_window_ready.py [--rounds 5] [--plugins 420]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_plugin_load import make_folder  # noqa: E402

GOAL_S = 3.0
LINE = re.compile(r"first paint after ([\d.]+) s; ready after ([\d.]+) s with (\d+) activations")


def _app(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(first paint, ready) seconds since the process started, and activations listed."""
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--no-user-plugins", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = LINE.search(done.stdout)
    if found is None:
        raise SystemExit(
            f"the app did not report ready:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return float(found[1]), float(found[2]), int(found[3])


def _import_torch(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], env=env, check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--plugins", type=int, default=0, help="also with N plugin activations")
    opts = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="actviz-bench-window-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTVIZ_")}
    env.update(
        ACTVIZ_DATA_DIR=str(root / "data"),
        ACTVIZ_CACHE_DIR=str(root / "cache"),
        ACTVIZ_CONFIG_DIR=str(root / "config"),
        ACTVIZ_EXIT_WHEN_READY="1",
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(REPO),
    )
    cases = {"built-ins": []}
    if opts.plugins:
        folder = make_folder(root, opts.plugins, one_file=True)
        cases[f"+{opts.plugins} plugin"] = ["--plugins", str(folder)]
    for args in cases.values():
        _app(args, env)  # fill the cache
    torch_s: list[float] = []
    seen: dict[str, list[tuple[float, float, int]]] = {name: [] for name in cases}
    for _ in range(opts.rounds):
        torch_s.append(_import_torch(env))
        for name, args in cases.items():
            seen[name].append(_app(args, env))
    bare = statistics.median(torch_s)
    print(f"desktop app offscreen, plugins cached; median of {opts.rounds} rounds")
    print(f"{'case':>16} {'first paint s':>14} {'ready s':>8} {'listed':>7} {'x torch':>8} goal")
    print(f"{'import torch':>16} {'':>14} {bare:8.2f}")
    for name, rows in seen.items():
        paint = statistics.median(r[0] for r in rows)
        ready = statistics.median(r[1] for r in rows)
        ok = "met" if ready <= GOAL_S else f"not met (>{GOAL_S:.0f} s)"
        print(f"{name:>16} {paint:14.2f} {ready:8.2f} {rows[0][2]:7d} {ready / bare:8.2f} {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

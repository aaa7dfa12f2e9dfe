"""Start-up cost of the command line next to a bare ``import torch``, measured side by side.

Each round runs, one after another in fresh processes: ``python -c "import torch"``, a
one-step ``actviz train`` and an ``actviz check`` of a small plugin file. The medians over
the rounds are printed with each command's excess over the bare import and its ratio to it
(issue 26's goal: within 1.5 s of the bare import). Load on the machine slows all three
alike, so compare the ratio and excess of one run, not seconds across runs.

    python bench/bench_startup.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLUGIN = """
import torch
from actviz import hookimpl, Activation, Param

@hookimpl
def actviz_activations():
    return [Activation(name="bench_isru", fn=lambda x, a: x / (1 + a * x * x).sqrt(),
                       params=[Param("a", default=1.0, min=0.1, max=5.0)])]
"""


def _seconds(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="actviz-startup-"))
    plugin = folder / "bench_isru.py"
    plugin.write_text(PLUGIN)
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    )
    env.setdefault("ACTVIZ_CACHE_DIR", str(folder / "cache"))
    env["ACTVIZ_DATA_DIR"] = str(folder / "data")
    py = sys.executable
    commands = {
        "import torch": [py, "-c", "import torch"],
        "train, 1 step": [py, "-m", "actviz.cli", "train", "--activations", "relu", "--steps",
                          "1", "--seeds", "1", "--no-store", "-q"],
        "check": [py, "-m", "actviz.cli", "check", "-q", str(plugin)],
    }  # fmt: skip
    for cmd in commands.values():  # warm the file cache and the plugin verdict cache
        _seconds(cmd, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            times[name].append(_seconds(cmd, env))
    base = statistics.median(times["import torch"])
    load = os.getloadavg()[0]
    print(f"median of {args.rounds} paired rounds ({os.cpu_count()} CPUs, load {load:.1f})")
    for name, values in times.items():
        median = statistics.median(values)
        excess = median - base
        print(
            f"  {name:14} {median:6.2f} s   +{excess:5.2f} s over import torch   "
            f"ratio {median / base:4.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

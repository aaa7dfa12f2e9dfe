"""Start-up cost of the command line next to a bare ``import torch``, measured side by side.

Each round runs, one after another in fresh processes: ``python -c "import torch"``, a
one-step ``actviz train`` and an ``actviz check`` of a small plugin file. The medians over
the rounds are printed with each command's excess over the bare import and its ratio to it
(issue 26's goal: within 1.5 s of the bare import). Load on the machine slows all three
alike, so compare the ratio and excess of one run, not seconds across runs. The CPU
time of each process (user + system, its children included) is printed too: on a
loaded machine it moves far less than the wall time, which waits for a free core.
``--against DIR`` times the same two commands from another source tree (say a
``git archive`` of an earlier commit) in the same rounds, for a before/after in one run.

    python bench/bench_startup.py [--rounds 5] [--against DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _seconds(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # run outside any source tree: ``python -m`` puts the working folder first on sys.path
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(cmd, env=env, cwd=cwd, check=False, **quiet)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def _env(tree: Path, folder: Path, cache: str) -> dict[str, str]:
    """Run ``actviz`` from ``tree``, with its own plugin verdict cache and data folder."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")])
    )
    env["ACTVIZ_CACHE_DIR"] = str(folder / cache)
    env["ACTVIZ_DATA_DIR"] = str(folder / "data")
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", type=Path, default=None, help="another source tree")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="actviz-startup-"))
    plugin = folder / "bench_isru.py"
    plugin.write_text(PLUGIN)
    py = sys.executable
    train = ["train", "--activations", "relu", "--steps", "1", "--seeds", "1", "--no-store", "-q"]
    check = ["check", "-q", str(plugin)]
    trees = {"": REPO} if args.against is None else {"": REPO, " (against)": args.against}
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "import torch": ([py, "-c", "import torch"], _env(REPO, folder, "cache"))
    }
    for label, tree in trees.items():
        env = _env(tree, folder, f"cache{label.strip()}")
        commands[f"train, 1 step{label}"] = ([py, "-m", "actviz.cli", *train], env)
        commands[f"check{label}"] = ([py, "-m", "actviz.cli", *check], env)
    load_start = os.getloadavg()[0]
    for cmd, env in commands.values():  # warm the file cache and the plugin verdict cache
        _seconds(cmd, env, folder)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, (cmd, env) in commands.items():
            times[name].append(_seconds(cmd, env, folder))
    wall = {name: statistics.median(t[0] for t in values) for name, values in times.items()}
    cpu = {name: statistics.median(t[1] for t in values) for name, values in times.items()}
    load = f"load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    print(f"median of {args.rounds} paired rounds ({os.cpu_count()} CPUs, {load})")
    print(f"  {'':24} {'wall':>7}  {'over torch':>10}  {'ratio':>5}   {'CPU':>7}  "
          f"{'over torch':>10}  {'ratio':>5}")  # fmt: skip
    for name in commands:
        w, c = wall[name], cpu[name]
        w0, c0 = wall["import torch"], cpu["import torch"]
        print(
            f"  {name:24} {w:6.2f}s  {w - w0:+9.2f}s  {w / w0:5.2f}   {c:6.2f}s  "
            f"{c - c0:+9.2f}s  {c / c0:5.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

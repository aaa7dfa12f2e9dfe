"""How long `actviz list` takes with many plugins, checked in separate processes, cold and cached.

For each size (12 and 400 plugins, each a file with one simple activation) a plugin
folder is generated and `actviz list --no-user-plugins --plugins DIR` is timed:

* cold: an empty validation cache, so every plugin (built-ins too) goes through the check
  process;
* warm: the same command again, every verdict cached;

side by side with the built-ins only (warm cache) and the built-ins only with the check
turned off (``ACTVIZ_PLUGIN_ISOLATION=0``: validated in the app, as before the check).
Warm runs and the baselines are interleaved, so the ratios are fair on a busy machine.
Times are wall-clock medians; CPU time (the command and its check processes) is printed
too, since other processes do not inflate it.

    python bench/bench_plugin_load.py [--sizes 12,400] [--repeats 3] [--one-file]

Goal: warm 400-plugin `list` at most 1.5x the built-ins only.
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

PLUGIN = """import torch
from actviz import hookimpl, Activation, Param

@hookimpl
def actviz_activations():
    return [{items}]
"""
ITEM = (
    'Activation(name="gen_{i}", fn=lambda x, a: x * torch.sigmoid(a * x), '
    'params=[Param("a", default={a}, min=0.1, max=10.0)], family="generated")'
)


def make_folder(root: Path, size: int, one_file: bool) -> Path:
    folder = root / f"plugins_{size}{'_one_file' if one_file else ''}"
    folder.mkdir()
    items = [ITEM.format(i=i, a=1.0 + i / size) for i in range(size)]
    if one_file:
        (folder / "generated.py").write_text(PLUGIN.format(items=",\n        ".join(items)))
    else:
        for i, item in enumerate(items):
            (folder / f"gen_{i:03d}.py").write_text(PLUGIN.format(items=item))
    return folder


def run_list(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the check processes included) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "actviz.cli", "list", "--no-user-plugins", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or "0 with errors" not in done.stdout:
        raise SystemExit(f"actviz list failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_pair(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="12,400")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one-file", action="store_true", help="all activations in one file")
    opts = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="actviz-bench-plugins-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("ACTVIZ_")}
    base_env["ACTVIZ_DATA_DIR"] = str(root / "data")
    base_env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])

    def env(cache: str, **extra: str) -> dict[str, str]:
        return {**base_env, "ACTVIZ_CACHE_DIR": str(root / cache), **extra}

    builtin_env = env("cache-builtins")
    run_list([], builtin_env)  # fill the built-ins' cache
    rows = []
    for size in [int(s) for s in opts.sizes.split(",")]:
        folder = make_folder(root, size, opts.one_file)
        cache = f"cache-{size}"
        cold = run_list(["--plugins", str(folder)], env(cache))
        warm, builtins, unchecked = [], [], []
        for _ in range(opts.repeats):
            warm.append(run_list(["--plugins", str(folder)], env(cache)))
            builtins.append(run_list([], builtin_env))
            unchecked.append(run_list([], env("cache-off", ACTVIZ_PLUGIN_ISOLATION="0")))
        rows.append((size, cold, median_pair(warm), median_pair(builtins), median_pair(unchecked)))

    shape = "in one file" if opts.one_file else "one file each"
    print(f"actviz list, plugins with one simple activation {shape}; {opts.repeats} repeats")
    print(f"{'plugins':>8} {'cold':>14} {'warm':>14} {'built-ins':>14} {'no check':>14} "
          f"{'warm/built-ins':>15}")  # fmt: skip
    for size, cold, warm, builtins, unchecked in rows:
        cells = [f"{w:6.2f}s/{c:5.2f}c" for w, c in (cold, warm, builtins, unchecked)]
        ratio = f"{warm[0] / builtins[0]:.2f}x ({warm[1] / builtins[1]:.2f}x cpu)"
        print(f"{size:>8} " + " ".join(f"{cell:>14}" for cell in cells) + f" {ratio:>15}")
    print("s = wall-clock median, c = CPU seconds (command + check processes)")


if __name__ == "__main__":
    main()

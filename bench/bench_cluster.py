"""One benchmark on each executor, side by side: in-process, local processes, local Ray.

Every executor trains the same shards (each built-in elementwise activation on five
tasks with paired seeds); the script prints wall time, shards per second and the ratio
to in-process, and checks that every executor produced the same per-seed results.
Ray's start-up is timed apart from the training.

    python bench/bench_cluster.py                     # 32 activations x 5 tasks x 10 seeds
    python bench/bench_cluster.py --steps 100 --seeds 4 --activations 8   # quicker
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.benchmark import BenchSpec, run_shards  # noqa: E402
from actviz.benchmark.executors import InProcess, LocalProcesses, RayCluster  # noqa: E402
from actviz.host import load_catalogue  # noqa: E402

TASKS = ["moons", "circles", "xor", "spiral", "sine"]


def per_seed(races: dict) -> dict:
    return {
        (task, run["activation"], run["seed"]): run["final_loss"]
        for task, race in races.items()
        for run in race["runs"]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activations", type=int, default=32, help="how many built-ins")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed-batch", type=int, default=5, help="seeds per shard")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    import torch

    # every worker trains with one thread; so does in-process, or float sums differ in order
    torch.set_num_threads(1)

    catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    names = [n for n, a in catalogue.activations.items() if a.kind == "elementwise"]
    names = names[: args.activations]
    spec = BenchSpec(
        activations=names,
        tasks=TASKS,
        seeds=args.seeds,
        seed_batch=args.seed_batch,
        steps=args.steps,
        options={"hidden": [8, 8], "device": "cpu", "boundary_grid": 0},
    )
    shards = len(spec.configs())
    print(
        f"{len(names)} activations x {len(TASKS)} tasks x {args.seeds} seeds, {args.steps} steps:"
        f" {shards} shards of {len(names)} x {args.seed_batch} models, {os.cpu_count()} cores"
    )
    executors = [("in-process", InProcess)]
    executors.append((f"processes x{args.workers}", lambda: LocalProcesses(args.workers)))
    if not args.no_ray:
        executors.append((f"ray, {args.workers} CPUs", lambda: RayCluster(num_cpus=args.workers)))
    reference = None
    base = None
    for label, make in executors:
        started = time.perf_counter()
        executor = make()
        ready = time.perf_counter() - started
        try:
            t0 = time.perf_counter()
            races = run_shards(spec, catalogue, executor=executor)
            wall = time.perf_counter() - t0
        finally:
            executor.close()
        results = per_seed(races)
        if reference is None:
            same = "reference"
        else:
            differ = sorted({k[1] for k in results if results[k] != reference.get(k)})
            same = "same" if not differ else "differ for " + ", ".join(differ)
        reference = reference or results
        base = base or wall
        print(
            f"  {label:16} start {ready:5.1f} s  train {wall:6.1f} s  {shards / wall:5.2f} shards/s"
            f"  x{base / wall:4.2f} of in-process  results: {same}"
        )


if __name__ == "__main__":
    main()

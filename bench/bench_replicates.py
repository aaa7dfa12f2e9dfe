"""What one data draw per seed costs: the same race with vary="init" and vary="all",
side by side (alternating, so load on the machine hits both alike); prints the ratio.

    python bench/bench_replicates.py            # 4 activations x 8 seeds, moons, 300 steps
    python bench/bench_replicates.py --batch-size 32 --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.training import RaceConfig, run_race  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    names = ["relu", "tanh", "gelu", "elu"]
    seconds: dict[str, list[float]] = {"init": [], "all": []}
    for _ in range(args.repeats):
        for vary in ("init", "all"):
            cfg = RaceConfig(
                task="moons", activations=names, seeds=args.seeds, steps=args.steps,
                batch_size=args.batch_size, boundary_grid=0, device="cpu", vary=vary,
            )  # fmt: skip
            result = run_race(cfg, {n: cat.activations[n] for n in names}, cat.tasks["moons"])
            seconds[vary].append(result.train_seconds)
    init, every = statistics.median(seconds["init"]), statistics.median(seconds["all"])
    print(f"vary=init {init:.2f} s, vary=all {every:.2f} s (median of {args.repeats})")
    print(f"ratio all/init: {every / init:.2f}")


if __name__ == "__main__":
    main()

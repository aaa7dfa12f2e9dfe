"""What weight penalties, extra inputs and per-layer activations cost a race.

The same race (moons, 2-16-16-1, Adam, 4 activations x 5 seeds) is timed plain and with
each option, in turns (so machine load hits all alike), best of ``--repeats``. Printed:
the race's own training seconds (``result.train_seconds``) and the ratio to plain.

    python bench/bench_network_options.py
    python bench/bench_network_options.py --steps 300 --repeats 2 --device cuda
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.training import RaceConfig, run_race  # noqa: E402

PLAIN = ["relu", "tanh", "gelu", "sigmoid"]
CASES: dict[str, dict] = {
    "plain": {},
    "l2": {"l2": 1e-3},
    "l1 + l2": {"l1": 1e-4, "l2": 1e-3},
    "5 features": {"features": ["x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]},
    "per layer": {"activations": ["relu>tanh", "tanh>relu", "gelu>sigmoid", "sigmoid>gelu"]},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    best = {name: float("inf") for name in CASES}
    for _ in range(args.repeats):
        for name, extra in CASES.items():
            settings = {
                "task": "moons", "activations": PLAIN, "seeds": 5, "steps": args.steps,
                "hidden": (16, 16), "device": args.device, "boundary_grid": 0,
                "eval_every": args.steps, **extra,
            }  # fmt: skip
            result = run_race(RaceConfig(**settings), cat.activations, cat.tasks["moons"])
            assert result.status == "finished", result.status
            best[name] = min(best[name], result.train_seconds)
    print(f"{args.steps} steps, 20 models 2-16-16-1 on {args.device}, best of {args.repeats}")
    for name, seconds in best.items():
        print(f"  {name:12} {seconds:7.3f} s   x{seconds / best['plain']:.2f}")


if __name__ == "__main__":
    main()

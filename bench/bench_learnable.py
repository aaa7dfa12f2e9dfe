"""Learnable activations against ReLU: forward + backward at race shapes, one run.

Each activation is applied as a race applies it: inputs ``[models, units, points]``
(default ``[3, 8, 140]``: 3 seeds, 8 hidden units, the 140 training points of 200 moons
points), parameters in race shape at their defaults (``param_shapes.race_value``),
then one backward pass to the inputs and the learnable parameters. The time is this
thread's CPU time per forward + backward (median of blocks); the ratio is to ReLU
measured the same way in the same run (goal: at most 3x).

    python bench/bench_learnable.py
    python bench/bench_learnable.py --shape 32 8 140
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.param_shapes import passed_as_float, race_value  # noqa: E402

NAMES = ["relu", "prelu_units", "pade", "bspline", "apl"]
GOAL = 3.0


def setup(act, shape):
    models, units, points = shape
    seeds = list(range(models))
    kwargs, learn = {}, []
    for p in act.params:
        if passed_as_float(p):
            kwargs[p.name] = p.default
            continue
        value = race_value(p, seeds, units, chosen=None, device=torch.device("cpu"))
        if p.learnable:
            value.requires_grad_()
            learn.append(value)
        kwargs[p.name] = value
    z = torch.randn(*shape, generator=torch.Generator().manual_seed(0)) * 2
    z.requires_grad_()
    grad = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
    return z, kwargs, learn, grad


def time_one(act, shape, repeats: int, blocks: int) -> float:
    z, kwargs, learn, grad = setup(act, shape)
    inputs = [z, *learn]

    def once() -> None:
        out = act.fn(z, **kwargs)
        torch.autograd.grad(out, inputs, grad)

    for _ in range(20):
        once()
    times = []
    for _ in range(blocks):
        start = time.thread_time()
        for _ in range(repeats):
            once()
        times.append((time.thread_time() - start) / repeats * 1e6)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=3, default=[3, 8, 140])
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    shape = tuple(args.shape)
    # interleave the blocks so that load on the machine weighs on every activation alike
    results: dict[str, list[float]] = {n: [] for n in NAMES}
    for _ in range(args.blocks):
        for name in NAMES:
            results[name].append(time_one(catalogue.activations[name], shape, args.repeats, 1))
    us = {n: statistics.median(v) for n, v in results.items()}
    print(f"torch {torch.__version__}, forward + backward at {list(shape)}, CPU, one thread")
    print(f"{'activation':12} {'us':>8} {'x ReLU':>7} {'goal':>6}")
    for name in NAMES:
        ratio = us[name] / us["relu"]
        goal = "" if name == "relu" else f"<={GOAL:.0f}x"
        print(f"{name:12} {us[name]:8.1f} {ratio:7.2f} {goal:>6}")
    if args.json:
        rows = {n: {"us": us[n], "x_relu": us[n] / us["relu"]} for n in NAMES}
        args.json.write_text(json.dumps({"shape": list(shape), "goal": GOAL, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

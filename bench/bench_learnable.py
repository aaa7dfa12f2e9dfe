"""Learnable activations against ReLU: forward + backward at race shapes, one run.

Two measures, side by side: the activation alone (below), and a whole training step
of a race of that activation (``step``: 3 seeds of a 2-8-8-1 MLP on 200 moons points,
Adam; the race's own step, tape-free by default, which calls a plugin's
``fn.autograd_function`` directly), which is what a search over learnable candidates pays.
The ``floor`` row is an ``autograd.Function`` of x and two per-unit parameters that does
no arithmetic at all (returns x, gradients g and zeros): what autograd's bookkeeping
alone costs any activation written in Python with learnable parameters, against ReLU's
single fused kernel.

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


class _Floor(torch.autograd.Function):
    """No arithmetic: x back, g and zeros as gradients (autograd's own cost)."""

    @staticmethod
    def forward(ctx, x, a, b):
        ctx.shapes = a.shape, b.shape
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.shapes
        return g, g.new_zeros(a), g.new_zeros(b)


def _floor(x, a, b):
    return _Floor.apply(x, a, b)


def floor_activation():
    from actviz import Activation, Param

    per_unit = ("per_unit", 2)
    return Activation(
        name="floor",
        fn=_floor,
        params=[
            Param("a", 0.0, shape=per_unit, learnable=True),
            Param("b", 0.0, shape=per_unit, learnable=True),
        ],
    )


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


def step_race(catalogue, name: str, seeds: int):
    from actviz.training import RaceConfig, race

    cfg = RaceConfig(
        vary="init",  # one shared draw, as the loop it is compared with trains on
        task="moons",
        activations=[name],
        seeds=seeds,
        steps=10**9,
        hidden=(8, 8),
        points=200,
        eval_every=10**9,
        device="cpu",
        threads=1,
    )
    current = race(cfg, catalogue.activations, catalogue.tasks["moons"])
    events = iter(current)
    next(events)
    next(events)  # started, and the step-0 evaluation
    for _ in range(20):
        current._step()
    return current


def time_steps(current, repeats: int) -> float:
    start = time.thread_time()
    for _ in range(repeats):
        current._step()
    return (time.thread_time() - start) / repeats * 1e6


def _modes(current) -> str:
    """How the tape-free step computes the activation (``native``: the plugin's own
    Function called directly, or torch's kernel; ``autograd``)."""
    steps = getattr(current, "_tape_free", None) or []
    modes = sorted({u.mode for step in steps for units in step.units for u in units})
    return "/".join(modes) or "-"


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
    acts = {n: catalogue.activations[n] for n in NAMES}
    acts["floor"] = floor_activation()
    results: dict[str, list[float]] = {n: [] for n in acts}
    steps: dict[str, list[float]] = {n: [] for n in NAMES}
    races = {n: step_race(catalogue, n, shape[0]) for n in NAMES}
    for _ in range(args.blocks):
        for name in acts:
            results[name].append(time_one(acts[name], shape, args.repeats, 1))
            if name in races:
                steps[name].append(time_steps(races[name], max(1, args.repeats // 3)))
    us = {n: statistics.median(v) for n, v in results.items()}
    step_us = {n: statistics.median(v) for n, v in steps.items()}
    print(f"torch {torch.__version__}, CPU, one thread; activation alone: forward + backward at")
    print(f"{list(shape)}; step: a race step of {shape[0]} seeds, 2-8-8-1, 200 moons points")
    print(
        f"{'activation':12} {'alone us':>9} {'x ReLU':>7} {'step us':>8} {'x ReLU':>7} {'goal':>6}"
    )
    for name in NAMES:
        ratio = us[name] / us["relu"]
        step_ratio = step_us[name] / step_us["relu"]
        goal = "" if name == "relu" else f"<={GOAL:.0f}x"
        print(
            f"{name:12} {us[name]:9.1f} {ratio:7.2f} {step_us[name]:8.1f} {step_ratio:7.2f} "
            f"{goal:>6}  {races[name].step_path}, {_modes(races[name])}"
        )
    print(f"{'floor':12} {us['floor']:9.1f} {us['floor'] / us['relu']:7.2f} {'-':>8} {'-':>7}")
    if args.json:
        rows = {
            n: {
                "us": us[n],
                "x_relu": us[n] / us["relu"],
                "step_us": step_us[n],
                "step_x_relu": step_us[n] / step_us["relu"],
            }
            for n in NAMES
        }
        rows["floor"] = {"us": us["floor"], "x_relu": us["floor"] / us["relu"]}
        args.json.write_text(json.dumps({"shape": list(shape), "goal": GOAL, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

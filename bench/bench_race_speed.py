"""The race engine against the plain loop and the torch.func ensemble, one run, side by side.

The case of issue 22: 8 activations x 4 seeds of a 2-8-8-1 MLP on 200 moons points,
1,500 Adam steps (lr 0.01). Four ways train the same networks from the same weights:

* ``loop``: the loop a user writes, one ``nn.Sequential`` + ``torch.optim.Adam`` per model;
* ``func``: the skilled user's torch.func ensemble, ``stack_module_state`` +
  ``vmap(functional_call)`` with one Adam per activation over its seeds;
* ``reference``: actviz with its autograd step (``ACTVIZ_TAPE_FREE=0``);
* ``actviz``: actviz as shipped (the tape-free step, ``actviz/training/tape_free.py``).

Times are wall-clock seconds of training (models built beforehand; the engine's two
evaluations included), and this thread's CPU seconds, which other programs on a busy
machine inflate less. ``--repeats N`` alternates the order N times and prints medians.
It also prints how far the tape-free race's final losses are from the reference
race's and from the plain loop's: the same networks trained the same way.

    python bench/bench_race_speed.py                # the issue's case
    python bench/bench_race_speed.py --steps 300    # quicker
    python bench/bench_race_speed.py --device cuda
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.training import RaceConfig, run_race  # noqa: E402
from actviz.training.weight_init import initial_layers  # noqa: E402

ACTIVATIONS = ["relu", "tanh", "gelu", "sigmoid", "silu", "elu", "softplus", "mish"]
GOALS = {"loop": 20.0, "func": 8.0}


class Act(nn.Module):
    """A plugin's function as a module, as a user would wrap it."""

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)


def build(fn, seed: int, widths: list[int], device: torch.device) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (w, b) in enumerate(initial_layers(seed, widths)):
        lin = nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        layers.append(lin)
        if i < len(widths) - 2:
            layers.append(Act(fn))
    return nn.Sequential(*layers).to(device)


def _data(task, points: int, device: torch.device):
    data = task.generate(points, None, 0)
    return data.x_train.to(device), data.y_train.to(device)


def plain_loop(args, catalogue, task, device) -> tuple[float, float, list[float]]:
    x, y = _data(task, args.points, device)
    widths = [2, *args.hidden, 1]
    models = [
        build(catalogue.activations[name].fn, seed, widths, device)
        for name in args.activations
        for seed in range(args.seeds)
    ]
    loss_fn = nn.BCEWithLogitsLoss()
    _sync(device)
    wall, cpu = time.perf_counter(), time.thread_time()
    for model in models:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
        for _ in range(args.steps):
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
    _sync(device)
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    with torch.no_grad():
        finals = [float(loss_fn(m(x), y)) for m in models]
    return wall, cpu, finals


def func_ensemble(args, catalogue, task, device) -> tuple[float, float, list[float]]:
    from torch.func import functional_call, stack_module_state, vmap

    x, y = _data(task, args.points, device)
    widths = [2, *args.hidden, 1]
    groups = []
    for name in args.activations:
        fn = catalogue.activations[name].fn
        models = [build(fn, seed, widths, device) for seed in range(args.seeds)]
        params, buffers = stack_module_state(models)
        base = copy.deepcopy(models[0]).to("meta")

        def loss(p, b, x, y, base=base):
            return F.binary_cross_entropy_with_logits(functional_call(base, (p, b), (x,)), y)

        batched = vmap(loss, in_dims=(0, 0, None, None))
        opt = torch.optim.Adam(list(params.values()), lr=args.lr)
        groups.append((batched, params, buffers, opt))
    _sync(device)
    wall, cpu = time.perf_counter(), time.thread_time()
    for batched, params, buffers, opt in groups:
        for _ in range(args.steps):
            opt.zero_grad()
            batched(params, buffers, x, y).sum().backward()
            opt.step()
    _sync(device)
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    with torch.no_grad():
        finals = [float(v) for b, p, bu, _ in groups for v in b(p, bu, x, y)]
    return wall, cpu, finals


def engine(args, catalogue, task, device, tape_free: bool) -> tuple[float, float, list[float]]:
    cfg = RaceConfig(
        vary="init",  # one shared draw, as the loop it is compared with trains on
        task="moons",
        activations=args.activations,
        seeds=args.seeds,
        steps=args.steps,
        hidden=tuple(args.hidden),
        points=args.points,
        optimizer="adam",
        lr=args.lr,
        eval_every=args.steps,
        device=device.type,
        threads=args.threads,
    )
    previous = os.environ.get("ACTVIZ_TAPE_FREE")
    os.environ["ACTVIZ_TAPE_FREE"] = "1" if tape_free else "0"
    cpu = time.thread_time()
    try:
        result = run_race(cfg, catalogue.activations, task)
    finally:
        if previous is None:
            os.environ.pop("ACTVIZ_TAPE_FREE", None)
        else:
            os.environ["ACTVIZ_TAPE_FREE"] = previous
    cpu = time.thread_time() - cpu  # set-up and both evaluations included
    finals = [r.history[-1]["train_loss"] for r in result.runs]
    return result.train_seconds, cpu, finals


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


WAYS = {
    "loop": plain_loop,
    "func": func_ensemble,
    "reference": lambda a, c, t, d: engine(a, c, t, d, tape_free=False),
    "actviz": lambda a, c, t, d: engine(a, c, t, d, tape_free=True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (CPU)")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--hidden", type=int, nargs="+", default=[8, 8])
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--repeats", type=int, default=1, help="alternate the order N times")
    parser.add_argument("--ways", default=",".join(WAYS), help="which of " + ",".join(WAYS))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    args.activations = ACTIVATIONS
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    task = catalogue.tasks["moons"]
    ways = [w.strip() for w in args.ways.split(",") if w.strip()]
    unknown = [w for w in ways if w not in WAYS]
    if unknown or "actviz" not in ways:
        parser.error(f"--ways: choose from {', '.join(WAYS)}, including actviz")
    warm = argparse.Namespace(**{**vars(args), "steps": 5, "seeds": 1})
    for way in ways:  # one-off costs (imports, first kernels) outside the timings
        WAYS[way](warm, catalogue, task, device)
    walls: dict[str, list[float]] = {w: [] for w in ways}
    cpus: dict[str, list[float]] = {w: [] for w in ways}
    finals: dict[str, list[float]] = {}
    for rep in range(args.repeats):
        order = ways if rep % 2 == 0 else list(reversed(ways))
        for way in order:
            wall, cpu, final = WAYS[way](args, catalogue, task, device)
            walls[way].append(wall)
            cpus[way].append(cpu)
            finals[way] = final
    models = len(args.activations) * args.seeds
    print(
        f"device {device}, torch {torch.__version__}, threads {torch.get_num_threads()}; "
        f"{len(args.activations)} activations x {args.seeds} seeds, "
        f"2-{'-'.join(map(str, args.hidden))}-1, {args.points} moons points, {args.steps} Adam "
        f"steps; median of {args.repeats}"
    )
    ours, ours_cpu = statistics.median(walls["actviz"]), statistics.median(cpus["actviz"])
    print(f"{'way':10} {'wall s':>8} {'cpu s':>8} {'ms/step':>8} {'actviz faster':>14} "
          f"{'(cpu)':>7} {'goal':>6}")  # fmt: skip
    for way in ways:
        wall, cpu = statistics.median(walls[way]), statistics.median(cpus[way])
        ratio = f"{wall / ours:.1f}x" if way != "actviz" else "-"
        cpu_ratio = f"{cpu / ours_cpu:.1f}x" if way != "actviz" else "-"
        goal = f">={GOALS[way]:.0f}x" if way in GOALS else ""
        print(
            f"{way:10} {wall:8.2f} {cpu:8.2f} {wall / args.steps * 1e3:8.3f} {ratio:>14} "
            f"{cpu_ratio:>7} {goal:>6}"
        )
    gaps = {}
    for a, b in (
        ("actviz", "reference"),
        ("actviz", "loop"),
        ("actviz", "func"),
        ("reference", "loop"),
    ):
        if a in finals and b in finals:
            gap = max(abs(x - y) for x, y in zip(finals[a], finals[b], strict=True))
            gaps[f"{a}-{b}"] = gap
            print(f"final train loss, max |{a} - {b}| over {models} models: {gap:.2e}")
    if args.json:
        rows = {
            w: {
                "wall_s": statistics.median(walls[w]),
                "cpu_s": statistics.median(cpus[w]),
                "actviz_faster_wall": statistics.median(walls[w]) / ours,
                "actviz_faster_cpu": statistics.median(cpus[w]) / ours_cpu,
            }
            for w in ways
        }
        info = {"device": str(device), "torch": torch.__version__, "steps": args.steps}
        info |= {"seeds": args.seeds, "repeats": args.repeats, "goals": GOALS}
        args.json.write_text(json.dumps({**info, "ways": rows, "final_loss_gaps": gaps}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

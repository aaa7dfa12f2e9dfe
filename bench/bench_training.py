"""Race engine versus the loop a user would write, timed side by side in one process.

The ratio is of wall-clock times; on the CPU a ratio of CPU times (this thread's
time only, which other programs on a busy machine do not inflate) is printed too.

The loop: for each activation and seed, one ``nn.Sequential`` and one
``torch.optim.Adam``, trained one after another on the same data. The engine: one
``run_race`` over every activation x seed at once. Both train the same networks with
the same data and optimiser for the same number of steps; the engine evaluates only
at the start and the end, the loop not at all.

    python bench/bench_training.py                 # CPU, one thread
    python bench/bench_training.py --device cuda   # on a GPU machine
    python bench/bench_training.py --steps 300     # quicker, same ratios roughly
    python bench/bench_training.py --device cuda --engine-only 2 --eager
        # no user loop for case 2 (minutes on a GPU); engine also without CUDA graphs
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.training import RaceConfig, run_race  # noqa: E402
from actviz.training.weight_init import initial_layers  # noqa: E402

ACTIVATIONS = ["relu", "tanh", "gelu", "sigmoid", "silu", "elu", "softplus", "mish"]


@dataclass
class Case:
    name: str
    activations: list[str]
    seeds: int
    hidden: tuple[int, ...]
    points: int
    steps: int
    goal: float


class Act(nn.Module):
    """Wraps a plugin's function as a module, as a user would."""

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)


def user_loop(case: Case, catalogue, task, device: torch.device, lr: float) -> tuple:
    """Wall and CPU seconds to train every model of ``case`` one after another (data and
    models made beforehand)."""
    data = task.generate(case.points, None, 0)
    x = data.x_train.to(device)
    y = data.y_train.to(device)
    widths = [2, *case.hidden, 1]
    models = []
    for name in case.activations:
        fn = catalogue.activations[name].fn
        for seed in range(case.seeds):
            layers: list[nn.Module] = []
            for i, (w, b) in enumerate(initial_layers(seed, widths)):
                lin = nn.Linear(w.shape[1], w.shape[0])
                with torch.no_grad():
                    lin.weight.copy_(w)
                    lin.bias.copy_(b)
                layers.append(lin)
                if i < len(widths) - 2:
                    layers.append(Act(fn))
            models.append(nn.Sequential(*layers).to(device))
    _sync(device)
    start, cpu = time.perf_counter(), time.thread_time()
    for model in models:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn = nn.BCEWithLogitsLoss()
        for _ in range(case.steps):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
    _sync(device)
    return time.perf_counter() - start, time.thread_time() - cpu


def engine(
    case: Case, catalogue, task, device: torch.device, lr: float, threads, graphs: bool = True
) -> tuple:
    cfg = RaceConfig(
        vary="init",  # one shared draw, as the loop it is compared with trains on
        task="moons",
        activations=case.activations,
        seeds=case.seeds,
        steps=case.steps,
        hidden=case.hidden,
        points=case.points,
        optimizer="adam",
        lr=lr,
        eval_every=case.steps,
        device=device.type,
        threads=threads,
    )
    previous = os.environ.get("ACTVIZ_CUDA_GRAPHS")
    os.environ["ACTVIZ_CUDA_GRAPHS"] = "1" if graphs else "0"
    cpu = time.thread_time()
    try:
        result = run_race(cfg, catalogue.activations, task)
        cpu = time.thread_time() - cpu  # set-up and evaluations included
    finally:
        if previous is None:
            os.environ.pop("ACTVIZ_CUDA_GRAPHS", None)
        else:
            os.environ["ACTVIZ_CUDA_GRAPHS"] = previous
    return result.train_seconds, cpu, result.strategy


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "mps"])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (CPU)")
    parser.add_argument("--steps", type=int, default=1500, help="steps of the small cases")
    parser.add_argument("--big-steps", type=int, default=300, help="steps of the big case")
    parser.add_argument("--skip", default="", help="comma-separated case numbers to skip")
    parser.add_argument(
        "--engine-only", default="", help="comma-separated case numbers to time without the loop"
    )
    parser.add_argument(
        "--eager", action="store_true", help="also time the engine without CUDA graphs (GPU)"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    task = catalogue.tasks["moons"]
    cases = [
        Case("8 act x 4 seeds, 2-8-8-1", ACTIVATIONS, 4, (8, 8), 200, args.steps, 20.0),
        Case("8 act x 16 seeds, 2-8-8-1", ACTIVATIONS, 16, (8, 8), 200, args.steps, 20.0),
        Case(
            "4 act x 2 seeds, 2-256-256-1",
            ACTIVATIONS[:4],
            2,
            (256, 256),
            1000,
            args.big_steps,
            1.0,
        ),
    ]
    skip = _numbers(args.skip)
    engine_only = _numbers(args.engine_only)
    eager = args.eager and device.type == "cuda"
    on_cpu = device.type == "cpu"
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # pay torch's one-off import here
    warm = Case("warm-up", ACTIVATIONS, 1, (8, 8), 50, 5, 0.0)
    engine(warm, catalogue, task, device, 0.01, args.threads)  # device context, kernels
    user_loop(warm, catalogue, task, device, 0.01)
    print(f"device {device}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(
        f"{'case':30} {'models':>6} {'steps':>6} {'loop s':>8} {'engine s':>9} {'ratio':>7} "
        f"{'goal':>5}  {'loop ms/model-step':>18} {'engine ms/step':>14}"
        + (f" {'eager ms/step':>13}" if eager else "")
        + (f" {'cpu ratio':>9}" if on_cpu else "")
        + "  strategy"
    )
    for number, case in enumerate(cases, start=1):
        if number in skip:
            continue
        models = len(case.activations) * case.seeds
        ours, ours_cpu, strategy = engine(case, catalogue, task, device, 0.01, args.threads)
        extra = ""
        if eager:
            plain, _, _ = engine(case, catalogue, task, device, 0.01, args.threads, graphs=False)
            extra = f" {plain / case.steps * 1e3:13.3f}"
        per_step = ours / case.steps * 1e3
        cpu_ratio = "-"
        if number in engine_only:
            loop_s = ratio = per_model = "-"
        else:
            loop, loop_cpu = user_loop(case, catalogue, task, device, 0.01)
            loop_s = f"{loop:.2f}"
            ratio = f"{loop / ours:.1f}x"
            per_model = f"{loop / (models * case.steps) * 1e3:.3f}"
            cpu_ratio = f"{loop_cpu / ours_cpu:.1f}x"
        if on_cpu:
            extra += f" {cpu_ratio:>9}"
        print(
            f"{case.name:30} {models:6d} {case.steps:6d} {loop_s:>8} {ours:9.2f} {ratio:>7} "
            f"{case.goal:4.0f}x  {per_model:>18} {per_step:14.3f}{extra}  {strategy}",
            flush=True,
        )
    return 0


def _numbers(text: str) -> set[int]:
    return {int(part) for part in text.split(",") if part.strip()}


if __name__ == "__main__":
    sys.exit(main())

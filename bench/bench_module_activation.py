"""A module activation (``Activation.from_module``, vmap over models) against the same
formula written as a function plugin, raced side by side in one run.

The module is ``b * tanh(a * x)`` with a learnable ``a`` and a buffer ``b``; the function
computes the same with broadcast race shapes. Both train the same models (same seeds,
same starts), so the ratio is the cost of batching a module with ``torch.func.vmap``.

    python bench/bench_module_activation.py [--seeds 8] [--steps 300] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch
from torch import nn

from actviz import Activation, Param
from actviz.host import load_catalogue
from actviz.training import RaceConfig, run_race


class ScaledTanh(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.7))
        self.register_buffer("b", torch.tensor(1.5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b * torch.tanh(self.a * x)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    acts = {
        "module": Activation.from_module(ScaledTanh, name="module"),
        "function": Activation(
            name="function",
            fn=lambda x, a, b: b * torch.tanh(a * x),
            params=[Param("a", 0.7, learnable=True), Param("b", 1.5)],
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in acts}
    for _ in range(args.rounds):
        for name, act in acts.items():
            cfg = RaceConfig(
                task="moons", activations=[name], seeds=args.seeds, steps=args.steps,
                hidden=(8, 8), device="cpu", boundary_grid=0,
            )  # fmt: skip
            start = time.perf_counter()
            run_race(cfg, {**cat.activations, name: act}, cat.tasks["moons"])
            times[name].append(time.perf_counter() - start)
    module, function = (statistics.median(times[n]) for n in ("module", "function"))
    print(
        f"{args.seeds} seeds x {args.steps} steps, moons 2-8-8-1, median of {args.rounds} "
        f"(load average {os.getloadavg()[0]:.1f}): module {module:.2f} s, "
        f"function {function:.2f} s, ratio {module / function:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

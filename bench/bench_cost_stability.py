"""How steady the "cost (x ReLU)" is: the old measure (best of 15 forward+backward runs,
ReLU timed against itself) against the new one (median of 31 interleaved rounds, ReLU = 1
by definition), each taken ``TRIALS`` times afresh (no cache) in one run, side by side.

Prints, per activation, the mean and the relative range (max - min) / mean of the trials,
and the new measure's own reported spread.

    nice python bench/bench_cost_stability.py [TRIALS]
"""

from __future__ import annotations

import math
import statistics
import sys
import time

import torch

from actviz.analysis.cost import cost_input, measure_cost
from actviz.host import load_catalogue

NAMES = ("relu", "tanh", "gelu", "pade", "bspline")


def old_cost(act, elements: int = 1 << 16, repeats: int = 15) -> float:
    """The measure before: best time of each, timed in turns, ratio of the bests."""
    x = cost_input(act, elements).requires_grad_(True)
    values = act.defaults()

    def run(fn):
        x.grad = None
        fn(x).sum().backward()

    fns = (lambda: run(lambda t: act.fn(t, **values)), lambda: run(torch.relu))
    best = [math.inf, math.inf]
    for fn in fns:
        fn()
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best[0] / best[1]


def main(trials: int) -> None:
    torch.set_num_threads(1)
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    print(
        f"{'activation':12} {'old mean':>9} {'old range':>10} {'new mean':>9} "
        f"{'new range':>10} {'new spread':>11}"
    )
    for name in NAMES:
        act = cat.get(name)
        if act is None:
            continue
        old, new = [], []
        for _ in range(trials):
            old.append(old_cost(act))
            new.append(measure_cost(act, cache=False))
        ratios = [c.ratio for c in new]

        def rel(v):
            return (max(v) - min(v)) / statistics.mean(v)

        print(
            f"{name:12} {statistics.mean(old):9.2f} {rel(old):10.1%} "
            f"{statistics.mean(ratios):9.2f} {rel(ratios):10.1%} "
            f"{statistics.mean(c.spread for c in new):11.2f}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

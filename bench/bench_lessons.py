"""How long every built-in lesson takes at each budget, and whether it holds.

The quick budget is what the Lessons panel runs on a click and what the tests run; it
should stay well under a minute for all lessons together on a 2-core CPU.

    python bench/bench_lessons.py            # quick and full
    python bench/bench_lessons.py --budget quick
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.lessons import BUDGETS, run_lesson  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", choices=BUDGETS, action="append")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    for budget in args.budget or list(BUDGETS):
        total = 0.0
        print(f"{budget} budget")
        for name, lesson in cat.lessons.items():
            t0 = time.perf_counter()
            result = run_lesson(lesson, cat.activations, cat.tasks, budget=budget, device="cpu")
            seconds = time.perf_counter() - t0
            total += seconds
            print(f"  {name:28} {seconds:6.1f} s  holds: {result.holds}")
        print(f"  {'all lessons':28} {total:6.1f} s")


if __name__ == "__main__":
    main()

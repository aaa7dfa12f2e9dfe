"""Coverage of the across-task 95% intervals (IQM, mean, optimality gap at gamma 0.9,
performance profile at tau 0.8), by simulation where the truth is known: actviz's
expanded percentile next to rliable's plain percentile. Then the pairwise post-hoc
tests' family-wise error (shift 0) and power (one activation 0.02 better on every task).

Simulated benchmarks with 3, 5 or 10 tasks and 3, 5 or 10 seeds per task, normal or
failure-prone scores (actviz/stats/across_check.py); every interval is actviz's own
stratified bootstrap. Prints a Markdown table (docs/comparisons.md shows it).

    nice python bench/bench_across_coverage.py                    # the table in the docs
    nice python bench/bench_across_coverage.py --experiments 200  # quicker, noisier
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.stats import across_check  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=500, help="per row (0: skip)")
    parser.add_argument("--tasks", default="3,5,10")
    parser.add_argument("--seeds", default="3,5,10")
    parser.add_argument("--scenarios", default=",".join(across_check.SCENARIOS))
    parser.add_argument("--methods", default="expanded,percentile")
    parser.add_argument("--pairwise", type=int, default=1000, help="experiments (0: skip)")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.experiments:
        keys = ("iqm", "mean", "optimality_gap", "profile")
        methods = args.methods.split(",")
        head = " | ".join(f"{k} ({m})" for k in ("IQM", "mean", "gap", "profile") for m in methods)
        print(f"| scenario | tasks | seeds | {head} |")
        print("|---|---|---|" + "---|" * (4 * len(methods)))
        for scenario in args.scenarios.split(","):
            for tasks in (int(t) for t in args.tasks.split(",")):
                for seeds in (int(n) for n in args.seeds.split(",")):
                    rows = {
                        m: across_check.coverage(scenario, tasks, seeds, args.experiments, method=m)
                        for m in methods
                    }
                    cells = " | ".join(
                        f"{rows[m][f'{k}_cover']:.3f}" for k in keys for m in methods
                    )
                    print(f"| {scenario} | {tasks} | {seeds} | {cells} |", flush=True)
        mc = (0.95 * 0.05 / args.experiments) ** 0.5
        print(f"\n{args.experiments} experiments per row; Monte-Carlo error at 95%: ±{mc:.3f}")
    if args.pairwise:
        print(
            "\n| tasks | activations | shift | experiments | Wilcoxon+Holm: any pair decided "
            "| Nemenyi (gated): any pair decided |"
        )
        print("|---|---|---|---|---|---|")
        for tasks in (6, 8, 10, 20):
            for shift, n in ((0.0, args.pairwise), (0.02, max(1, args.pairwise // 2))):
                row = across_check.pairwise_error(tasks, 4, n, shift=shift)
                print(
                    f"| {tasks} | 4 | {shift:g} | {n} | {row['wilcoxon_any_decided']:.3f} "
                    f"| {row['nemenyi_any_decided']:.3f} |",
                    flush=True,
                )
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

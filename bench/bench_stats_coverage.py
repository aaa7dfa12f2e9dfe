"""Coverage and false-decision rates of every statistic actviz reports, by simulation.

Four kinds of seed results (normal, skewed, quantised accuracy on 60 test points, a
failure-prone mixture; see actviz/stats/simulate.py) at n = 3, 5, 8, 10, 20 seeds; for
each, the coverage of the 95% intervals (mean, paired difference, P(A > B)), the rate
of "decided" with no true difference, and the power at a true difference of 0.02,
next to Student's t and the BCa bootstrap + sign-flip rule actviz used before. Then the
seeds-until-decided loop (actviz's own) on no-difference data. Prints Markdown tables
(docs/comparisons.md shows them).

    python bench/bench_stats_coverage.py                      # the tables in the docs
    python bench/bench_stats_coverage.py --experiments 500    # quicker, noisier
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.stats import coverage  # noqa: E402
from actviz.stats.simulate import SCENARIOS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=4000)
    parser.add_argument("--old", type=int, default=400, help="experiments for the old rule")
    parser.add_argument("--seeds", default="3,5,8,10,20")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--sequential", type=int, default=2000, help="experiments (0: skip)")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = coverage.table(
        args.scenarios.split(","),
        [int(n) for n in args.seeds.split(",")],
        args.experiments,
        args.old,
        progress=lambda text: print(f"  {text}", file=sys.stderr),
    )
    print(f"## Fixed seed counts ({args.experiments} experiments each; old rule: {args.old})\n")
    print(coverage.markdown(rows))
    if args.sequential:
        from actviz.stats import sequential_check

        print(f"\n## Seeds until decided, no true difference ({args.sequential} experiments)\n")
        print(sequential_check.markdown(sequential_check.table(args.sequential)))
    print(f"\n{time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

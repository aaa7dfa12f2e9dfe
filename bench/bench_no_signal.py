"""Races of the no-signal task through actviz.race: the false-decided rate and coverage.

Every activation's true accuracy on ``noise`` is 0.5; each experiment is a fresh race
(its own data seed and seeds, each seed its own data draw). Prints one Markdown row for
fixed seed counts and one for seeds-until-decided.

    python bench/bench_no_signal.py --experiments 400
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import actviz  # noqa: E402
from actviz.stats.no_signal import no_signal_rates  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=400)
    parser.add_argument("--sequential", type=int, default=200, help="experiments (0: skip)")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = [no_signal_rates(args.experiments, actviz.race, first=50_000)]
    if args.sequential:
        rows.append(
            no_signal_rates(args.sequential, actviz.race, seeds=6, until_decided=True, first=60_000)
        )
    print(
        "| seeds | comparisons | experiments | any decided (± MC error) "
        "| mean CI coverage | diff CI coverage | mean seeds used |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['seeds']} | {r['comparisons']} | {r['experiments']} "
            f"| {r['decided']:.3f} ± {r['decided_mc_error']:.3f} | {r['mean_coverage']:.3f} "
            f"| {r['diff_coverage']:.3f} | {r['mean_seeds']:.1f} |"
        )
    print(f"{time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

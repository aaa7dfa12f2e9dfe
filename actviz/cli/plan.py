"""``actviz plan``: how many seeds a comparison needs, from a pilot race's spread."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan",
        help="seeds needed to detect a difference, from a pilot race (stored run or JSON)",
        description="Example: actviz train --task moons --activations relu,tanh,gelu --seeds 6 "
        "--json pilot.json; actviz plan --pilot pilot.json --baseline relu --difference 0.01. "
        "Power of the paired t-test (noncentral t) at alpha divided by the comparisons.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--run", type=int, metavar="RUN_ID", help="a stored run as the pilot")
    source.add_argument("--pilot", metavar="JSON", help="the JSON of 'actviz train --json'")
    p.add_argument("--baseline", required=True, metavar="NAME", help="the activation compared")
    p.add_argument(
        "--difference", type=float, required=True, help="the difference of the metric to detect"
    )
    p.add_argument("--alpha", type=float, default=0.05, help="error rate (default 0.05)")
    p.add_argument("--power", type=float, default=0.8, help="chance to detect (default 0.8)")
    p.add_argument("--db", type=Path, default=None, help="run database (default: user data)")
    p.add_argument("--json", metavar="PATH", help="write the plan as JSON ('-' for stdout)")
    p.set_defaults(func=run)


def fail(message: str) -> int:
    print(f"actviz plan: {message}", file=sys.stderr)
    return 2


def _pilot(args: argparse.Namespace) -> dict[str, Any]:
    if args.pilot is not None:
        try:
            return json.loads(Path(args.pilot).read_text())
        except OSError as exc:
            raise ValueError(f"--pilot: cannot read {args.pilot}: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"--pilot: {args.pilot} is not JSON ({exc.msg})") from None
    from ..storage import RunStore

    with RunStore(args.db) as store:
        try:
            return store.load_run(args.run)
        except KeyError:
            raise ValueError(f"--run: there is no stored run {args.run}") from None


def run(args: argparse.Namespace) -> int:
    from ..stats.power import format_plan, plan

    try:
        pilot = _pilot(args)
        rows = plan(pilot, args.baseline, args.difference, alpha=args.alpha, power=args.power)
    except ValueError as exc:
        return fail(str(exc))
    if args.json:
        from ._common import write_json_result

        write_json_result(
            {
                "baseline": args.baseline,
                "difference": args.difference,
                "alpha": args.alpha,
                "power": args.power,
                "plan": rows,
            },
            args.json,
        )
    out = sys.stderr if args.json == "-" else sys.stdout
    print(
        f"vs {args.baseline}: seeds to detect a difference of {args.difference:g} with "
        f"{args.power:.0%} power at alpha {args.alpha:g} over {len(rows)} comparison(s)",
        file=out,
    )
    print(format_plan(rows, args.difference, args.power), file=out)
    print(
        "paired t-test power (scipy noncentral t); the sd of the differences comes from the "
        "pilot, which is itself uncertain with few seeds: plan with some margin",
        file=out,
    )
    return 0

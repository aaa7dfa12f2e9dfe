"""``actviz runs leaderboard`` and ``actviz runs diff``: rank stored runs fairly, and say
how two runs' configurations differ.

The leaderboard ranks only runs of one task and one training configuration together
(see :mod:`actviz.training.runinfo`) and prints why it keeps groups apart.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._common import fail_for, guarded, open_store

fail = fail_for("runs")


def register_actions(actions: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    board = actions.add_parser(
        "leaderboard",
        parents=[db],
        help="rank activations of stored runs, one group per task and configuration",
    )
    board.add_argument("ids", type=int, nargs="*", help="runs to rank (default: every run)")
    board.add_argument("--task", default=None, help="only runs of this task")
    board.add_argument(
        "--threshold", type=float, default=0.9, help="test metric for 'steps to threshold'"
    )
    board.add_argument("--json", action="store_true", help="print JSON")
    board.set_defaults(func=_runs_action("leaderboard"))

    diff = actions.add_parser("diff", parents=[db], help="how two runs' configurations differ")
    diff.add_argument("id1", type=int)
    diff.add_argument("id2", type=int)
    diff.add_argument("--json", action="store_true", help="print JSON")
    diff.set_defaults(func=_runs_action("diff"))


def _runs_action(name: str):
    def run(args: argparse.Namespace) -> int:
        action = {"leaderboard": run_leaderboard, "diff": run_diff}[name]
        return guarded(action)(args)

    return run


def _load(store: Any, run_id: int) -> dict[str, Any] | None:
    try:
        return store.load_run(run_id)
    except KeyError:
        return None


def leaderboard(runs: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    """Groups of ranked rows (best final metric first) and the reason for several groups."""
    from ..analysis.train_cost import training_costs
    from ..figures.comparison import summarise
    from ..host import load_catalogue
    from ..training.runinfo import describe_config, group_runs

    groups, reason = group_runs(runs)
    acts = load_catalogue().activations
    out = []
    for group in groups:
        names = list(dict.fromkeys(m["activation"] for r in group for m in r.get("runs", [])))
        costs = training_costs(names, acts)
        rows = [{"run_id": r["id"], **row} for r in group for row in summarise(r, threshold, costs)]
        higher = group[0].get("metric", "accuracy") in ("accuracy", "r2")
        rows.sort(key=lambda row: _rank_key(row["final_mean"], higher))
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        first = group[0]
        out.append(
            {
                "task": first.get("task"),
                "metric": first.get("metric"),
                "configuration": describe_config(first.get("config") or {}, first.get("task")),
                "runs": [r["id"] for r in group],
                "rows": rows,
            }
        )
    return {"groups": out, "reason": reason, "threshold": threshold}


def _rank_key(value: float | None, higher_is_better: bool) -> float:
    if value is None:
        return float("inf")
    return -value if higher_is_better else value


def run_leaderboard(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        ids = args.ids or [r["id"] for r in store.list_runs(task=args.task)]
        runs = []
        for run_id in ids:
            run = _load(store, run_id)
            if run is None:
                return fail(f"no run with id {run_id}")
            runs.append(run)
    if not runs:
        print("no stored runs" + (" match" if args.task else ""))
        return 0
    board = leaderboard(runs, args.threshold)
    if args.json:
        print(json.dumps(board, indent=1))
        return 0
    if board["reason"]:
        print(board["reason"])
    for group in board["groups"]:
        print(f"\n{group['configuration']}  (runs {', '.join(map(str, group['runs']))})")
        metric = group["metric"]
        print(
            f"{'rank':>4}  {'run':>4}  {'activation':16} {'final ' + metric:>16} "
            f"{'steps to ' + format(args.threshold, 'g'):>14} {'cost x relu':>11}"
        )
        for row in group["rows"]:
            final = "-" if row["final_mean"] is None else f"{row['final_mean']:.4f}"
            spread = "" if row["final_std"] is None else f" ±{row['final_std']:.3f}"
            steps = (
                "-"
                if row["steps_to_threshold"] is None
                else f"{row['steps_to_threshold']:.0f} ({row['reached']}/{row['seeds']})"
            )
            cost = "-" if row["cost"] is None else f"{row['cost']:.2f}"
            print(
                f"{row['rank']:>4}  {row['run_id']:>4}  {row['activation']:16} "
                f"{final + spread:>16} {steps:>14} {cost:>11}"
            )
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from ..training.runinfo import config_diff

    with open_store(args) as store:
        a, b = _load(store, args.id1), _load(store, args.id2)
    for run_id, run in ((args.id1, a), (args.id2, b)):
        if run is None:
            return fail(f"no run with id {run_id}")
    changes = config_diff(a, b)
    if args.json:
        rows = [{"field": k, str(args.id1): x, str(args.id2): y} for k, x, y in changes]
        print(json.dumps(rows, indent=1))
        return 0
    print(f"run {args.id1}: {a['name']}\nrun {args.id2}: {b['name']}")
    if not changes:
        print("same configuration")
    for key, x, y in changes:
        print(f"  {key}: {json.dumps(x)} -> {json.dumps(y)}")
    return 0

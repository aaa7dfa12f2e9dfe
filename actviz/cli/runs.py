"""``actviz runs``: list, show, rename, annotate, delete and export stored races."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ._common import fail_for, guarded, open_store
from .runs_compare import register_actions

fail = fail_for("runs")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "runs",
        help="list, show, delete and export stored races",
        description="Examples: actviz runs; actviz runs --task moons --json; "
        "actviz runs show 3; actviz runs export 3 -o run3.csv; actviz runs delete 3",
    )
    p.add_argument("--db", type=Path, default=None, help="run database (default: user data)")
    p.add_argument("--task", default=None, help="only runs of this task")
    p.add_argument("--activation", default=None, help="only runs that raced this activation")
    p.add_argument("--since", default=None, help="only runs created on or after this ISO date")
    p.add_argument("--until", default=None, help="only runs created before this ISO date")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_list)
    actions = p.add_subparsers(dest="runs_command", metavar="ACTION")
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="run database")

    show = actions.add_parser("show", parents=[db], help="show one run")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="the whole run as JSON")
    show.set_defaults(func=run_show)

    delete = actions.add_parser("delete", parents=[db], help="delete a run")
    delete.add_argument("id", type=int)
    delete.set_defaults(func=run_delete)

    export = actions.add_parser("export", parents=[db], help="write a run to .csv or .json")
    export.add_argument("id", type=int)
    export.add_argument("-o", "--output", type=Path, required=True, help="file.csv or file.json")
    export.set_defaults(func=run_export)

    rename = actions.add_parser("rename", parents=[db], help="rename a run")
    rename.add_argument("id", type=int)
    rename.add_argument("name")
    rename.set_defaults(func=run_rename)

    note = actions.add_parser("note", parents=[db], help="set a run's note")
    note.add_argument("id", type=int)
    note.add_argument("text")
    note.set_defaults(func=run_note)

    register_actions(actions, db)


@guarded
def run_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        runs = store.list_runs(
            task=args.task, activation=args.activation, since=args.since, until=args.until
        )
    if args.json:
        print(json.dumps(runs, indent=1))
        return 0
    if not runs:
        print("no stored runs" + (" match" if (args.task or args.activation) else ""))
        return 0
    print(
        f"{'id':>4}  {'created':19}  {'task':10} {'status':11} {'steps':>6} {'seconds':>8}  "
        f"{'best':>7}  name"
    )
    for r in runs:
        best = "-" if r["best_final_metric"] is None else f"{r['best_final_metric']:.4f}"
        print(
            f"{r['id']:>4}  {r['created'][:19].replace('T', ' '):19}  {r['task']:10} "
            f"{r['status']:11} {r['steps_done']:>6} {r['train_seconds']:>8.2f}  {best:>7}  "
            f"{r['name']}"
        )
    return 0


@guarded
def run_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            data = store.load_run(args.id)
        except KeyError:
            return fail(f"no run with id {args.id}")
        try:
            kept = bool(store.initial_states(args.id))
        except ValueError:  # damaged: --same-start says so in full
            kept = False
    if args.json:
        print(json.dumps(data, indent=1))
        return 0
    metric = data["metric"]
    cfg = data["config"]
    print(f"run {data['id']}: {data['name']}")
    if data["note"]:
        print(f"note: {data['note']}")
    print(
        f"created {data['created']}, status {data['status']}, device {data['device']} "
        f"({data['strategy']}), {data['steps_done']} of {cfg.get('steps')} steps in "
        f"{data['train_seconds']:.2f} s"
    )
    print(
        f"task {data['task']}, hidden {cfg.get('hidden')}, init {cfg.get('init')}, "
        f"{cfg.get('optimizer')} lr {cfg.get('lr')}, seeds {cfg.get('seeds')}"
    )
    print(f"{'activation':16} {'seed':>4} {'test ' + metric:>14} {'final loss':>11}  status")
    for r in data["runs"]:
        value = r.get(f"test_{metric}")
        shown = "-" if value is None else f"{value:.4f}"
        loss = "-" if r["final_loss"] is None else f"{r['final_loss']:.4g}"
        status = r["status"]
        if r["diverged_at"] is not None:
            status += f" at step {r['diverged_at']}"
        if r["error"]:
            status += f": {r['error']}"
        print(f"{r['activation']:16} {r['seed']:>4} {shown:>14} {loss:>11}  {status}")
    learned = learned_lines(data["runs"])
    if learned:
        print("learned activation parameters (last recorded step; one value per hidden layer):")
        for line in learned:
            print(f"  {line}")
    if kept:
        print(
            f"initial networks kept: actviz train --same-start {data['id']} --lr ... re-runs them"
        )
    return 0


def _values(value: Any, limit: int = 6) -> str:
    """``0.47`` or ``[0.11, 0.73, ...]`` (nested lists flattened, at most ``limit`` shown)."""
    if isinstance(value, (int, float)):
        return f"{value:.4g}"
    flat: list[float] = []
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        else:
            flat.append(item)
    more = ", ..." if len(flat) > limit else ""
    return "[" + ", ".join(f"{v:.4g}" for v in flat[:limit]) + more + "]"


def learned_lines(runs: list[dict[str, Any]]) -> list[str]:
    """One line per run with learnable activation parameters: their values per layer at
    the last recorded step (``prelu  seed 0  step 30: a = 0.47 | 0.57``)."""
    lines = []
    for r in runs:
        rows = [h for h in r.get("history") or [] if h.get("params") or h.get("param_arrays")]
        last = rows[-1] if rows else None
        if last is None:
            continue
        parts = [
            f"{name} = " + " | ".join(_values(v) for v in per_layer)
            for key in ("params", "param_arrays")
            for name, per_layer in (last.get(key) or {}).items()
        ]
        lines.append(
            f"{r['activation']:16} seed {r['seed']:>3}  step {last.get('step')}: {'; '.join(parts)}"
        )
    return lines


@guarded
def run_delete(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if not store.delete_run(args.id):
            return fail(f"no run with id {args.id}")
    print(f"deleted run {args.id}")
    return 0


@guarded
def run_export(args: argparse.Namespace) -> int:
    suffix = args.output.suffix.lower()
    if suffix not in (".csv", ".json"):
        return fail(f"export to .csv or .json, not {args.output.name!r}")
    with open_store(args) as store:
        try:
            if suffix == ".csv":
                store.export_csv(args.id, args.output)
            else:
                store.export_json(args.id, args.output)
        except KeyError:
            return fail(f"no run with id {args.id}")
        except OSError as exc:
            return fail(f"cannot write {args.output}: {exc}")
    print(f"wrote {args.output}")
    return 0


@guarded
def run_rename(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            store.rename_run(args.id, args.name)
        except KeyError:
            return fail(f"no run with id {args.id}")
    return 0


@guarded
def run_note(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            store.annotate_run(args.id, args.text)
        except KeyError:
            return fail(f"no run with id {args.id}")
    return 0

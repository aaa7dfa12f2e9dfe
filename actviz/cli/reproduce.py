"""``actviz reproduce mnist1d``: MNIST-1D's published table, trained again, with CIs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._common import catalogue_from_args, split_names


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reproduce",
        help="train MNIST-1D's published table again (logistic, MLP, CNN, GRU) with CIs",
        description=(
            "Trains logistic regression, the published MLP (residual 2nd layer) and a plain "
            "MLP, the CNN and the GRU on mnist1d and mnist1d_shuffled with Adam lr 1e-2, "
            "batch 100, and prints actviz's final test accuracy (mean [95%% CI] over seeds) "
            "beside the published figure. Example: actviz reproduce mnist1d --seeds 3"
        ),
    )
    p.add_argument("table", choices=["mnist1d"], help="which published table")
    p.add_argument("--seeds", type=int, default=3, help="seeds per cell (default 3)")
    p.add_argument("--steps", type=int, default=6000, help="steps per race (default 6000)")
    p.add_argument(
        "--row-steps",
        action="append",
        default=[],
        metavar="ROW=N",
        help="steps for one row, e.g. gru=2000 (repeatable)",
    )
    p.add_argument(
        "--rows", default="logistic,mlp,mlp_plain,cnn,gru", help="rows to train (default all)"
    )
    p.add_argument("--tasks", default="mnist1d,mnist1d_shuffled", help="tasks (default both)")
    p.add_argument(
        "--activations",
        default="relu",
        help="activations; more than one prints the per-activation table too",
    )
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument("--json", metavar="PATH", help="write every cell as JSON")
    p.add_argument("--markdown", metavar="PATH", help="write the tables as Markdown")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..architectures.reproduce import (
        ROWS,
        activation_table,
        published_table,
        run_table,
    )

    rows_by = {r.key: r for r in ROWS}
    keys = split_names(args.rows)
    unknown = [k for k in keys if k not in rows_by]
    if unknown:
        print(f"actviz reproduce: unknown row {unknown[0]!r}; rows: {', '.join(rows_by)}",
              file=sys.stderr)  # fmt: skip
        return 2
    steps = {k: args.steps for k in rows_by}
    for item in args.row_steps:
        key, _, value = item.partition("=")
        if key not in rows_by or not value.isdigit() or int(value) < 1:
            print(f"actviz reproduce: --row-steps wants ROW=N, not {item!r}", file=sys.stderr)
            return 2
        steps[key] = int(value)
    catalogue = catalogue_from_args(args)
    acts = split_names(args.activations)
    missing = [a for a in acts if a not in catalogue.activations]
    tasks = split_names(args.tasks)
    missing_tasks = [t for t in tasks if t not in catalogue.tasks]
    if missing or missing_tasks or args.seeds < 1:
        what = missing[0] if missing else (missing_tasks[0] if missing_tasks else "--seeds")
        print(f"actviz reproduce: cannot use {what!r}", file=sys.stderr)
        return 2

    def progress(cell) -> None:
        accs = ", ".join(f"{a:.1f}" for a in cell.accuracies)
        print(f"{cell.row:10} {cell.task:17} {cell.activation:10} {cell.steps:5} steps  "
              f"{cell.mean:5.1f}%  ({accs})  {cell.seconds:.0f}s", file=sys.stderr)  # fmt: skip

    rows = [rows_by[k] for k in keys]
    cells = run_table(catalogue, rows, tasks, acts, args.seeds, steps, args.device, progress)
    text = published_table(cells, rows)
    if len(acts) > 1:
        text += "\n\n" + activation_table(cells, tasks[0])
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    if args.json:
        data = [c.__dict__ | {"mean": c.mean, "ci95": list(c.interval())} for c in cells]
        Path(args.json).write_text(json.dumps(data, indent=1))
    return 0

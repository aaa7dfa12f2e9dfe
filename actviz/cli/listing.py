"""``actviz list``: every activation, the plugin that gave it, where from, and its status."""

from __future__ import annotations

import argparse
import time

from ..host import Catalogue
from ._common import catalogue_from_args, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list activations and plugins, with load errors")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--tracebacks", action="store_true", help="print full tracebacks of errors")
    p.add_argument(
        "--architectures",
        action="store_true",
        help="list the architectures a race can train, with their options",
    )
    p.set_defaults(func=run)


def print_architectures(catalogue: Catalogue) -> None:
    """One block per architecture: description, where the activation sits, options."""
    for name in sorted(catalogue.architectures):
        arch = catalogue.architectures[name]
        print(f"{name}: {arch.description}")
        print(f"  activation: {arch.site}")
        for o in arch.options:
            limits = f" one of {', '.join(o.choices)}" if o.choices else ""
            if o.min is not None or o.max is not None:
                low = "-inf" if o.min is None else f"{o.min:g}"
                high = "inf" if o.max is None else f"{o.max:g}"
                limits = f" in [{low}, {high}]"
            print(f"  {o.name} = {o.default}{limits}: {o.description}")


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    catalogue = catalogue_from_args(args)
    elapsed = time.perf_counter() - start
    if args.architectures:
        if args.json:
            print_json([a.metadata() for _, a in sorted(catalogue.architectures.items())])
        else:
            print_architectures(catalogue)
        return 0
    if args.json:
        print_json(catalogue.to_dict())
        return 0
    print_table(catalogue, tracebacks=args.tracebacks)
    ok = sum(1 for e in catalogue.entries if e.ok)
    warned = f", {len(catalogue.warnings)} warnings" if catalogue.warnings else ""
    print(
        f"\n{ok} activations ok, {len(catalogue.entries) - ok} with errors{warned}, "
        f"{len(catalogue.tasks)} tasks, {len(catalogue.lessons)} lessons, "
        f"from {len(catalogue.plugins)} plugins ({elapsed:.2f} s)"
    )
    return 0


def print_table(catalogue: Catalogue, *, tracebacks: bool = False) -> None:
    rows = [("NAME", "FAMILY", "PLUGIN", "SOURCE", "STATUS")]
    for e in catalogue.entries:
        status = "ok" if e.ok else "error"
        rows.append((e.name, e.activation.family, e.plugin, e.source, status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if catalogue.errors:
        print(f"\n{len(catalogue.errors)} problem(s):")
        for error in catalogue.errors:
            print(f"  {error.summary()}")
            print(f"      from {error.source}")
            if tracebacks and error.traceback:
                print("      " + error.traceback.rstrip().replace("\n", "\n      "))
    if catalogue.warnings:
        print(f"\n{len(catalogue.warnings)} warning(s):")
        for plugin, warning in catalogue.warnings:
            print(f"  [warning] {plugin}: {warning}")

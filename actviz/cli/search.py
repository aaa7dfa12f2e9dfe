"""``actviz search``: discover activations by searching formulas with batched races.

Also the symbolic fit: ``actviz search --fit-learnable bspline --imitate "x*sigmoid(x)"``
trains a learnable activation to imitate a curve and fits grammar formulas to what it
learnt (``--save-plugin DIR`` writes the best as formula plugins).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ._common import json_safe, plugin_dirs_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help="discover activations: search formulas with batched races, verify on fresh seeds",
        description='Example: actviz search --tasks "teacher:x*sigmoid(x)" --budget-minutes 8 '
        "--strategy evolution --json search.json. A task teacher:SPEC (an activation or a "
        "formula) is regression on a random network with that activation. Finished races "
        "are kept in the run database: the same command after a kill resumes.",
    )
    p.add_argument("--tasks", help="comma-separated tasks (commas inside (...) stay in a formula)")
    p.add_argument(
        "--arch",
        default="8,8",
        help="the student: hidden widths of an mlp (default 8,8) or an architecture name "
        "(resmlp, cnn1d, cnn2d, gru, transformer, or a plugin's) with its options below",
    )
    p.add_argument("--depth", type=int, default=None, help="resmlp: residual blocks")
    p.add_argument("--width", type=int, default=None, help="resmlp/transformer: layer width")
    p.add_argument("--channels", type=int, default=None, help="cnn1d/cnn2d: conv channels")
    p.add_argument(
        "--arch-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other architecture option, e.g. hidden=6, kernels=5,3,3",
    )
    p.add_argument("--budget-minutes", type=float, default=8.0, help="time budget (default 8)")
    p.add_argument("--strategy", default="evolution", help="random, halving or evolution")
    p.add_argument("--seed", type=int, default=0, help="the search's random seed (default 0)")
    p.add_argument("--steps", type=int, default=400, help="steps per full race (default 400)")
    p.add_argument("--seeds", type=int, default=2, help="seeds per full race (default 2)")
    p.add_argument("--batch", type=int, default=32, help="candidates per race (default 32)")
    p.add_argument("--max-races", type=int, default=None, help="stop after this many races")
    p.add_argument("--verify-top", type=int, default=3, help="candidates re-raced (default 3)")
    p.add_argument("--verify-seeds", type=int, default=8, help="fresh seeds (default 8)")
    p.add_argument("--json", metavar="PATH", help="write the report as JSON ('-' for stdout)")
    p.add_argument("--db", type=Path, default=None, help="run database (default: user data)")
    p.add_argument("--no-store", action="store_true", help="keep no races (no resuming)")
    p.add_argument("--executor", choices=("in-process", "processes"), default="in-process")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default 2)")
    p.add_argument("--cluster", default=None, metavar="ray|ray://HOST:PORT|auto")
    p.add_argument("--fit-learnable", metavar="NAME", help="symbolic fit of a learnable shape")
    p.add_argument("--imitate", metavar="FORMULA", help="with --fit-learnable: the curve to learn")
    p.add_argument("--save-plugin", metavar="DIR", help="with --fit-learnable: write the best")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress or tables")
    p.set_defaults(func=run)


def fail(message: str) -> int:
    print(f"actviz search: {message}", file=sys.stderr)
    return 2


def split_tasks(text: str) -> list[str]:
    """Split at commas outside parentheses: ``teacher:max(x, 0),moons`` is two tasks."""
    out, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += ch
    out.append(current.strip())
    return [t for t in out if t]


def student_from_args(args: argparse.Namespace) -> tuple[tuple[int, ...], str, dict[str, Any]]:
    """``--arch``: hidden widths of an mlp (``8,8``, ``16x16``) or an architecture name
    (``resmlp``, ``mlp``...) with ``--depth/--width/--channels/--arch-option``."""
    from ._arch import options_from_args

    text = (args.arch or "").strip()
    options = options_from_args(args)
    if text and text[0].isdigit():
        try:
            hidden = tuple(int(w) for w in text.replace("x", ",").split(",") if w.strip())
        except ValueError:
            raise ValueError(
                f"--arch must be hidden widths like 8,8 or an architecture name, not {text!r}"
            ) from None
        if options:
            raise ValueError(
                f"--arch {text} is an mlp's hidden widths; options such as "
                f"{', '.join(options)} need an architecture name (e.g. --arch resmlp)"
            )
        return hidden, "mlp", {}
    if not text.replace("_", "").replace("-", "").isalnum():
        raise ValueError(
            f"--arch must be hidden widths like 8,8 or an architecture name, not {text!r}"
        )
    return (8, 8), text.lower(), options


def settings_from_args(args: argparse.Namespace) -> Any:
    from ..discovery import SearchSettings

    hidden, arch, options = student_from_args(args)
    return SearchSettings(
        tasks=split_tasks(args.tasks or ""),
        strategy=args.strategy,
        budget_s=args.budget_minutes * 60.0,
        seed=args.seed,
        steps=args.steps,
        seeds=args.seeds,
        batch=args.batch,
        hidden=hidden,
        arch=arch,
        arch_options=options,
        max_races=args.max_races,
        verify_top=args.verify_top,
        verify_seeds=args.verify_seeds,
        executor=args.executor,
        workers=args.workers,
        cluster=args.cluster,
    )


def run(args: argparse.Namespace) -> int:
    if args.fit_learnable:
        return run_fit(args)
    if not args.tasks:
        return fail("--tasks is required (e.g. --tasks 'teacher:x*sigmoid(x)')")
    if args.json and args.json != "-":
        parent = Path(args.json).resolve().parent
        if not parent.is_dir():
            return fail(f"--json: the folder {parent} does not exist")
    from ..discovery import run_search

    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        return fail(str(exc))
    if args.workers is not None and args.workers < 1:
        return fail("--workers must be a positive count")
    say = None if args.quiet else _progress_printer()
    try:
        report = run_search(
            settings,
            db=str(args.db) if args.db else None,
            store=not args.no_store,
            progress=say,
            plugin_dirs=plugin_dirs_from_args(args),
        )
    except (ValueError, RuntimeError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        print("actviz search: stopped; run the same command to resume", file=sys.stderr)
        return 130
    if args.json:
        _write_json(report, args.json)
    if not args.quiet:
        print_report(report, sys.stderr if args.json == "-" else sys.stdout)
    return 0


def _progress_printer():
    last = [0.0]

    def say(p: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - last[0] < 2.0:
            return
        last[0] = now
        left = p["left_s"]
        best = f"{p['best_score']:.4f} {p['best']}" if p["best_score"] is not None else "-"
        print(
            f"actviz search: {left // 60:.0f}:{left % 60:02.0f} left, {p['candidates']} "
            f"candidates, {p['races']} races, best {best}",
            file=sys.stderr,
        )

    return say


def _write_json(data: Any, target: str) -> None:
    text = json.dumps(json_safe(data), indent=1, allow_nan=False)
    if target == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(target).write_text(text, encoding="utf-8")


def print_report(report: dict[str, Any], out) -> None:
    counts = report["counts"]
    rate = report["rate"]
    print(
        f"{counts['proposed']} formulas proposed, {counts['kept']} raced, refused: "
        f"{counts['refused'] or 'none'}; {report['races']['trained']} races trained, "
        f"{report['races']['reused']} found stored; "
        f"{(rate['per_second'] or 0):.0f} candidate-seed-steps/s",
        file=out,
    )
    print("best candidates (score = mean final test metric; cost = train time vs relu)", file=out)
    for row in report["candidates"][:10]:
        score = f"{row['score']:.4f}" if row["score"] is not None else "   -  "
        cost = f"{row['cost']:.2f}x" if row["cost"] is not None else "  -  "
        print(f"  {score}  {cost:>6}  {row['status']:8} {row['formula']}", file=out)
    print("Pareto front (score vs cost):", file=out)
    for row in report["pareto"]:
        print(f"  {row['score']:.4f}  {row['cost']:.2f}x  {row['formula']}", file=out)
    for v in report["verified"]:
        verdicts = ", ".join(f"{b}: {e['verdict']}" for b, e in v["vs"].items())
        print(f"fresh seeds: {v['formula']}: {verdicts}", file=out)


def run_fit(args: argparse.Namespace) -> int:
    from ..discovery.symbolic import fit_learnable, save_fits

    if not args.imitate:
        return fail("--fit-learnable needs --imitate FORMULA (the curve the shape learns)")
    try:
        report = fit_learnable(args.fit_learnable, args.imitate, plugin_dirs_from_args(args))
        if args.save_plugin:
            report["saved"] = [str(p) for p in save_fits(report["fits"], args.save_plugin)]
    except (ValueError, OSError) as exc:
        return fail(str(exc))
    if args.json:
        _write_json(report, args.json)
    if not args.quiet:
        out = sys.stderr if args.json == "-" else sys.stdout
        print(
            f"{args.fit_learnable} trained to imitate {args.imitate}: imitation error "
            f"{report['imitation_error']:.4f}; best formulas for its learned curve:",
            file=out,
        )
        for fit in report["fits"]:
            print(f"  error {fit['error']:.4f}  {fit['formula']}", file=out)
        for path in report.get("saved", []):
            print(f"  saved {path}", file=out)
    return 0

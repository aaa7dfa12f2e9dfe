"""``actviz lesson``: run a lesson (a claim about activations) and print its measured verdict.

Exit codes: 0 the lesson ran (whether or not its claim held), 1 it failed or was
interrupted, 2 a usage error (unknown lesson, bad budget).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from typing import Any, TextIO

from ._common import catalogue_from_args, fail_for

BUDGET_CHOICES = ("quick", "full")
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "lesson",
        help="run a lesson: a classic claim about activations, measured here",
        description="Examples: actviz lesson --list; actviz lesson dying_relu; "
        "actviz lesson selu_self_normalising --json --budget quick; actviz lesson --all",
    )
    p.add_argument("name", nargs="?", help="the lesson to run (see --list)")
    p.add_argument("--list", action="store_true", help="list the lessons and exit")
    p.add_argument("--all", action="store_true", help="run every lesson in turn")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.add_argument(
        "--budget",
        choices=BUDGET_CHOICES,
        default="full",
        help="quick: a reduced run (seconds in all); full: the real experiment (default)",
    )
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto", help="where races train")
    p.add_argument("--data-seed", type=int, metavar="D", help="data seed of every race (preset: 0)")
    p.add_argument(
        "--model-seed",
        type=int,
        metavar="M",
        help="first model seed: a race of n seeds trains M..M+n-1 (preset: 0..n-1)",
    )
    p.add_argument(
        "--reseed",
        type=int,
        metavar="N",
        help="run on N seed pairs the lesson was not tuned on and report 'holds in k of N'",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=run)


fail = fail_for("lesson")


def run(args: argparse.Namespace) -> int:
    catalogue = catalogue_from_args(args)
    lessons = catalogue.lessons
    if args.list:
        return _list(lessons, args.json)
    if args.all:
        names = list(lessons)
    elif args.name:
        if args.name not in lessons:
            close = difflib.get_close_matches(args.name, list(lessons), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            return fail(f"unknown lesson {args.name!r}{hint}; see 'actviz lesson --list'")
        names = [args.name]
    else:
        return fail("name a lesson, or use --list or --all")
    if args.reseed is not None:
        if args.reseed < 1:
            return fail(f"--reseed needs a count of at least 1, got {args.reseed}")
        if args.data_seed is not None or args.model_seed is not None:
            return fail("--reseed picks its own seed pairs; drop --data-seed and --model-seed")
        return _reseed(args, catalogue, [lessons[n] for n in names])
    from ..lessons import run_lesson

    results = []
    for name in names:
        show = None if args.quiet or args.json else _progress_printer(name, sys.stderr)
        result = run_lesson(
            lessons[name],
            catalogue.activations,
            catalogue.tasks,
            budget=args.budget,
            device=args.device,
            on_progress=show,
            data_seed=args.data_seed,
            model_seed=args.model_seed,
        )
        if show is not None:
            _end_progress(sys.stderr)
        results.append(result)
        if not args.json:
            print_result(lessons[name], result, sys.stdout)
    if args.json:
        data: Any = results[0].to_dict() if not args.all else [r.to_dict() for r in results]
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.all:
        _print_table(results, sys.stdout)
    return 0 if all(r.status == "done" for r in results) else 1


def _reseed(args: argparse.Namespace, catalogue: Any, lessons: list[Any]) -> int:
    from ..lessons import reseed_lesson

    outcomes = []
    for lesson in lessons:
        show = None if args.quiet or args.json else _progress_printer(lesson.name, sys.stderr)
        outcome = reseed_lesson(
            lesson,
            catalogue.activations,
            catalogue.tasks,
            args.reseed,
            budget=args.budget,
            device=args.device,
            on_progress=show,
        )
        if show is not None:
            _end_progress(sys.stderr)
        outcomes.append(outcome)
        if not args.json:
            print_reseed(lesson, outcome, sys.stdout)
    if args.json:
        data: Any = [o.to_dict() for o in outcomes] if args.all else outcomes[0].to_dict()
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.all:
        _print_reseed_table(outcomes, sys.stdout)
    return 0 if all(o.status == "done" for o in outcomes) else 1


def print_reseed(lesson: Any, outcome: Any, out: TextIO) -> None:
    """One line per seed pair, then "holds in k of N"."""
    out.write(f"{lesson.title}  [{lesson.name}, {outcome.budget} budget]\n")
    out.write(f"Claim: {lesson.claim}\n")
    for r in outcome.results:
        word = r.status if r.verdict is None else ("holds" if r.holds else "does not hold")
        detail = r.verdict.summary if r.verdict else (r.error or "")
        out.write(
            f"  data seed {r.data_seed:>3}, model seed {r.model_seed:>5}: {word:<13} {detail}\n"
        )
    out.write(f"Verdict: {outcome.text()} ({outcome.seconds:.1f} s)\n\n")


def _print_reseed_table(outcomes: list[Any], out: TextIO) -> None:
    out.write(f"{'lesson':<28} {'holds in':<12} {'seconds':>8}\n")
    for o in outcomes:
        out.write(f"{o.lesson:<28} {f'{o.holds_in} of {o.count}':<12} {o.seconds:>8.1f}\n")
    out.write(f"{'total':<28} {'':<12} {sum(o.seconds for o in outcomes):>8.1f}\n")


def _list(lessons: dict[str, Any], as_json: bool) -> int:
    if as_json:
        json.dump([lesson.metadata() for lesson in lessons.values()], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not lessons:
        print("no lessons loaded")
        return 0
    width = max(len(n) for n in lessons)
    for name, lesson in lessons.items():
        print(f"{name:<{width}}  {lesson.title}")
    return 0


def print_result(lesson: Any, result: Any, out: TextIO) -> None:
    """The human-readable report of one lesson run."""
    out.write(f"{lesson.title}  [{lesson.name}, {result.budget} budget]\n")
    out.write(f"Claim: {lesson.claim}\n")
    if result.status == "error":
        out.write(f"ERROR: {result.error}\n")
        return
    if result.status == "stopped":
        out.write("stopped before a verdict\n")
        return
    verdict = result.verdict
    word = "HOLDS here" if verdict.holds else "DOES NOT HOLD here"
    out.write(f"Verdict: {word} ({result.seconds:.1f} s)\n  {verdict.summary}\n")
    for key, value in verdict.numbers.items():
        out.write(f"  {key:<36} {_fmt(value)}\n")
    for note in result.measurements.notes if result.measurements else []:
        out.write(f"  note: {note}\n")
    out.write("\n")


def _print_table(results: list[Any], out: TextIO) -> None:
    out.write(f"{'lesson':<28} {'verdict':<15} {'seconds':>8}\n")
    for r in results:
        verdict = r.status if r.verdict is None else ("holds" if r.holds else "does not hold")
        out.write(f"{r.lesson:<28} {verdict:<15} {r.seconds:>8.1f}\n")
    out.write(f"{'total':<28} {'':<15} {sum(r.seconds for r in results):>8.1f}\n")


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _progress_printer(name: str, err: TextIO):
    if not err.isatty():
        return None

    def show(fraction: float, text: str) -> None:
        err.write(f"\r{name}: {fraction:4.0%} {text[:50]:<50}")
        err.flush()

    return show


def _end_progress(err: TextIO) -> None:
    err.write("\r" + " " * 100 + "\r")
    err.flush()

"""``actviz bench``: every activation on every task with paired seeds, ranked across tasks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from ..training.config_text import parse_widths
from . import _arch as arch_args
from ._common import catalogue_from_args, fail_for, split_names, write_json_result


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmark activations across tasks: CIs per task, mean ranks, Friedman/Nemenyi",
        description="Example: actviz bench --activations relu,tanh,gelu --tasks moons,circles,"
        "spiral --seeds 5 --steps 500 --baseline relu --out results/ --json bench.json. "
        "Finished shards are kept in the run database; a re-run trains only what is missing.",
    )
    p.add_argument("--activations", required=True, help="comma-separated names")
    p.add_argument("--tasks", required=True, help="comma-separated task names")
    p.add_argument("--seeds", type=int, default=5, help="paired seeds per task (default 5)")
    p.add_argument("--seed-batch", type=int, default=None, help="seeds per stored shard")
    p.add_argument("--steps", type=int, default=1000, help="optimiser steps (default 1000)")
    p.add_argument("--hidden", default="8,8", help="hidden layer widths (default 8,8)")
    arch_args.add_arguments(p)
    p.add_argument("--optimizer", default="adam", help="sgd, momentum, rmsprop, adagrad or adam")
    p.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    p.add_argument("--points", type=int, default=None, help="data points (default: task's)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument(
        "--vary",
        choices=("all", "init", "data"),
        default="all",
        help="what each seed resamples: all (data draw and initial weights; default), init or data",
    )
    p.add_argument("--baseline", default=None, metavar="NAME", help="paired comparisons with it")
    p.add_argument(
        "--gamma",
        type=float,
        default=None,
        help="optimality gap target: mean shortfall of scores below it (default 1, perfect)",
    )
    p.add_argument("--json", metavar="PATH", help="write the result as JSON ('-' for stdout)")
    p.add_argument("--out", metavar="DIR", help="write bench.csv, bench.tex and cd.png/svg/pdf")
    p.add_argument("--db", type=Path, default=None, help="run database (default: user data)")
    p.add_argument("--no-store", action="store_true", help="keep no shards (no resuming)")
    p.add_argument(
        "--executor",
        choices=("in-process", "processes"),
        default="in-process",
        help="where shards train: this process (default) or one worker process per core",
    )
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument(
        "--cluster",
        default=None,
        metavar="ray|ray://HOST:PORT|auto",
        help="train shards on Ray: 'ray' starts a local Ray, 'ray://HOST:PORT' or 'auto' "
        "(or RAY_ADDRESS) joins a running cluster; needs pip install 'actviz[cluster]'",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress or tables")
    p.set_defaults(func=run)


fail = fail_for("bench")


def spec_from_args(args: argparse.Namespace) -> Any:
    from ..benchmark import BenchSpec

    try:
        hidden = list(parse_widths(args.hidden))
    except ValueError as exc:
        raise ValueError(f"--{exc}") from None
    options: dict[str, Any] = {
        "hidden": hidden,
        "optimizer": args.optimizer,
        "lr": args.lr,
        "device": args.device,
        "vary": args.vary,
    }
    if args.points is not None:
        options["points"] = args.points
    if args.arch != "mlp" or arch_args.options_from_args(args):
        options["arch"] = args.arch
        options["arch_options"] = arch_args.options_from_args(args)
    return BenchSpec(
        activations=split_names(args.activations),
        tasks=split_names(args.tasks),
        seeds=args.seeds,
        steps=args.steps,
        seed_batch=args.seed_batch,
        options=options,
    )


def run(args: argparse.Namespace) -> int:
    from ..figures.files import ExportError, check_writable

    if args.json and args.json != "-":
        try:
            check_writable(Path(args.json))
        except ExportError as exc:
            return fail(f"--json: {exc}")
    from ..benchmark import run_benchmark

    shards = None
    executor = None
    say = None if args.quiet else (lambda line: print(f"actviz bench: {line}", file=sys.stderr))
    try:
        catalogue = catalogue_from_args(args)
        spec = spec_from_args(args)
        if not args.no_store:
            from ..benchmark.store import ShardStore

            try:
                shards = ShardStore(args.db)
            except Exception as exc:  # noqa: BLE001 - say why, in one line
                return fail(f"cannot open the run database: {exc}")
        from ..benchmark.executors import make_executor

        if args.workers is not None and args.workers < 1:
            return fail("--workers must be a positive count")
        executor = make_executor(args.executor, args.workers, args.cluster or None)
        result = run_benchmark(
            spec,
            catalogue,
            shards=shards,
            baseline=args.baseline,
            progress=say,
            executor=executor,
            gamma=args.gamma,
        )
    except (ValueError, RuntimeError) as exc:
        return fail(str(exc))
    finally:
        if shards is not None:
            shards.close()
        if executor is not None:
            executor.close()
    if args.out:
        from ..benchmark.report import write_outputs

        try:
            written = write_outputs(result, args.out)
        except ExportError as exc:
            return fail(f"--out: {exc}")
        if say:
            say("wrote " + ", ".join(str(p) for p in written))
    if args.json:
        write_json_result(result, args.json)
    if not args.quiet:
        print_tables(result, sys.stderr if args.json == "-" else sys.stdout)
    for failure in result.get("failed_shards", []):
        print(
            f"actviz bench: shard {failure['shard']} failed after {failure['attempts']} tries "
            f"and is left out: {failure['error']}",
            file=sys.stderr,
        )
    return 1 if result.get("failed_shards") else 0


def print_tables(result: dict[str, Any], out: TextIO) -> None:
    """Per-task tables (mean [95% CI], verdict against the baseline), then the ranks."""
    from ..stats import format_ci, format_p, verdict

    for task, summary in result["per_task"].items():
        print(f"{task} ({result['metrics'][task]}, {result['seeds']} seeds)", file=out)
        for entry in summary:
            shown = format_ci(entry["mean"], entry["ci_low"], entry["ci_high"])
            line = f"  {entry['activation']:14} {shown:>27}"
            vs = entry.get("vs_baseline")
            if vs is not None:
                diff = format_ci(vs["diff_mean"], vs["ci_low"], vs["ci_high"])
                line += f"  diff {diff:>27}  p(Holm) {format_p(vs['p_holm']):>6}  {verdict(entry)}"
            elif result.get("baseline") == entry["activation"]:
                line += "  baseline"
            print(line, file=out)
    from ..training.replicates import label

    print(f"each seed {label(result.get('options', {}).get('vary'))}", file=out)
    print("mean rank over tasks (1 = best)", file=out)
    for row in result["ranking"]:
        ranks = "  ".join(f"{t} {r:g}" for t, r in row["ranks"].items())
        print(f"  {row['activation']:14} {row['mean_rank']:5.2f}   {ranks}", file=out)
    test = result["friedman"]
    if "skipped" in test:
        print(f"Friedman test skipped: {test['skipped']}", file=out)
    else:
        iman = result.get("iman_davenport", {})
        print(
            f"Friedman chi2 = {test['statistic']:.3f}, p = {format_p(test['p_value'])}; "
            f"Iman-Davenport F = {iman.get('statistic', float('nan')):.3f}, "
            f"p = {format_p(iman.get('p_value'))} ({test['k']} activations, "
            f"{test['n_tasks']} tasks)",
            file=out,
        )
        nem = result.get("nemenyi")
        if nem is None:
            print(f"no critical-difference diagram: {result.get('cd_skipped')}", file=out)
        else:
            groups = "; ".join(", ".join(g) for g in nem["groups"]) or "none"
            print(
                f"Nemenyi CD = {nem['cd']:.2f} at alpha {nem['alpha']:g}; "
                f"not significantly different: {groups}",
                file=out,
            )
    _print_pairwise(result, out)
    _print_aggregates(result, out)


def _print_aggregates(result: dict[str, Any], out: TextIO) -> None:
    """IQM [95% CI] per activation and the Bayesian signed-rank test against the baseline."""
    from ..stats import format_ci

    agg = result.get("aggregates") or {}
    if agg.get("iqm"):
        print(
            "over every task and seed [95% stratified bootstrap CI]: interquartile mean, mean, "
            f"optimality gap (mean shortfall from {agg.get('gamma', 1.0):g}, lower is better)",
            file=out,
        )
        for name, row in agg["iqm"].items():
            cells = [format_ci(row["iqm"], row["ci_low"], row["ci_high"])]
            for key in ("mean", "optimality_gap"):
                part = (agg.get(key) or {}).get(name)
                if part is not None:
                    cells.append(format_ci(part["value"], part["ci_low"], part["ci_high"]))
            print(f"  {name:14} " + "  ".join(f"{c:>27}" for c in cells), file=out)
        if agg.get("normalisation"):
            print(f"  normalisation: {agg['normalisation']}", file=out)
    _print_profiles(agg.get("profiles") or {}, out)
    improve = agg.get("probability_of_improvement") or {}
    if improve:
        print(
            f"probability of improvement over {result.get('baseline')} (a run beats one of "
            f"{result.get('baseline')}'s on the same task; mean over tasks) [95% CI]",
            file=out,
        )
        for name, row in improve.items():
            shown = format_ci(row["value"], row["ci_low"], row["ci_high"], digits=3)
            print(f"  {name:14} {shown}", file=out)
    bayes = agg.get("bayes_signed_rank") or {}
    if bayes:
        rope = next((b["rope"] for b in bayes.values() if "rope" in b), None)
        print(
            f"Bayesian signed-rank over tasks vs {result.get('baseline')} (ROPE +-{rope}): "
            "P(better) / P(equivalent) / P(worse)",
            file=out,
        )
        for name, b in bayes.items():
            if "skipped" in b:
                print(f"  {name:14} {b['skipped']}", file=out)
            else:
                print(
                    f"  {name:14} {b['p_better']:.3f} / {b['p_rope']:.3f} / {b['p_worse']:.3f}",
                    file=out,
                )


def _print_profiles(profiles: dict[str, Any], out: TextIO, columns: int = 6) -> None:
    """The performance profile at a few thresholds: fraction of runs >= tau [95% band]."""
    taus = profiles.get("taus") or []
    rows = profiles.get("activations") or {}
    if not taus or not rows:
        return
    picks = sorted({round(i * (len(taus) - 1) / (columns - 1)) for i in range(columns)})
    print("performance profile: fraction of runs (tasks x seeds) with score >= tau", file=out)
    header = "".join(f"  tau={taus[i]:<16.3g}" for i in picks)
    print(f"  {'':14} {header}".rstrip(), file=out)
    for name, row in rows.items():
        cells = [
            f"{row['fraction'][i]:.2f} [{row['ci_low'][i]:.2f},{row['ci_high'][i]:.2f}]"
            for i in picks
        ]
        print(f"  {name:14} " + "".join(f"  {c:<20}" for c in cells).rstrip(), file=out)


def _print_pairwise(result: dict[str, Any], out: TextIO) -> None:
    """Pairwise Wilcoxon signed-rank tests over the tasks' means, Holm over the pairs."""
    from ..stats import format_p

    found = result.get("pairwise_wilcoxon") or {}
    if "skipped" in found:
        print(f"pairwise Wilcoxon tests skipped: {found['skipped']}", file=out)
        return
    if not found.get("pairs"):
        return
    print(
        f"pairwise Wilcoxon signed-rank over the tasks' means, {found['correction']}:",
        file=out,
    )
    for pair in found["pairs"]:
        verdict = f"{pair['better']} better" if pair["decided"] else "not decided"
        diff = pair.get("mean_diff")
        shown = "-" if diff is None else f"{diff:+.4f}"
        names = f"{pair['a']} vs {pair['b']}"
        print(
            f"  {names:28} mean diff {shown:>8}  p {format_p(pair['p_value']):>6}"
            f"  p(Holm) {format_p(pair['p_holm']):>6}  {verdict}",
            file=out,
        )
    if found.get("note"):
        print(f"  {found['note']}", file=out)

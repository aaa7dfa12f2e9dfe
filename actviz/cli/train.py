"""``actviz train``: race activations on a toy task without a screen, store and print the result."""

from __future__ import annotations

import argparse
import difflib
import math
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from ..paths import PLUGIN_HINT
from ..training.config_text import parse_seeds, parse_widths
from . import _arch as arch_args
from ._common import catalogue_from_args, fail_for, parse_params, split_names, write_json_result

#: The race finished (its result printed and written to --json) but the run database
#: stayed locked or failing, so it was not stored (or not all of it).
NOT_STORED = 3

EXIT_CODES = f"""exit codes:
  0    the race ran and is stored (or --no-store)
  2    bad input (an unknown name, a bad option, an unusable database)
  {NOT_STORED}    the race ran, but the run database stayed locked or failing: the result
       was printed (and written to --json) but not stored, or not all of it
  130  stopped with Ctrl-C (the steps done so far are kept)"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="race activations on a toy task (every activation x seed at once)",
        description="Example: actviz train --task moons --activations relu,tanh,gelu "
        "--seeds 3 --steps 2000 --hidden 8,8 --optimizer adam --lr 0.01 --json out.json",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--task", default="moons", help="task name (default moons), or csv:PATH for your own data"
    )
    p.add_argument("--target", help="with --task csv:PATH: the column to predict")
    p.add_argument(
        "--kind",
        choices=("auto", "classification", "regression"),
        default="auto",
        help="with --task csv:PATH: what the target is (auto: text or few whole numbers "
        "are classes)",
    )
    p.add_argument(
        "--activations",
        default="relu,tanh",
        help="comma-separated names; relu>tanh applies relu in hidden layer 1, tanh in 2",
    )
    p.add_argument("--seeds", default="3", help="a count (3 -> seeds 0,1,2) or a list: 0,4,7")
    p.add_argument("--steps", type=int, default=None, help="optimiser steps (default 1000)")
    p.add_argument("--hidden", default="8,8", help="hidden layer widths (default 8,8)")
    arch_args.add_arguments(p)
    p.add_argument("--init", default="default", help="default, he, xavier, lecun or siren")
    p.add_argument(
        "--optimizer", default=None, help="sgd, momentum, rmsprop, adagrad or adam (default adam)"
    )
    p.add_argument("--lr", type=float, default=None, help="learning rate (default 0.01)")
    p.add_argument("--batch-size", type=int, default=None, help="minibatch size (default: all)")
    p.add_argument("--eval-every", type=int, default=None, help="steps between evaluations")
    p.add_argument("--points", type=int, default=None, help="data points (default: task's)")
    p.add_argument("--noise", type=float, default=None, help="noise level (default: task's)")
    p.add_argument("--test-fraction", type=float, default=None, help="share held out for test")
    p.add_argument("--data-seed", type=int, default=0, help="seed of the dataset (default 0)")
    p.add_argument(
        "--vary",
        choices=("all", "init", "data"),
        default="all",
        help="what each seed resamples: all (its own data draw, split, minibatch order and "
        "initial weights; the default), init (initial weights only; one data draw from "
        "--data-seed) or data (data only; the same initial weights)",
    )
    p.add_argument(
        "--inits-per-draw",
        type=int,
        default=1,
        metavar="M",
        help="nest the seeds: every M consecutive seeds share one data draw and differ in "
        "their initial weights, and the summary splits the spread into data and init "
        "(needs --vary all and a multiple of M seeds; default 1: not nested)",
    )
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument("--strategy", default="auto", help="auto, batched or loop")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: by size)")
    p.add_argument(
        "--l1", type=float, default=0.0, help="L1 penalty on the weights (trained, not recorded)"
    )
    p.add_argument(
        "--l2", type=float, default=0.0, help="L2 penalty on the weights (trained, not recorded)"
    )
    p.add_argument(
        "--features",
        default="",
        metavar="F,F",
        help="extra inputs for 2-D tasks: x1sq, x2sq, x1x2, sinx1, sinx2",
    )
    p.add_argument("--grid", type=int, default=48, help="decision-boundary grid size (0: none)")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME.P=V",
        help="an activation parameter, e.g. prelu.a=0.1 (repeatable)",
    )
    p.add_argument(
        "--baseline",
        default=None,
        metavar="NAME",
        help="compare every activation with this one: paired difference, CI, Holm-corrected p",
    )
    p.add_argument(
        "--until-decided",
        action="store_true",
        help="add batches of --seeds seeds until every comparison is decided (needs --baseline)",
    )
    p.add_argument("--max-seeds", type=int, default=None, help="the cap for --until-decided")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON ('-' for stdout)")
    p.add_argument("--db", type=Path, default=None, help="run database (default: user data)")
    p.add_argument("--no-store", action="store_true", help="do not keep the run in the database")
    p.add_argument("--name", default=None, help="a name for the stored run")
    p.add_argument("--note", default="", help="a note kept with the stored run")
    p.add_argument(
        "--same-start",
        type=int,
        default=None,
        metavar="RUN_ID",
        help="re-run stored run RUN_ID from its exact initial weights and data; only --lr, "
        "--steps, --optimizer, --batch-size, --eval-every and --device may change (the rest "
        "is the stored run's)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=run, defaults={a.dest: a.default for a in p._actions})


class UsageError(ValueError):
    """Bad command-line input: reported in one line, exit code 2."""


fail = fail_for("train")


def _option(flag: str, parse: Any, text: str) -> Any:
    """``parse(text)`` (the rules shared with the Playground and the notebook), its
    message given as the option's: ``--seeds: give a count or ...``."""
    try:
        return parse(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: {str(exc).partition(': ')[2]}") from None


def _unknown(kind: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    own = f"; {PLUGIN_HINT}" if kind == "activation" else ""
    return f"unknown {kind} {name!r}{hint}; see 'actviz list'{own}"


def build_config(args: argparse.Namespace, catalogue: Any) -> Any:
    """The race configuration the arguments describe, or :class:`UsageError`."""
    from ..training.config import RaceConfig
    from ..training.layered import canonical, plugin_names

    names = [canonical(n) for n in split_names(args.activations)]
    if not names:
        raise UsageError("--activations: name at least one activation")
    usable = catalogue.activations
    for name in plugin_names(names):  # relu>tanh: relu and tanh must load
        if name in usable or not name:
            continue
        broken = [e for e in catalogue.entries if e.name == name]
        if broken and broken[0].error is not None:
            raise UsageError(f"activation {name!r} did not load: {broken[0].error.message}")
        raise UsageError(_unknown("activation", name, sorted(usable)))
    if args.task.startswith("csv:") and args.task not in catalogue.tasks:
        catalogue.tasks[args.task] = _csv_task(args)
    if args.task not in catalogue.tasks:
        raise UsageError(_unknown("task", args.task, sorted(catalogue.tasks)))
    config = RaceConfig(
        task=args.task,
        activations=names,
        params=parse_params(args.param),
        seeds=_option("--seeds", parse_seeds, args.seeds),
        steps=args.steps if args.steps is not None else 1000,
        hidden=_option("--hidden", parse_widths, args.hidden),
        init=args.init,
        optimizer=args.optimizer if args.optimizer is not None else "adam",
        lr=args.lr if args.lr is not None else 0.01,
        batch_size=args.batch_size,
        eval_every=args.eval_every,
        points=args.points,
        noise=args.noise,
        test_fraction=args.test_fraction,
        data_seed=args.data_seed,
        vary=args.vary,
        inits_per_draw=args.inits_per_draw,
        device=args.device,
        boundary_grid=args.grid,
        strategy=args.strategy,
        threads=args.threads,
        l1=args.l1,
        l2=args.l2,
        features=split_names(args.features),
        arch=args.arch,
        arch_options=arch_args.options_from_args(args),
    )
    problems = config.validate(usable, catalogue.tasks)
    if not problems:
        from ..architectures.race import check as check_architecture

        architecture = arch_args.architecture_for(config.arch, catalogue)
        task = catalogue.tasks[config.task]
        problems = check_architecture(config, architecture, task, usable)
    if problems:
        raise UsageError("; ".join(problems))
    return config


#: What ``--same-start`` takes from the stored run: giving one of these is refused.
_SAME_START_FIXED = (
    "task",
    "target",
    "activations",
    "seeds",
    "hidden",
    "init",
    "points",
    "noise",
    "test_fraction",
    "data_seed",
    "vary",
    "inits_per_draw",
    "param",
    "grid",
)


def same_start_config(args: argparse.Namespace, catalogue: Any) -> tuple[Any, Any, str]:
    """``--same-start RUN_ID``: the stored run's config with --lr/--steps/--optimizer
    changed, its initial networks and the run's name ("same start as #N: ..." unless
    --name was given); :class:`UsageError` in one line otherwise."""
    import sqlite3

    from ..storage import RunStore
    from ..storage.same_start import SameStartError, same_start

    if args.until_decided:
        raise UsageError("--same-start replays one stored race; it cannot add seed batches")
    defaults = getattr(args, "defaults", {})
    fixed = [
        "--" + dest.replace("_", "-")
        for dest in _SAME_START_FIXED
        if dest in defaults and getattr(args, dest) != defaults[dest]
    ]
    if fixed:
        raise UsageError(
            f"--same-start takes the task, data and network from run #{args.same_start}; "
            f"{', '.join(fixed)} cannot change (--lr, --steps, --optimizer, --batch-size, "
            "--eval-every and --device can)"
        )
    changes = {
        "lr": args.lr,
        "steps": args.steps,
        "optimizer": args.optimizer,
        "batch_size": args.batch_size,
        "eval_every": args.eval_every,
        "device": None if args.device == "auto" else args.device,
    }
    try:
        with RunStore(args.db) as store:
            plan = same_start(store, args.same_start, changes)
    except SameStartError as exc:
        raise UsageError(str(exc)) from None
    except (sqlite3.Error, OSError) as exc:
        raise UsageError(f"cannot open the run database: {exc}") from None
    config = plan.config
    if config.task not in catalogue.tasks:
        raise UsageError(
            f"run #{args.same_start} raced task {config.task!r}, which is not loaded now"
        )
    problems = config.validate(catalogue.activations, catalogue.tasks)
    if problems:
        raise UsageError(f"run #{args.same_start} cannot be raced now: {'; '.join(problems)}")
    return config, plan.initial, args.name if args.name is not None else plan.name


def _csv_task(args: argparse.Namespace) -> Any:
    """The task of ``--task csv:PATH --target COL``, or :class:`UsageError` saying why not."""
    from ..training.csv_task import csv_task

    if not args.target:
        raise UsageError(f"--task {args.task} needs --target COLUMN: the column to predict")
    return csv_task(args.task[len("csv:") :], args.target, args.kind)


@dataclass(frozen=True)
class TrainPlan:
    """Everything ``actviz train`` was asked, read from the command line once and
    checked: the race itself (one :class:`RaceConfig`) and what to do around it. Past
    :func:`plan_from_args` nothing reads the argparse namespace."""

    config: Any
    initial: Any = None  # the stored networks ``--same-start`` starts from
    name: str | None = None
    note: str = ""
    baseline: str | None = None
    until_decided: bool = False
    max_seeds: int | None = None
    json: str | None = None
    quiet: bool = False
    store: bool = True
    db: str | None = None


def plan_from_args(args: argparse.Namespace, catalogue: Any) -> TrainPlan:
    """The one reading of the namespace; :class:`UsageError` names the first bad value."""
    if args.json and args.json != "-":
        from ..figures.files import ExportError, check_writable

        try:  # found now, not after the whole race
            check_writable(Path(args.json))
        except ExportError as exc:
            raise UsageError(f"--json: {exc}") from None
    initial, name = None, args.name
    if args.same_start is not None:
        config, initial, name = same_start_config(args, catalogue)
    else:
        config = build_config(args, catalogue)
    plan = TrainPlan(
        config=config,
        initial=initial,
        name=name,
        note=args.note,
        baseline=args.baseline,
        until_decided=args.until_decided,
        max_seeds=args.max_seeds,
        json=args.json,
        quiet=args.quiet,
        store=not args.no_store,
        db=args.db,
    )
    check_comparison(plan)
    return plan


class ProgressBar:
    """A one-line progress bar on a terminal (``\\r``-redrawn); silent elsewhere."""

    def __init__(self, stream: TextIO, steps: int, metric: str = "") -> None:
        self.stream = stream
        self.steps = max(1, steps)
        self.metric = metric
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.best = ""
        self._last = 0.0

    def update(self, step: int, seconds: float, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        done = min(1.0, step / self.steps)
        bar = "#" * int(done * 30)
        self.stream.write(
            f"\r[{bar:<30}] {done * 100:5.1f}%  step {step}/{self.steps}  {seconds:6.1f}s"
            f"{self.best}\x1b[K"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    try:
        catalogue = catalogue_from_args(args)
        plan = plan_from_args(args, catalogue)
        config = plan.config
        task = catalogue.tasks[config.task]
        # a task that cannot load its data (a missing optional package) says so here
        task.generate(config.points, config.noise, config.data_seed, config.test_fraction)
    except (UsageError, ValueError, RuntimeError) as exc:
        return fail(str(exc))
    store = None
    versions = None
    if plan.store:
        from ..storage import RunStore, run_versions

        try:
            store = RunStore(plan.db)
        except Exception as exc:  # noqa: BLE001 - an unusable database must not lose the race
            return fail(f"cannot open the run database: {exc}")
        versions = run_versions(config.activations, catalogue)
    codes: list[int] = []
    run_ids: list[int | None] = []

    def run_batch(cfg: Any) -> Any:
        result, run_id, code = _race_once(cfg, catalogue, task, store, versions, plan)
        codes.append(code)
        run_ids.append(run_id)
        return result

    try:
        if plan.until_decided:
            from ..stats.until_decided import race_until_decided

            result, summary = race_until_decided(
                config,
                plan.baseline,
                plan.max_seeds,
                run_batch,
                on_batch=None if plan.quiet else _batch_note,
            )
        else:
            from ..stats import summarise

            result = run_batch(config)
            summary = summarise(result.to_dict(), plan.baseline)
    except (ValueError, RuntimeError) as exc:
        return fail(str(exc))
    finally:
        if store is not None:
            _close_quietly(store)
    from ..stats import method_notes

    data = result.to_dict()
    data["run_id"] = run_ids[0] if run_ids else None
    if len(run_ids) > 1:
        data["run_ids"] = run_ids
    data["baseline"] = plan.baseline
    data["statistics"] = method_notes()
    data["summary"] = summary
    if plan.json:
        write_json_result(data, plan.json)
    if not plan.quiet:
        out = sys.stderr if plan.json == "-" else sys.stdout
        _summary(result, summary, run_ids, out)
    return max(codes, default=0)


def check_comparison(plan: TrainPlan) -> None:
    """``--baseline`` names a raced activation; ``--until-decided`` needs it and a cap."""
    config = plan.config
    if plan.baseline is not None and plan.baseline not in config.activations:
        raise UsageError(
            f"--baseline {plan.baseline!r} is not among --activations "
            f"({', '.join(config.activations)})"
        )
    if plan.until_decided:
        if plan.baseline is None:
            raise UsageError("--until-decided needs --baseline NAME to compare against")
        if len(config.activations) < 2:
            raise UsageError("--until-decided needs at least one activation besides the baseline")
        first = len(config.seed_list())
        if plan.max_seeds is None or plan.max_seeds < first:
            raise UsageError(
                f"--until-decided needs --max-seeds N, at least the first batch's {first} seeds"
            )


def _race_once(
    config: Any,
    catalogue: Any,
    task: Any,
    store: Any,
    versions: Any,
    plan: TrainPlan,
) -> tuple[Any, int | None, int]:
    """Train one race with progress, Ctrl-C handling and storage: (result, run id, code).
    A stored race keeps its initial networks (snapshots at step 0) for ``--same-start``."""
    from ..training.engine import race

    architecture = arch_args.architecture_for(config.arch, catalogue)
    current = race(
        config,
        catalogue.activations,
        task,
        snapshots=store is not None,
        initial=plan.initial,
        architecture=architecture,
    )
    bar = ProgressBar(sys.stderr, config.steps)
    if plan.quiet:
        bar.enabled = False
    recorder = None
    if store is not None:
        from ..storage import RaceRecorder

        name = plan.name
        if name and plan.until_decided:
            seeds = config.seed_list()
            name = f"{name} (seeds {seeds[0]}-{seeds[-1]})"
        recorder = RaceRecorder(
            store,
            name=name,
            note=plan.note,
            versions=versions,
            on_problem=lambda problem: _note(bar, f"{problem}; training goes on, retrying"),
        )
    code = 0
    try:
        with first_ctrl_c_stops(current, bar) as interrupts:
            _drive(current, recorder, bar, task.metric)
        code = 130 if interrupts.count else 0
    except KeyboardInterrupt:
        current.close()
        code = 130
        print("\nactviz train: aborted; keeping the steps done so far", file=sys.stderr)
        if recorder is not None:
            recorder.abort("stopped", current.result)
    except BaseException:
        current.close()
        if recorder is not None:
            recorder.abort("failed", current.result)
        raise
    finally:
        bar.close()
        unsaved = recorder.close() if recorder is not None else None
        if unsaved is not None:
            print(f"actviz train: {unsaved}", file=sys.stderr)
    if code and current.result.status == "finished":
        current.result.status = "stopped"
    if unsaved is not None and not code:
        code = NOT_STORED  # a script must not take "nothing stored" for success
    return current.result, recorder.run_id if recorder is not None else None, code


def _batch_note(n_seeds: int, summary: list[dict[str, Any]]) -> None:
    open_ = [
        e["activation"] for e in summary if not e.get("vs_baseline", {"decided": 1})["decided"]
    ]
    left = f"not decided yet: {', '.join(open_)}" if open_ else "every comparison decided"
    print(f"actviz train: {n_seeds} seeds; {left}", file=sys.stderr)


class Interrupts:
    """SIGINT handler: the first Ctrl-C ends the race after the current step, still
    evaluating it (so the stored final metrics are real); a second one aborts."""

    def __init__(self, current: Any, bar: ProgressBar) -> None:
        self.current = current
        self.bar = bar
        self.count = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count > 1:
            raise KeyboardInterrupt
        self.current.stop()
        _note(self.bar, "interrupted: finishing this step and evaluating (Ctrl-C again to abort)")


@contextmanager
def first_ctrl_c_stops(current: Any, bar: ProgressBar) -> Iterator[Interrupts]:
    """Route SIGINT to :class:`Interrupts` while the race runs (main thread only)."""
    handler = Interrupts(current, bar)
    if threading.current_thread() is not threading.main_thread():
        yield handler
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGINT, previous)


def _drive(current: Any, recorder: Any, bar: ProgressBar, metric: str) -> None:
    from ..training.events import ActivationFailed, Diverged, Evaluation, Progress

    for event in current:
        if recorder is not None:
            recorder(event)
        if isinstance(event, Progress):
            bar.update(event.step, event.seconds)
        elif isinstance(event, Evaluation):
            values = {}
            for info, row in zip(current.runs, event.metrics, strict=True):
                if row is not None and row["test_metric"] is not None:
                    best = values.get(info.activation, -math.inf)
                    values[info.activation] = max(best, row["test_metric"])
            if values:
                leader = max(values, key=values.get)
                bar.best = f"  best {leader} {metric} {values[leader]:.3f}"
            bar.update(event.step, event.seconds, force=True)
        elif isinstance(event, Diverged):
            _note(bar, f"{event.activation} seed {event.seed} diverged at step {event.step}")
        elif isinstance(event, ActivationFailed):
            _note(bar, f"activation {event.activation!r} failed and was left out: {event.error}")


def _close_quietly(store: Any) -> None:
    """Close the database; a failure here has already been reported as what is unsaved."""
    import sqlite3

    try:
        store.close()
    except sqlite3.Error:
        pass


def _note(bar: ProgressBar, message: str) -> None:
    if bar.enabled:
        bar.stream.write("\r\x1b[K")
    print(f"actviz train: {message}", file=sys.stderr)


def _variance_lines(summary: list[dict[str, Any]], out: TextIO) -> None:
    """A nested race: how much of each activation's spread comes from the data draw."""
    split = [(e["activation"], e["variance"]) for e in summary if e.get("variance")]
    if not split:
        return
    first = split[0][1]
    print(
        f"spread over {first['draws']} data draws x {first['inits_per_draw']} initialisations "
        "(compared on per-draw means):",
        file=out,
    )
    for name, v in split:
        if v["data_share"] is None:
            print(f"  {name:14} -", file=out)
            continue
        p = "" if v["p_data"] is None else f", F test of no data part p={v['p_data']:.3g}"
        print(
            f"  {name:14} data {100 * v['data_share']:.0f}%, init "
            f"{100 * (1 - v['data_share']):.0f}% (sd {math.sqrt(v['var_data']):.4f} and "
            f"{math.sqrt(v['var_init']):.4f}{p})",
            file=out,
        )


def _order_note(aso: dict[str, Any]) -> list[str]:
    """Almost stochastic order in words: which seed distribution lies above."""
    if aso.get("order") == "better":
        return [f"ASO: above the baseline (eps {aso['eps_min']:.2f})"]
    if aso.get("order") == "worse":
        return [f"ASO: below the baseline (eps {aso['eps_min_reverse']:.2f})"]
    return ["ASO: no order"] if aso.get("order") == "none" else []


def _summary(
    result: Any, summary: list[dict[str, Any]], run_ids: list[int | None], out: TextIO
) -> None:
    from ..stats import format_ci, format_p, verdict
    from ..training.replicates import label as replicate_label

    metric = result.metric
    print(
        f"{result.task}: {result.steps_done} steps on {result.device} "
        f"({result.strategy}) in {result.train_seconds:.2f} s, status {result.status}; "
        f"each seed {replicate_label(result.config.get('vary'))}",
        file=out,
    )
    compared = any("vs_baseline" in e for e in summary)
    head = f"{'activation':14} {'test ' + metric + ' [95% CI]':>27} {'final loss':>10}"
    if compared:
        head += f"  {'diff vs baseline [95% CI]':>27} {'p (Holm)':>8} {'verdict':>12} {'seeds':>5}"
    print(head + "  notes", file=out)
    groups = result.by_activation()
    for entry in summary:
        name = entry["activation"]
        runs = groups[name]
        losses = [r.final_loss for r in runs if r.final_loss is not None]
        notes = []
        diverged = sum(r.status == "diverged" for r in runs)
        if diverged:
            notes.append(f"{diverged}/{len(runs)} diverged")
        if any(r.status == "failed" for r in runs):
            notes.append("failed: " + (runs[0].error or ""))
        shown = format_ci(entry["mean"], entry["ci_low"], entry["ci_high"])
        loss = f"{sum(losses) / len(losses):.4g}" if losses else "-"
        line = f"{name:14} {shown:>27} {loss:>10}"
        if compared:
            vs = entry.get("vs_baseline")
            if vs is None:
                line += f"  {'-':>27} {'-':>8} {'baseline':>12} {len(runs):>5}"
            else:
                diff = format_ci(vs["diff_mean"], vs["ci_low"], vs["ci_high"])
                seeds = vs.get("seeds_to_decide") or vs["n"]
                line += f"  {diff:>27} {format_p(vs['p_holm']):>8} {verdict(entry):>12} {seeds:>5}"
                notes += _order_note(vs.get("aso") or {})
        print(f"{line}  {'; '.join(notes)}", file=out)
    if compared:
        _undecidable_note(summary, out)
        print(
            "CI: studentized bootstrap over seeds; p: paired bootstrap-t and t-test (the "
            "larger), Holm-corrected; seeds: those the verdict took",
            file=out,
        )
    _variance_lines(summary, out)
    stored = [i for i in run_ids if i is not None]
    if len(stored) == 1:
        print(f"stored as run {stored[0]} (actviz runs show {stored[0]})", file=out)
    elif stored:
        print(f"stored as runs {', '.join(map(str, stored))} (one per seed batch)", file=out)


def _undecidable_note(summary: list[dict[str, Any]], out: TextIO) -> None:
    """Say so when too few seeds make the intervals unreliable, and what a sequential
    verdict does not correct (:func:`actviz.stats.notes.reliability_notes`)."""
    from ..stats.notes import reliability_notes

    for note in reliability_notes(summary):
        print(f"note: {note}", file=out)

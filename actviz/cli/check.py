"""``actviz check FILE``: is a plugin file sound? Validation, measured properties, a short race.

Validation decides the exit code (0: every activation passes, 1: not). The measured
properties and the optional race against ReLU (``--race``) tell an author what the
activation is like and whether it can learn at all, in one command.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

from ..host import PluginHost, load_catalogue
from ..host.isolation import CheckSettings
from ..host.records import ActivationEntry
from ..host.sources import builtin_dir
from ._common import print_json

REFERENCE = "relu"
RACE_TASK = "moons"
#: The plugin "keeps up" when its mean test accuracy is at least ReLU's minus this
#: (accuracies are fractions of the test set; 1e-6 absorbs float32 rounding).
MARGIN = 0.05
NO_HOOK = "the file defines no actviz hook (e.g. @hookimpl def actviz_activations())"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="validate a plugin file and measure its activations: exit 0 if every one passes",
        description="Validate every activation in a plugin file the way the app loads it, "
        "print its measured properties and, with --race, race it against relu on moons. "
        "Exit code 0 when every activation passes validation, 1 otherwise (the race "
        "does not change it).",
    )
    p.add_argument("path", type=Path, help="the plugin file (.py)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="print only what failed, the warnings and the summary line",
    )
    p.add_argument(
        "--race",
        action="store_true",
        help=f"also train each activation against {REFERENCE} on {RACE_TASK} "
        "(hidden 8,8, Adam lr 0.01) and compare test accuracy",
    )
    p.add_argument(
        "--watch",
        action="store_true",
        help="check again each time the file is saved (polls its size and time; Ctrl+C stops)",
    )
    p.add_argument(
        "--interval", type=float, default=1.0, help="--watch: seconds between polls (default 1)"
    )
    p.add_argument("--watch-polls", type=int, default=0, help=argparse.SUPPRESS)  # tests: stop
    p.add_argument("--race-seeds", type=int, default=2, help="seeds for --race (default 2)")
    p.add_argument("--race-steps", type=int, default=400, help="steps for --race (default 400)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.path.expanduser()
    if not path.is_file():
        print(f"actviz check: no such file: {path}", file=sys.stderr)
        return 1
    if path.suffix != ".py":
        print(f"actviz check: {path} is not a Python file (.py)", file=sys.stderr)
        return 1
    if args.race and (args.race_seeds < 1 or args.race_steps < 1):
        print("actviz check: --race-seeds and --race-steps must be at least 1", file=sys.stderr)
        return 2
    if args.watch and not (args.interval > 0 and math.isfinite(args.interval)):
        print("actviz check: --interval must be a positive number of seconds", file=sys.stderr)
        return 2
    code = check_file(args, path)
    if args.watch:
        code = watch(args, path, code)
    return code


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def watch(args: argparse.Namespace, path: Path, code: int) -> int:
    """Poll ``path`` and check it again after each save, until Ctrl+C (or the poll limit)."""
    print(f"watching {path} (Ctrl+C stops)", flush=True)
    seen = _stamp(path)
    polls = 0
    try:
        while args.watch_polls <= 0 or polls < args.watch_polls:
            time.sleep(args.interval)
            polls += 1
            now = _stamp(path)
            if now is None or now == seen:
                continue
            seen = now
            stamp = time.strftime("%H:%M:%S")
            print(f"\n--- {stamp} {path.name} changed: checking again", flush=True)
            code = check_file(args, path)
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("stopped watching")
    return code


def _installed_plugin(path: Path) -> bool:
    """True when ``path`` is the module of an installed package's ``actviz`` entry point."""
    import importlib.util
    from importlib import metadata

    from ..host.sources import ENTRY_POINT_GROUP

    target = path.resolve()
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            spec = importlib.util.find_spec(ep.value.split(":")[0])
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.origin and Path(spec.origin).resolve() == target:
            return True
    return False


def check_file(args: argparse.Namespace, path: Path) -> int:
    """One check of ``path``: print the results; 0 when every activation passes."""
    if not path.is_file():
        print(f"actviz check: no such file: {path}", file=sys.stderr)
        return 1
    # Built-ins and installed packages load too, so a name clash with them is reported
    # (their copy wins), unless this file is a built-in or an installed plugin itself.
    is_builtin = path.resolve().parent == builtin_dir().resolve()
    host = PluginHost(
        use_user_dir=False,
        use_entry_points=not (is_builtin or _installed_plugin(path)),
        use_env=False,
        include_builtins=not is_builtin,
        plugin_files=[path],
        settings=CheckSettings.from_env(getattr(args, "plugin_timeout", None)),
    )
    catalogue = host.load()
    location = str(path.resolve())
    records = [r for r in catalogue.plugins if r.location == location]
    entries = [e for e in catalogue.entries if e.location == location]
    errors = [e for r in records for e in r.errors]
    warnings = [w for r in records for w in r.warnings]
    gave = sum(len(r.activations) + len(r.tasks) + len(r.lessons) for r in records)
    ok = not errors and gave > 0
    summary = summarise(entries, errors, warnings, gave)
    quiet = args.quiet and not args.json
    properties = {} if quiet else {e.name: measured_properties(e) for e in entries if e.ok}
    race = race_against_reference(entries, args.race_seeds, args.race_steps) if args.race else None
    if args.json:
        _print_json(location, ok, entries, errors, properties, race, summary, warnings)
        return 0 if ok else 1
    if quiet:
        _print_failures(location, entries, errors)
    else:
        _print_text(location, ok, entries, errors, gave, properties, race, args.race)
    for warning in warnings:
        print(f"  warning: {warning}")
    print(summary["line"])
    return 0 if ok else 1


def summarise(
    entries: list[ActivationEntry], errors: list, warnings: list[str], gave: int
) -> dict[str, Any]:
    """Counts for the last line: activations ok, problems found (one per failed
    activation or broken plugin), warnings."""
    passed = sum(1 for e in entries if e.ok)
    failed = len(errors) + (1 if gave == 0 and not errors else 0)
    line = f"{passed} ok, {failed} failed"
    if warnings:
        line += f", {len(warnings)} warning{'s' * (len(warnings) != 1)}"
    return {"ok": passed, "failed": failed, "warnings": len(warnings), "line": line}


def _print_failures(location: str, entries: list[ActivationEntry], errors: list) -> None:
    """``--quiet``: one line per problem, nothing about what passed."""
    print(location)
    for error in errors:
        print(f"  error: {error.summary()}")
    if not entries and not errors:
        print(f"  error: {NO_HOOK}")


# -- properties -------------------------------------------------------------------------


def measured_properties(entry: ActivationEntry) -> dict[str, Any]:
    """The measured properties of a loaded activation at its default parameters, as plain data.

    A measurement that raises is reported in ``error`` instead of stopping the check.
    """
    from ..analysis.properties import measure

    try:
        props = measure(entry.activation)
    except Exception as exc:  # noqa: BLE001 - a plugin may misbehave in ways validation missed
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {
        "params": props.params,
        "view": props.view,
        "range": [props.range_lo, props.range_hi],
        "f(0)": props.f0,
        "f'(0)": props.d0,
        "max|f'|": props.max_abs_d1,
        "argmax|f'|": props.argmax_abs_d1,
        "monotonic": props.monotonic,
        "increasing": props.increasing,
        "continuity": props.continuity,
        "jumps": props.jumps,
        "zero_centred": props.zero_centred,
        "E[f(z)]": props.mean,
        "Var[f(z)]": props.var,
        "E[f'(z)^2]": props.grad_gain,
        "P(f'(z)=0)": props.dead_fraction,
        "flags": list(props.flags),
    }


def _num(value: float) -> str:
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if abs(value) < 1e-12:  # quadrature rounding of an exact 0 (E[f(z)] of an odd f)
        return "0"
    return f"{value:.4g}"


def property_lines(props: dict[str, Any]) -> list[str]:
    """The properties as aligned ``label  value`` lines for the terminal."""
    if "error" in props:
        return [f"could not be measured: {props['error']}"]
    lo, hi = props["range"]
    where = props["argmax|f'|"]
    at = "" if math.isnan(where) else f" at x={_num(where)}"
    direction = "increasing" if props["increasing"] else "decreasing"
    jumps = ", ".join(f"{k} jumps at x={_num(v)}" for k, v in props["jumps"].items())
    rows = [
        ("range", f"[{_num(lo)}, {_num(hi)}]"),
        ("f(0)", _num(props["f(0)"])),
        ("f'(0)", _num(props["f'(0)"])),
        ("max|f'|", _num(props["max|f'|"]) + at),
        ("monotonic", f"yes ({direction})" if props["monotonic"] else "no"),
        ("continuity", props["continuity"] + (f" ({jumps})" if jumps else "")),
        ("E[f(z)]", _num(props["E[f(z)]"]) + ("  zero-centred" if props["zero_centred"] else "")),
        ("Var[f(z)]", _num(props["Var[f(z)]"])),
        ("E[f'(z)^2]", _num(props["E[f'(z)^2]"])),
    ]
    lines = [f"{label:<12} {value}" for label, value in rows]
    flags = props["flags"]
    if flags:
        lines += [f"declared vs measured: {flag}" for flag in flags]
    else:
        lines.append("declared vs measured: no disagreement")
    return lines


# -- race -------------------------------------------------------------------------------


def race_against_reference(
    entries: list[ActivationEntry], seeds: int, steps: int
) -> dict[str, Any] | None:
    """Train every activation that passed validation and ReLU on moons, same data and seeds.

    Returns the settings, ReLU's mean test accuracy and one row per activation with its
    mean accuracy and whether it reaches ReLU's minus :data:`MARGIN`; ``None`` when no
    activation passed validation.
    """
    from ..training import RaceConfig, run_race

    reference = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    raced = [e for e in entries if e.ok and e.name != REFERENCE]
    if not raced and not any(e.ok and e.name == REFERENCE for e in entries):
        return None
    activations = {REFERENCE: reference.get(REFERENCE), **{e.name: e.activation for e in raced}}
    config = RaceConfig(
        task=RACE_TASK,
        activations=list(activations),
        seeds=seeds,
        steps=steps,
        hidden=(8, 8),
        optimizer="adam",
        lr=0.01,
        boundary_grid=0,
        device="cpu",
    )
    result = run_race(config, activations, reference.tasks[RACE_TASK])
    groups = result.by_activation()
    base = result.mean_final_metric(REFERENCE)
    rows = []
    for name in activations:
        runs = groups.get(name, [])
        finals = [r.final_metric for r in runs]
        mean = result.mean_final_metric(name)
        broken = [r for r in runs if r.status in ("diverged", "failed")]
        reaches = (
            mean is not None and base is not None and not broken and mean >= base - MARGIN - 1e-6
        )
        rows.append(
            {
                "activation": name,
                "test_accuracy_mean": mean,
                "test_accuracy": finals,
                "diverged_or_failed": len(broken),
                "error": next((r.error for r in broken if r.error), None),
                "reaches_reference": bool(reaches),
            }
        )
    return {
        "task": RACE_TASK,
        "reference": REFERENCE,
        "margin": MARGIN,
        "seeds": seeds,
        "steps": steps,
        "hidden": [8, 8],
        "optimizer": "adam",
        "lr": 0.01,
        "train_seconds": result.train_seconds,
        "reference_accuracy": base,
        "results": rows,
    }


def race_lines(race: dict[str, Any] | None) -> list[str]:
    if race is None:
        return ["race: skipped (no activation passed validation)"]
    hidden = ",".join(str(w) for w in race["hidden"])
    seeds = f"{race['seeds']} seed{'s' * (race['seeds'] != 1)}"
    lines = [
        f"race on {race['task']} ({seeds}, {race['steps']} steps, hidden {hidden}, "
        f"{race['optimizer']} lr {race['lr']}): mean test accuracy",
    ]
    base = race["reference_accuracy"]
    threshold = "-" if base is None else f"{base - race['margin']:.4f}"
    for row in race["results"]:
        mean = row["test_accuracy_mean"]
        shown = "-" if mean is None else f"{mean:.4f}"
        if row["activation"] == race["reference"]:
            verdict = "reference"
        elif row["reaches_reference"]:
            verdict = f"reaches {race['reference']} - {race['margin']} ({threshold})"
        else:
            verdict = f"BELOW {race['reference']} - {race['margin']} ({threshold})"
        if row["diverged_or_failed"]:
            verdict += f"; {row['diverged_or_failed']} run(s) diverged or failed"
            if row["error"]:
                verdict += f": {row['error']}"
        lines.append(f"  {row['activation']:<16} {shown:>7}  {verdict}")
    return lines


# -- output -----------------------------------------------------------------------------


def _print_json(
    location: str,
    ok: bool,
    entries: list[ActivationEntry],
    errors: list,
    properties: dict[str, dict[str, Any]],
    race: dict[str, Any] | None,
    summary: dict[str, Any],
    warnings: list[str],
) -> None:
    race_rows = {row["activation"]: row for row in race["results"]} if race else {}
    data = {
        "path": location,
        "ok": ok,
        "activations": [
            {
                **e.to_dict(),
                "checks": [
                    {"name": c.name, "ok": c.ok, "detail": c.detail}
                    for c in (e.report.checks if e.report else [])
                ],
                "properties": properties.get(e.name),
                "race": race_rows.get(e.name),
            }
            for e in entries
        ],
        "errors": [e.to_dict() for e in errors],
        "warnings": warnings,
        "race": race,
        "summary": {k: v for k, v in summary.items() if k != "line"},
    }
    print_json(data)


def _print_text(
    location: str,
    ok: bool,
    entries: list[ActivationEntry],
    errors: list,
    gave: int,
    properties: dict[str, dict[str, Any]],
    race: dict[str, Any] | None,
    raced: bool,
) -> None:
    print(f"{location}")
    for entry in entries:
        mark = "ok" if entry.ok else "FAILED"
        print(f"  {entry.name}: {mark}")
        for check in entry.report.checks if entry.report else []:
            detail = f" ({check.detail})" if check.detail else ""
            print(f"    [{'x' if check.ok else ' '}] {check.name}{detail}")
        props = properties.get(entry.name)
        if props is not None:
            values = ", ".join(
                f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                for k, v in props.get("params", {}).items()
            )
            where = [f"at {values}"] if values else []
            where += [f"along {props['view']}"] if props.get("view") else []
            context = f" ({'; '.join(where)})" if where else ""
            print(f"    measured properties{context}:")
            for line in property_lines(props):
                print(f"      {line}")
    for error in errors:
        print(f"  error: {error.summary()}")
        if error.traceback and error.stage in ("import", "hook"):
            print("    " + error.traceback.rstrip().splitlines()[-1])
        elif error.traceback and error.stage == "validate":
            print("    " + error.traceback.rstrip().replace("\n", "\n    "))
    if gave == 0 and not errors:
        print(f"  error: {NO_HOOK}")
    if raced:
        for line in race_lines(race):
            print(f"  {line}")

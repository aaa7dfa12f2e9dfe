"""``actviz new-plugin NAME``: write a plugin file, from a formula or as a template to fill in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..api import Param

EXAMPLES = """examples:
  actviz new-plugin mish2 --formula "x*tanh(softplus(x))"
  actviz new-plugin swishb --formula "x*sigmoid(beta*x)" --param beta=1.0:0.1:5:learnable
  actviz new-plugin mine                 # a commented template to fill in

--param NAME=DEFAULT[:MIN[:MAX[:learnable]]]; leave MIN or MAX empty for no bound."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "new-plugin",
        help="write a new activation plugin file (from a formula, or a template)",
        description="Write a plugin file into your plugin folder (or --dir). With --formula "
        "the activation and its symbolic derivative are written out as torch code; without, "
        "a commented, working template is written.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", help="activation name: lower-case letters, digits and '_'")
    p.add_argument("--formula", metavar="TEXT", help='f(x), e.g. "x*sigmoid(beta*x)"')
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="SPEC",
        help="a formula parameter, NAME=DEFAULT[:MIN[:MAX[:learnable]]] (repeatable)",
    )
    p.add_argument("--description", default="", help="a sentence about the activation")
    p.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder to write into (default: your plugin folder, loaded at every start)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=run)


def parse_param(spec: str) -> Param:
    """``"a=1.0:0.1:5:learnable"`` -> ``Param("a", 1.0, 0.1, 5.0, learnable=True)``."""
    name, sep, rest = spec.partition("=")
    name = name.strip()
    if not sep or not name or not rest.strip():
        raise ValueError(
            f"--param must look like NAME=DEFAULT[:MIN[:MAX[:learnable]]], not {spec!r}"
        )
    fields = [f.strip() for f in rest.split(":")]
    learnable = False
    if len(fields) > 1 and fields[-1].lower() in ("learnable", "l"):
        learnable = True
        fields = fields[:-1]
    if len(fields) > 3:
        raise ValueError(f"--param {spec!r}: too many ':' fields")
    numbers: list[float | None] = []
    for label, text in zip(("default", "min", "max"), fields, strict=False):
        if text == "" and label != "default":
            numbers.append(None)
            continue
        try:
            numbers.append(float(text))
        except ValueError:
            raise ValueError(f"--param {spec!r}: {label} {text!r} is not a number") from None
    numbers += [None] * (3 - len(numbers))
    default, low, high = numbers
    return Param(name, default=default, min=low, max=high, learnable=learnable)


def run(args: argparse.Namespace) -> int:
    from ..formula import FormulaError, check_name, write_formula_plugin, write_template
    from ..paths import user_plugin_dir

    try:
        name = check_name(args.name)
        params = [parse_param(s) for s in args.param]
    except (FormulaError, ValueError) as exc:
        print(f"actviz new-plugin: {exc}", file=sys.stderr)
        return 2
    if params and args.formula is None:
        print("actviz new-plugin: --param needs --formula", file=sys.stderr)
        return 2
    folder = args.dir if args.dir is not None else user_plugin_dir()
    try:
        if args.formula is None:
            path = write_template(folder, name, overwrite=args.force)
        else:
            path = write_formula_plugin(
                folder,
                name,
                args.formula,
                params,
                description=args.description,
                overwrite=args.force,
            )
    except FormulaError as exc:
        _report_formula_error(args.formula or "", exc)
        return 2
    except FileExistsError as exc:
        print(f"actviz new-plugin: {exc.args[0]}; use --force to replace it", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"actviz new-plugin: {exc}", file=sys.stderr)
        return 1
    print(path)
    print(f"check it with: actviz check {path}", file=sys.stderr)
    return 0


def _report_formula_error(text: str, exc: Exception) -> None:
    message = getattr(exc, "message", str(exc))
    print(f"actviz new-plugin: bad formula: {message}", file=sys.stderr)
    if getattr(exc, "span", None) is not None:
        print("  " + exc.caret(text).replace("\n", "\n  "), file=sys.stderr)
    if message.startswith("unknown name"):
        unknown = message.split("'")[1]
        print(f"  declare it with --param {unknown}=1.0", file=sys.stderr)

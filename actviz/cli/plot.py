"""``actviz plot``: draw f, f', f'' of activations to PNG, SVG, PDF or CSV without a screen.

Figures are drawn by :mod:`actviz.figures` (matplotlib, no Qt), so the files look the
same in every viewer and the command runs where only torch and matplotlib are installed.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from ..analysis.curves import CurveSet, evaluate, grid
from ..figures import STYLES, size_from_options, style_named
from ..figures.curves import curve_stack, param_label
from ..figures.files import ExportError, check_writable, export_csv, format_for
from ._common import catalogue_from_args, fail_for, parse_params, split_names

MAX_POINTS = 200_000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="plot activations (and derivatives) to .png, .svg, .pdf or .csv",
        description="Examples: actviz plot relu,gelu,silu --derivative -o fig.pdf --style paper; "
        "actviz plot all --range -4 4 --size 1600x1200 --dpi 200 -o all.png",
    )
    p.add_argument("names", help="comma-separated activation names, or 'all'")
    p.add_argument("-d", "--derivative", action="store_true", help="also plot f'")
    p.add_argument("-s", "--second-derivative", action="store_true", help="also plot f''")
    p.add_argument(
        "--range", nargs=2, type=float, default=(-6.0, 6.0), metavar=("A", "B"), help="x range"
    )
    p.add_argument("--points", default="1001", help=f"samples on the x range (2 to {MAX_POINTS})")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME.P=V",
        help="a parameter value, e.g. prelu.a=0.1 (repeatable)",
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    p.add_argument("--style", default=None, help=f"look: {', '.join(STYLES)} (default screen)")
    p.add_argument("--size", default=None, help="size in pixels, WxH (with --dpi: every format)")
    p.add_argument("--width", default=None, help="width as a length: 85mm, 8.5cm, 3.3in")
    p.add_argument("--height", default=None, help="height as a length: 60mm")
    p.add_argument("--dpi", default=None, help="dots per inch (10 to 1200)")
    p.add_argument("--title", default="", help="a title over the figure")
    p.add_argument("--dark", action="store_true", help="the dark style (same as --style dark)")
    p.set_defaults(func=run)


def parse_points(text: str) -> int:
    """``--points``: a whole number from 2 to 200000."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"--points must be a whole number, not {text!r}") from None
    if not math.isfinite(value) or value != int(value):
        raise ValueError(f"--points must be a whole number, not {text!r}")
    if not 2 <= value <= MAX_POINTS:
        raise ValueError(f"--points must be between 2 and {MAX_POINTS}, not {int(value)}")
    return int(value)


fail = fail_for("plot")


def run(args: argparse.Namespace) -> int:
    try:
        fmt = format_for(args.output)
        check_writable(args.output)
        style = style_named(args.style or ("dark" if args.dark else "screen"))
        dpi = None if args.dpi is None else _number(args.dpi, "--dpi")
        size = size_from_options(
            style.size, pixels=args.size, width=args.width, height=args.height, dpi=dpi
        )
        params = parse_params(args.param)
        xs = grid(args.range[0], args.range[1], parse_points(args.points))
    except (ValueError, ExportError) as exc:
        return fail(str(exc))
    catalogue = catalogue_from_args(args)
    names = sorted(catalogue.activations) if args.names == "all" else split_names(args.names)
    if not names:
        return fail("no activation names given")
    curves: list[CurveSet] = []
    labels: dict[str, str] = {}
    for name in names:
        try:
            act = catalogue.get(name)
        except KeyError as exc:
            return fail(str(exc.args[0]))
        chosen = params.pop(name, {})
        unknown = set(chosen) - {p.name for p in act.params}
        if unknown:
            known = ", ".join(p.name for p in act.params) or "none"
            return fail(f"{name} has no parameter {', '.join(sorted(unknown))} (it has: {known})")
        labels[name] = param_label(name, act.params, chosen) + ("*" if act.is_vector else "")
        try:
            curves.append(evaluate(act, xs, chosen))
        except Exception as exc:  # noqa: BLE001 - a plugin's fn may raise anything
            return fail(f"{name} failed to evaluate: {type(exc).__name__}: {exc}")
    if params:
        return fail(f"--param names activations not plotted: {', '.join(sorted(params))}")
    rows = ["f"] + (["d1"] if args.derivative else []) + (["d2"] if args.second_derivative else [])
    try:
        if fmt == "csv":
            write_csv(curves, rows, args.output)
        else:
            from ..figures import render  # matplotlib: only when a figure is drawn

            figure = curve_stack(curves, rows, title=args.title, labels=labels)
            render(figure, args.output, style, size)
    except ExportError as exc:
        return fail(str(exc))
    print(args.output)
    return 0


def _number(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{option} must be a number, not {text!r}") from None


def write_csv(curves: list[CurveSet], rows: list[str], path: Path) -> None:
    suffix = {"f": "", "d1": "'", "d2": "''"}
    columns = {"x": curves[0].x}
    for cs in curves:
        for row in rows:
            columns[cs.name + suffix[row]] = getattr(cs, row)
    export_csv(columns, path)

"""``actviz plot``: draw f, f', f'' of activations to PNG, SVG or CSV without a screen."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..analysis.curves import CurveSet, evaluate, grid
from ..export_files import ExportError, check_writable, export_csv, format_for
from ._common import catalogue_from_args, parse_params, split_names


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="plot activations (and derivatives) to .png, .svg or .csv",
        description="Examples: actviz plot relu,gelu,silu --derivative -o fig.png; "
        "actviz plot all --range -4 4 -o all.svg",
    )
    p.add_argument("names", help="comma-separated activation names, or 'all'")
    p.add_argument("-d", "--derivative", action="store_true", help="also plot f'")
    p.add_argument("-s", "--second-derivative", action="store_true", help="also plot f''")
    p.add_argument(
        "--range", nargs=2, type=float, default=(-6.0, 6.0), metavar=("A", "B"), help="x range"
    )
    p.add_argument("--points", type=int, default=1001, help="samples on the x range")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME.P=V",
        help="a parameter value, e.g. prelu.a=0.1 (repeatable)",
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    p.add_argument("--size", default="1200x900", help="PNG size in pixels, WxH")
    p.add_argument("--dpi", type=float, default=150.0, help="DPI stored in the PNG")
    p.add_argument("--dark", action="store_true", help="dark background")
    p.set_defaults(func=run)


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must look like 1200x900, not {text!r}") from None
    if w < 16 or h < 16 or w > 20000 or h > 20000:
        raise ValueError("--size must be between 16 and 20000 pixels each way")
    return w, h


def fail(message: str) -> int:
    print(f"actviz plot: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        fmt = format_for(args.output)
        check_writable(args.output)
        size = parse_size(args.size)
        params = parse_params(args.param)
        xs = grid(args.range[0], args.range[1], args.points)
    except (ValueError, ExportError) as exc:
        return fail(str(exc))
    catalogue = catalogue_from_args(args)
    names = sorted(catalogue.activations) if args.names == "all" else split_names(args.names)
    if not names:
        return fail("no activation names given")
    curves: list[CurveSet] = []
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
            write_figure(curves, rows, args.output, fmt, size, args.dpi, args.dark)
    except ExportError as exc:
        return fail(str(exc))
    print(args.output)
    return 0


def write_csv(curves: list[CurveSet], rows: list[str], path: Path) -> None:
    suffix = {"f": "", "d1": "'", "d2": "''"}
    columns = {"x": curves[0].x}
    for cs in curves:
        for row in rows:
            columns[cs.name + suffix[row]] = getattr(cs, row)
    export_csv(columns, path)


def write_figure(curves, rows, path: Path, fmt: str, size, dpi: float, dark: bool) -> None:
    from ..gui.export import export_png, export_svg
    from ..gui.headless import curve_figure

    width, height = size
    figure = curve_figure(curves, rows, width=width, height=height, dark=dark)
    if fmt == "png":
        export_png(figure, path, width, height, dpi=dpi)
    else:
        export_svg(figure, path, title="actviz: " + ", ".join(cs.name for cs in curves))

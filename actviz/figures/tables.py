"""Tables for papers: the properties table and the leaderboard as CSV and LaTeX.

LaTeX comes as a ``booktabs`` tabular: special characters escaped, numbers to four
significant digits, missing values as an en dash.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from .files import ExportError, export_table, write_bytes

TABLE_FORMATS = ("csv", "tex")
_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def escape(text: str) -> str:
    """``text`` safe inside a LaTeX table cell."""
    return "".join(_ESCAPES.get(c, c) for c in str(text))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def latex_cell(value: object) -> str:
    if value is None or value == "":
        return "--"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        v = float(value)
        if math.isnan(v):
            return "--"
        if math.isinf(v):
            return r"$\infty$" if v > 0 else r"$-\infty$"
        return f"{v:.4g}" if isinstance(value, float) else str(value)
    return escape(str(value))


def latex_table(columns: Mapping[str, Sequence[object]], caption: str = "") -> str:
    """A ``tabular`` (inside a ``table`` with ``caption``) of the columns."""
    if not columns:
        raise ExportError("there is no data to export yet")
    names = list(columns)
    numeric = [all(v is None or _is_number(v) for v in columns[n]) for n in names]
    rows = [[latex_cell(v) for v in row] for row in zip(*(columns[n] for n in names), strict=True)]
    lines = tabular(
        [escape(n) for n in names], rows, "".join("r" if num else "l" for num in numeric)
    )
    if caption:
        lines = [r"\begin{table}", r"\centering", f"\\caption{{{escape(caption)}}}"] + lines
        lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def tabular(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: str,
    footer: Sequence[Sequence[str]] = (),
) -> list[str]:
    """The lines of a booktabs ``tabular``: cells already in LaTeX (see :func:`escape`),
    ``footer`` rows (a mean rank, a total) below a rule of their own. Every LaTeX table
    actviz writes goes through here."""
    lines = [f"\\begin{{tabular}}{{{align}}}", r"\toprule", " & ".join(header) + r" \\"]
    lines.append(r"\midrule")
    lines += [" & ".join(row) + r" \\" for row in rows]
    if footer:
        lines.append(r"\midrule")
        lines += [" & ".join(row) + r" \\" for row in footer]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return lines


def write_table(
    columns: Mapping[str, Sequence[object]], path: str | Path, caption: str = ""
) -> Path:
    """Write a table as CSV or LaTeX, chosen by the suffix (.csv, .tex)."""
    path = Path(path).expanduser()
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "csv":
        return export_table(columns, path)
    if suffix == "tex":
        write_bytes(path, latex_table(columns, caption).encode("utf-8"))
        return path
    raise ExportError(f"unknown table type '.{suffix}': use .csv or .tex")

"""HTML tables for the outcomes of :func:`actviz.race` and :func:`actviz.bench`, so Jupyter
shows them like a DataFrame (``_repr_html_``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> str:
    """A plain ``<table>`` with a caption; cells are escaped."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def race_rows(summary: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a race summary: mean [CI], and the comparison with the baseline."""
    from ..stats import format_ci, format_p, verdict

    compared = any("vs_baseline" in e for e in summary)
    header = ["activation", "mean [95% CI]", "seeds"]
    if compared:
        header += ["difference [95% CI]", "p (Holm)", "verdict"]
    rows = []
    for e in summary:
        row = [e["activation"], format_ci(e["mean"], e["ci_low"], e["ci_high"]), str(e["n"])]
        if compared:
            vs = e.get("vs_baseline")
            if vs is None:
                row += ["", "", verdict(e)]
            else:
                diff = format_ci(vs["diff_mean"], vs["ci_low"], vs["ci_high"])
                row += [diff, format_p(vs["p_holm"]), verdict(e)]
        rows.append(row)
    return header, rows

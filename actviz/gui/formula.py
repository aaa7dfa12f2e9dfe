"""Formulas drawn from their LaTeX with matplotlib's mathtext, imported on first use.

mathtext covers most of what plugins write (fractions, roots, Greek, sub/superscripts)
but not all of LaTeX (e.g. ``cases`` environments); anything it cannot draw, and any
machine without matplotlib, gets the raw LaTeX shown as text instead.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PySide6.QtGui import QPixmap


@lru_cache(maxsize=128)
def _render_png(latex: str, colour: str, dpi: int) -> bytes | None:
    return mathtext_png(latex, colour, dpi)


def mathtext_png(latex: str, colour: str, dpi: int) -> bytes | None:
    """``latex`` drawn by matplotlib's mathtext as PNG bytes (``None``: it cannot be)."""
    try:
        import matplotlib
        from matplotlib import mathtext
    except ImportError:
        return None
    buffer = io.BytesIO()
    try:
        with matplotlib.rc_context({"savefig.transparent": True}):  # no white box in dark mode
            mathtext.math_to_image(f"${latex}$", buffer, dpi=dpi, format="png", color=colour)
    except Exception:  # noqa: BLE001 - a parse error of user text is expected, not fatal
        return None
    return buffer.getvalue()


def prerender(latex: str, colour: str, dpi: int = 140) -> None:
    """Draw ``latex`` into the cache without Qt: a long formula's mathtext takes a second
    or more, so the formula dialog calls this on its worker thread and :func:`render`
    on the GUI thread then only loads the finished PNG."""
    if latex.strip():
        _render_png(latex.strip(), colour, dpi)


def formula_lines(latex: str, derivative_latex: str) -> list[tuple[str, str]]:
    """The two lines the formula dialog draws: ``("f", "f(x) = ...")``, ``("d", ...)``."""
    return [("f", "f(x) = " + latex), ("d", "f'(x) = " + derivative_latex)]


#: The resolution formulas are drawn at in the formula dialog.
DIALOG_DPI = 120


def render(latex: str, colour: str, dpi: int = 140) -> QPixmap | None:
    """A pixmap of ``latex`` drawn in ``colour``, or ``None`` when it cannot be drawn."""
    if not latex.strip():
        return None
    data = _render_png(latex.strip(), colour, dpi)
    if data is None:
        return None
    pixmap = QPixmap()
    if not pixmap.loadFromData(data, "PNG"):
        return None
    return pixmap

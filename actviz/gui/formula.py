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

"""Numbers written to fit a cell: as many significant digits as the width allows, never
an ellipsis ("-0.90…" reads as a different number)."""

from __future__ import annotations

import math

from PySide6.QtGui import QFontMetrics

#: The widest text :func:`fit_number` falls back to; cells are kept at least this wide.
WIDEST_SHORT = "-8.8e+88"


def fit_number(value: float, width: int, metrics: QFontMetrics, most: int = 6) -> str:
    """``value`` with the most significant digits (up to ``most``) that fit ``width`` px."""
    if math.isnan(value):
        return ""
    value += 0.0  # no "-0"
    for digits in range(most, 1, -1):
        text = f"{value:.{digits}g}"
        if metrics.horizontalAdvance(text) <= width:
            return text
    return f"{value:.1e}" if value else "0"


def min_number_width(metrics: QFontMetrics, padding: int = 12) -> int:
    """The narrowest a cell may be and still show any number :func:`fit_number` writes."""
    return metrics.horizontalAdvance(WIDEST_SHORT) + padding

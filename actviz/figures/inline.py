"""Figures that show themselves in a notebook, with text kept as text when saved.

A ``matplotlib.figure.Figure`` made without pyplot has no inline display in a fresh
Jupyter kernel: IPython shows ``<Figure size 900x340 with 2 Axes>`` until pyplot's
inline backend has been loaded. :class:`InlineFigure` gives the figure its own
``_repr_png_`` (IPython calls it whatever the backend), and its :meth:`savefig`
writes SVG text as ``<text>`` and PDF fonts as TrueType, as ``actviz plot`` does.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure

#: Text stays text in SVG and PDF (searchable, editable), as in :mod:`.style`.
TEXT_AS_TEXT = {"svg.fonttype": "none", "pdf.fonttype": 42, "ps.fonttype": 42}


class InlineFigure(Figure):
    """A Figure that Jupyter draws inline (PNG) and that saves text as text."""

    def savefig(self, fname: Any, *args: Any, **kwargs: Any) -> None:
        with rc_context(TEXT_AS_TEXT):
            super().savefig(fname, *args, **kwargs)

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=self.dpi, facecolor=self.get_facecolor())
        return buffer.getvalue()

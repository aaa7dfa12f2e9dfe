"""Canary for the PySide6 6.12.0 + pyqtgraph 0.14.0 crash (refcount error with many curves).

The drawing runs in a child process so a crash of the interpreter fails this test
instead of taking the whole test session down with it.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import numpy as np
from actviz.gui.headless import ensure_app
app = ensure_app()
import pyqtgraph as pg
from actviz.gui.plot_image import render_image

widget = pg.PlotWidget()
widget.resize(800, 600)
x = np.linspace(-10, 10, 10_000)
items = [widget.plot(x, np.tanh(x * (i + 1) / 10), pen=pg.mkPen(pg.intColor(i, 40)))
         for i in range(40)]
widget.show()
for step in range(5):
    for i, item in enumerate(items):
        item.setData(x, np.tanh(x * (i + 1 + step) / 10))
    app.processEvents()
    image = render_image(widget, 800, 600)
print("drew", len(items), "curves", image.width())
"""


def test_forty_curves_of_ten_thousand_points_do_not_crash():
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert "drew 40 curves 800" in proc.stdout

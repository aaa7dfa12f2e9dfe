"""Curves keep their width at twice the pixel density (``QT_SCALE_FACTOR=2``): a 2 px
curve is 4 device pixels thick, not a 2-device-pixel hairline. Measured on the rendered
plot, in a fresh process (the scale factor is read when the application starts)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication
    from actviz.gui.pens import curve_pen, mkpen
    from actviz.figures.palette import CurveStyle

    app = QApplication([])
    w = pg.PlotWidget(background="w")
    w.resize(300, 200)
    w.plot([0, 1], [0.3, 0.3], pen=curve_pen(CurveStyle("#000000"), width=2))
    w.plot([0, 1], [0.7, 0.7], pen=mkpen("#000000", width=1))
    for axis in ("left", "bottom"):
        w.getPlotItem().hideAxis(axis)
    w.setYRange(0, 1, padding=0)
    w.show()
    app.processEvents()
    image = w.grab().toImage()
    x = image.width() // 2
    runs, start = [], None
    for y in range(image.height()):
        dark = image.pixelColor(x, y).lightness() < 200
        if dark and start is None:
            start = y
        if not dark and start is not None:
            runs.append(y - start)
            start = None
    print(image.devicePixelRatio(), *runs)
    """
)


@pytest.mark.parametrize(("scale", "thick"), [("1", [1, 2]), ("2", [2, 4])])
def test_curve_widths_follow_the_pixel_density(scale, thick):
    env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    ratio, *runs = done.stdout.split()
    assert float(ratio) == float(scale)
    assert [int(r) for r in runs] == thick  # top: the 1 px pen, bottom: the 2 px curve

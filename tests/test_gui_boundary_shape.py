"""Decision boundaries keep the input space's shape at every window size (a unit across
is as long as a unit up, and the whole domain shows), and every training point has an
outline that stands out from its own class colour."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

SIZES = [(1024, 700), (1600, 1000), (2560, 1440)]


def _luminance(colour) -> float:
    return 0.2126 * colour.redF() + 0.7152 * colour.greenF() + 0.0722 * colour.blueF()


@pytest.fixture
def raced(open_playground, qtbot):
    window, panel = open_playground(("relu", "tanh", "gelu"))
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(80)
    form.seeds.setText("1")
    form.steps.setValue(20)
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.train_button.click()
    return window, panel


def test_boundaries_keep_the_aspect_of_the_input_space(raced, qtbot):
    """Where a cell's shape is within MAX_ASPECT_STRETCH of the space's, a unit across is
    as long as a unit up; a far flatter or taller cell fills with the space (the kept
    shape would leave the data a few pixels across). The whole domain always shows."""
    from actviz.gui.panels.playground_views import MAX_ASPECT_STRETCH

    window, panel = raced
    (x0, x1), (y0, y1) = panel.history.domain
    space = (x1 - x0) / (y1 - y0)
    kept = 0
    for width, height in SIZES:
        window.resize(width, height)
        qtbot.wait(80)
        for name, cell in panel.boundaries.cells.items():
            box = cell["plot"].getViewBox()
            (vx0, vx1), (vy0, vy1) = box.viewRange()
            rect = box.sceneBoundingRect()
            stretch = (rect.width() / rect.height()) / space
            per_px_x = (vx1 - vx0) / rect.width()
            per_px_y = (vy1 - vy0) / rect.height()
            if 1 / MAX_ASPECT_STRETCH <= stretch <= MAX_ASPECT_STRETCH:
                assert per_px_x == pytest.approx(per_px_y, rel=0.02), (width, name)
                kept += 1
            slack = 1e-6 * (x1 - x0)
            assert vx0 <= x0 + slack and vx1 >= x1 - slack, (width, name)  # all of it shows
            assert vy0 <= y0 + slack and vy1 >= y1 - slack, (width, name)
    assert kept >= 3  # not a vacuous pass: most sizes keep the shape


def test_points_are_outlined_against_their_own_colour(raced):
    _window, panel = raced
    cell = next(iter(panel.boundaries.cells.values()))
    scatter = next(i for i in cell["plot"].items if isinstance(i, pg.ScatterPlotItem))
    points = scatter.points()
    assert len(points) > 20
    for point in points:
        fill = point.brush().color()
        outline = point.pen().color()
        assert abs(_luminance(fill) - _luminance(outline)) > 0.4
        assert point.pen().widthF() >= 1.0

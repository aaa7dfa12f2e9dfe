"""The Playground's "Inside the network" tab driven through the real window: after a real
race it shows one picture per unit per layer for each activation, marks dead units,
draws each layer's pre-activation histogram under f and f', and curves for 1-D tasks."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from test_inside import with_dead_unit

from actviz.gui.export_plots import export_all
from actviz.gui.panels.inside_view import ALL, DEAD_OPACITY, MAX_UNITS


@pytest.fixture
def playground(open_playground):
    def make(select, task="moons", hidden="5,3"):
        w, panel = open_playground(select)
        form = panel.form
        form.task.setCurrentIndex(form.task.findData(task))
        form.points.setValue(80)
        form.hidden.setText(hidden)
        form.seeds.setText("3")
        form.steps.setValue(40)
        return w, panel

    return make


def _race(qtbot, panel):
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.train_button.click()


def _show_inside(panel):
    panel.views.setCurrentWidget(panel.inside)
    return panel.inside


def test_each_unit_of_each_layer_gets_a_picture_for_every_activation(playground, qtbot, tmp_path):
    w, panel = playground(["relu", "tanh", "gelu"])
    _race(qtbot, panel)
    view = _show_inside(panel)
    assert [view.which.itemText(i) for i in range(view.which.count())] == [
        ALL,
        "relu",
        "tanh",
        "gelu",
    ]
    assert set(view.blocks) == {"relu", "tanh", "gelu"}
    for name in ("relu", "tanh", "gelu"):
        seen = view.insides[name]
        member = panel.history.median_member(name)
        assert panel.history.members[seen.run] is member  # the median seed is drawn
        assert seen.step == 40
        layers = view.blocks[name]
        assert [len(layer["cells"]) for layer in layers] == [5, 3]
        for layer, drawn in zip(seen.layers, layers, strict=True):
            # every unit's 48 x 48 map, side by side with transparent gaps between
            image = drawn["image"].image.T
            gap = (image.shape[1] - 48 * layer.units) // (layer.units - 1)
            assert gap >= 1 and image.shape == (48, 48 * layer.units + gap * (layer.units - 1))
            for u in range(layer.units):
                start = u * (48 + gap)
                np.testing.assert_array_equal(image[:, start : start + 48], layer.maps[u])
                assert np.isnan(image[:, start + 48 : start + 48 + gap]).all()
            # the histogram sits under f and f' (both drawn over its range)
            x, y = drawn["f"].getData()
            assert len(x) > 100 and x[0] == pytest.approx(layer.edges[0])
            assert drawn["df"].getData()[0] is not None
            bars_x, _ = drawn["bars"].getData()
            assert bars_x.min() == pytest.approx(layer.edges[0])
            assert bars_x.max() == pytest.approx(layer.edges[-1])
        title = view.titles[name].text
        assert f"median seed {member.seed}" in title and "step 40" in title
    # tanh's curves are tanh and its slope over the histogram's range
    tanh = view.blocks["tanh"][0]
    x, y = tanh["f"].getData()
    np.testing.assert_allclose(y, np.tanh(x), atol=1e-5)
    x, dy = tanh["df"].getData()
    np.testing.assert_allclose(dy, 1 - np.tanh(x) ** 2, atol=1e-5)

    # choosing one activation shows only it
    view.which.setCurrentText("tanh")
    assert set(view.blocks) == {"tanh"}
    view.which.setCurrentText(ALL)
    assert set(view.blocks) == {"relu", "tanh", "gelu"}

    # exported like the other plots: figure files and a CSV of the exact counts
    written = {p.name for p in export_all([panel], tmp_path)}
    assert {"playground-inside.png", "playground-inside.svg", "playground-inside.csv"} <= written
    header = (tmp_path / "playground-inside.csv").read_text().splitlines()[0].split(",")
    assert header[0] == "z" and "relu layer 1 count" in header and "tanh layer 2 f'" in header
    counts = np.genfromtxt(tmp_path / "playground-inside.csv", delimiter=",", names=True)
    n_train = len(panel.history.data["x_train"])
    column = [c for c in counts.dtype.names if c.startswith("relu_layer_1_count")][0]
    assert np.nansum(counts[column]) == n_train * 5


def test_a_dead_unit_is_crossed_out_dimmed_and_says_why(playground, qtbot):
    w, panel = playground(["relu"])
    _race(qtbot, panel)
    view = _show_inside(panel)
    history = panel.history
    run = history.members.index(history.median_member("relu"))
    before = view.insides["relu"].layers[0]
    unit = int(np.flatnonzero(~before.dead)[0])
    view.redraw(history, with_dead_unit(panel.shown_snapshot(), run, unit), panel.colours)
    cells = view.blocks["relu"][0]["cells"]
    dead = cells[unit]
    assert dead["dead"]
    # dimmed: a veil of the background over the unit's picture
    veil = dead["frame"].brush().color()
    assert veil.alphaF() == pytest.approx(1 - DEAD_OPACITY, abs=0.01)
    assert dead["frame"].toolTip().startswith("dead: ")
    assert dead["label"].toPlainText() == f"{unit + 1}"
    assert dead["label"].color.name() == panel.state.theme.error
    # crossed out: two diagonals over exactly the dead units' cells
    x, y = view.blocks["relu"][0]["cross"].getData()
    crossed = {int(round(v / (1 + 0.15))) for v in x[::4]}
    assert unit in crossed
    assert crossed == {u for u, cell in enumerate(cells) if cell["dead"]}
    for u, cell in enumerate(cells):
        if u != unit and not before.dead[u]:
            assert not cell["dead"]
            assert cell["frame"].brush().style() == Qt.BrushStyle.NoBrush
            assert not cell["frame"].toolTip().startswith("dead")
    assert "dead" in view.titles["relu"].text


def test_a_1d_task_shows_each_unit_as_a_curve(playground, qtbot):
    w, panel = playground(["tanh", "glu"], task="sine", hidden="4")
    _race(qtbot, panel)
    view = _show_inside(panel)
    seen = view.insides["tanh"]
    layer = view.blocks["tanh"][0]
    assert len(layer["cells"]) == 4 and "image" not in layer
    maps = seen.layers[0].maps
    n = len(panel.history.grid_axes[0])
    assert maps.shape == (4, n)
    # live units in the activation's colour, dead ones grey; each a curve of n points
    # (on the layer's shared vertical scale) in its own cell, NaN between two curves
    curves = []
    for key in ("live", "dead"):
        x, y = layer[key].getData()
        if x is None or len(x) == 0:
            continue
        for part_x, part_y in zip(
            np.split(x, np.flatnonzero(np.isnan(x))),
            np.split(y, np.flatnonzero(np.isnan(y))),
            strict=True,
        ):
            keep = np.isfinite(part_x)
            if keep.any():
                curves.append((part_x[keep], part_y[keep]))
    assert len(curves) == 4
    lo, hi = maps.min(), maps.max()
    for part_x, part_y in curves:
        unit = int(round(part_x[0] / 1.15))
        assert len(part_x) == n
        np.testing.assert_allclose(part_y, 0.05 + 0.9 * (maps[unit] - lo) / (hi - lo), atol=1e-6)
    # a gated activation: its histogram counts both halves, and it says why it has no f
    gated = view.blocks["glu"][0]
    assert "no f (gated)" in gated["hist"].titleLabel.text
    assert gated["f"].getData()[0] is None or len(gated["f"].getData()[0]) == 0
    assert "two pre-activations" in gated["hist"].toolTip()
    assert len(gated["cells"]) == 4


def test_wide_layers_are_capped_and_say_so(playground, qtbot):
    w, panel = playground(["relu"], hidden="20")
    _race(qtbot, panel)
    view = _show_inside(panel)
    layer = view.blocks["relu"][0]
    assert len(layer["cells"]) == MAX_UNITS
    assert f"first {MAX_UNITS} of 20" in layer["hist"].titleLabel.text


def test_it_redraws_live_only_while_the_tab_is_shown(playground, qtbot):
    w, panel = playground(["relu"])
    panel.form.steps.setValue(1_000_000)
    view = panel.inside
    # hidden tab: the race runs, nothing is computed for it
    assert panel.start_race()
    qtbot.waitUntil(lambda: panel.step > 50, timeout=60_000)
    assert view.insides == {}
    # shown: it follows the race while it runs
    view_steps = []
    panel.views.setCurrentWidget(view)
    qtbot.waitUntil(lambda: "relu" in view.insides, timeout=30_000)
    view_steps.append(view.insides["relu"].step)
    qtbot.waitUntil(lambda: view.insides["relu"].step > view_steps[0], timeout=60_000)
    assert panel.running
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.stop_race()
    # after the race: the final networks
    assert view.insides["relu"].step == panel.shown_snapshot().step == panel.history.step


def test_a_network_it_cannot_look_inside_is_named_with_the_reason(playground, qtbot):
    w, panel = playground(["relu", "tanh"])
    _race(qtbot, panel)
    view = _show_inside(panel)
    history = panel.history
    # features the networks were not trained with: refused with a reason, not a crash
    history.config = {**history.config, "features": ["x1sq", "x1x2"]}
    view.redraw(history, panel.shown_snapshot(), panel.colours)
    assert view.insides == {}
    for name in ("relu", "tanh"):
        assert "takes 2 inputs" in view.problems[name]
        assert "takes 2 inputs" in view.titles[name].text
    # and no snapshot at all (a stored run): says so
    view.redraw(history, None, panel.colours)
    assert "no snapshot" in view.titles["relu"].text


def test_the_chosen_activation_is_remembered_between_launches(playground, qtbot):
    w, panel = playground(["relu", "tanh"])
    _race(qtbot, panel)
    view = _show_inside(panel)
    view.which.setCurrentText("tanh")
    assert set(view.blocks) == {"tanh"}
    w.close()

    again, panel = playground(["relu", "tanh"])
    _race(qtbot, panel)
    view = _show_inside(panel)
    assert view.which.currentText() == "tanh"
    assert set(view.blocks) == {"tanh"}


def test_a_new_race_of_the_same_shape_reuses_the_pictures(playground, qtbot):
    w, panel = playground(["relu"])
    view = _show_inside(panel)
    _race(qtbot, panel)
    strip = view.blocks["relu"][0]["strip"]
    first = view.blocks["relu"][0]["image"].image.copy()
    panel.form.data_seed.setValue(panel.form.data_seed.value() + 1)
    _race(qtbot, panel)
    assert view.blocks["relu"][0]["strip"] is strip  # the same items, new data
    assert not np.array_equal(view.blocks["relu"][0]["image"].image, first)
    assert view.insides["relu"].step == 40
    panel.form.hidden.setText("4")
    _race(qtbot, panel)
    assert len(view.blocks["relu"]) == 1 and len(view.blocks["relu"][0]["cells"]) == 4


def _unit_pixels(inside) -> tuple[float, float, float]:
    """(a unit picture's width, the span of a layer's pictures, the strip's width) in
    pixels, for the widest layer of the first activation."""
    layers = next(iter(inside.blocks.values()))
    items = max(layers, key=lambda it: len(it["cells"]))
    strip = items["strip"]
    first = strip.mapViewToDevice(QRectF(0, 0, 1, 1)).boundingRect()
    last_x0 = items["cells"][-1]["x0"]
    last = strip.mapViewToDevice(QRectF(last_x0, 0, 1, 1)).boundingRect()
    return first.width(), last.right() - first.left(), strip.sceneBoundingRect().width()


@pytest.mark.parametrize("size", [(1024, 700), (2560, 1440)])
def test_unit_pictures_fill_the_strip_at_every_window_width(playground, qtbot, size):
    """At 1024 px the pictures were 16 px; at 2560 they left a 400 px gap."""
    window, panel = playground(["relu", "tanh"], hidden="8,8")
    window.resize(*size)
    _race(qtbot, panel)
    inside = _show_inside(panel)
    qtbot.waitUntil(lambda: bool(inside.blocks), timeout=10_000)
    qtbot.wait(100)
    unit, span, strip = _unit_pixels(inside)
    assert unit >= 24, f"unit pictures {unit:.0f} px"
    assert span >= 0.75 * strip, f"pictures span {span:.0f} of {strip:.0f} px"

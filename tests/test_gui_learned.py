"""The Playground's Learned shapes tab after a real race from the GUI."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_gui_playground import make_window, race  # noqa: F401 - the fixture is used
from tools import inked, svg_as_png

from actviz.host import load_catalogue


def test_learned_shapes_tab_follows_the_step_slider_exports_and_saves(
    make_window,  # noqa: F811
    qtbot,
    tmp_path,
):
    w, panel = make_window(["apl", "bspline", "relu"])
    race(qtbot, panel)
    view = panel.learned
    panel.views.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.which.count() == 2)
    assert [view.which.itemText(i) for i in range(2)] == ["apl", "bspline"]  # relu learns nothing
    view.which.setCurrentText("bspline")
    assert len(view.steps) > 2 and view.steps[0] == 0 and view.steps[-1] == 40
    assert view.slider.maximum() == len(view.steps) - 1
    assert view.slider.value() == view.slider.maximum()  # follows the newest step
    assert {s.step for s in view.shapes} == {40} and len(view.shapes) == 2  # two seeds
    assert not np.allclose(view.shapes[0].initial, view.shapes[0].learned)
    view.slider.setValue(0)
    assert view.step_label.text() == "step 0"
    assert np.allclose(view.shapes[0].initial, view.shapes[0].learned)
    view.slider.setValue(view.slider.maximum())

    view.which.setCurrentText("apl")  # per unit: a curve per seed and unit
    assert len(view.shapes) == 2 * 6
    view.seed.setCurrentText("1")
    assert {s.seed for s in view.shapes} == {1} and len(view.shapes) == 6
    table = pd.read_csv(view.export_csv(tmp_path / "apl.csv"))
    assert set(table.unit) == set(range(1, 7)) and set(table.seed) == {1}
    assert inked(svg_as_png(view.export_figure(tmp_path / "apl.svg"))) > 0.005

    view.which.setCurrentText("bspline")
    path = view.save_plugin()  # the user's plugin folder
    assert path.name == "bspline_learned_s1_l1.py"
    entry = load_catalogue(use_entry_points=False, use_env=False).entry(path.stem)
    assert entry.ok, entry.error
    messages = []
    view.notify = messages.append
    view._report(view.save_plugin)  # the same name again: one line, nothing lost
    assert messages and "already exists" in messages[-1]


def test_a_per_layer_entry_shows_its_learnable_layer(make_window, qtbot):  # noqa: F811
    w, panel = make_window(["relu"])
    panel.form.hidden.setText("6, 4")
    panel.form.per_layer.setText("prelu>tanh")
    race(qtbot, panel)
    view = panel.learned
    panel.views.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.which.count() == 1)
    assert view.which.itemText(0) == "prelu>tanh"
    view.layer.setCurrentIndex(0)
    assert len(view.shapes) == 2 and {s.layer for s in view.shapes} == {0}  # two seeds
    view.layer.setCurrentIndex(1)  # tanh: nothing learned there, and nothing breaks
    assert view.shapes == []

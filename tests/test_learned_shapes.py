"""See what was learned: curves per seed/layer/unit at a step against the initial ones,
CSV and figure read back by outside tools, and a learned shape saved as a plugin that
loads, validates and races."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from tools import inked, svg_as_png

from actviz.analysis.learned_shapes import learned_shapes, recorded_steps
from actviz.figures.files import ExportError
from actviz.figures.learned import (
    export_shapes_csv,
    export_shapes_figure,
    save_learned_plugin,
)
from actviz.host import load_catalogue
from actviz.training import RaceConfig, run_race


@pytest.fixture(scope="module")
def race(builtin_catalogue):
    cfg = RaceConfig(
        task="moons",
        activations=["bspline", "prelu_units", "relu"],
        seeds=2,
        steps=120,
        eval_every=40,
        hidden=(5, 4),
        lr=0.03,
    )
    result = run_race(cfg, builtin_catalogue.activations, builtin_catalogue.tasks["moons"])
    return result.to_dict()


def test_steps_and_shapes_per_seed_layer_and_unit(builtin_catalogue, race):
    acts = builtin_catalogue.activations
    assert recorded_steps(race, "bspline") == [0, 40, 80, 120]
    spline = learned_shapes(acts["bspline"], race)
    assert {(s.seed, s.layer, s.unit) for s in spline} == {
        (0, 0, None),
        (0, 1, None),
        (1, 0, None),
        (1, 1, None),
    }
    for s in spline:
        assert s.step == 120
        assert not np.allclose(s.initial, s.learned)
    # the initial curve is the plugin's own starting function
    start = acts["bspline"].fn(torch.tensor(spline[0].x), **acts["bspline"].defaults())
    assert np.allclose(spline[0].initial, start.numpy(), atol=1e-6)
    prelu = learned_shapes(acts["prelu_units"], race, step=40)
    assert len(prelu) == 2 * (5 + 4) and all(s.step == 40 for s in prelu)
    unit = next(s for s in prelu if s.seed == 1 and s.layer == 0 and s.unit == 3)
    slope = race["runs"][
        [r["activation"] == "prelu_units" and r["seed"] == 1 for r in race["runs"]].index(True)
    ]["history"][1]["param_arrays"]["a"][0][3]
    assert unit.values["a"] == slope
    assert np.allclose(unit.learned[unit.x < 0], slope * unit.x[unit.x < 0])


def test_csv_and_figure_read_by_outside_tools(builtin_catalogue, race, tmp_path):
    shapes = learned_shapes(builtin_catalogue.activations["prelu_units"], race)
    csv = export_shapes_csv(shapes, tmp_path / "shapes.csv")
    table = pd.read_csv(csv)
    assert list(table.columns) == [
        "activation",
        "seed",
        "layer",
        "unit",
        "step",
        "x",
        "initial",
        "learned",
    ]
    assert len(table) == len(shapes) * len(shapes[0].x)
    one = table[(table.seed == 1) & (table.layer == 2) & (table.unit == 4)]
    assert np.allclose(
        one.learned, shapes[[(s.seed, s.layer, s.unit) for s in shapes].index((1, 1, 3))].learned
    )
    png = export_shapes_figure(shapes, tmp_path / "shapes.png")
    svg = export_shapes_figure(shapes, tmp_path / "shapes.svg")
    # the PNG shows curves, and librsvg draws the SVG of the same figure with as much ink
    ink = inked(png.read_bytes())
    assert ink > 0.005 and abs(inked(svg_as_png(svg, 600)) - ink) < 0.5 * ink
    with pytest.raises(ExportError, match="unknown figure type"):
        export_shapes_figure(shapes, tmp_path / "shapes.bmp")
    with pytest.raises(ExportError, match="no learned shape"):
        export_shapes_csv([], tmp_path / "none.csv")


def test_saved_shape_is_a_fixed_plugin_that_loads_validates_and_races(builtin_catalogue, race):
    act = builtin_catalogue.activations["bspline"]
    path = save_learned_plugin(act, race, seed=1, layer=0)
    assert path.name == "bspline_learned_s1_l1.py"
    cat = load_catalogue(use_entry_points=False, use_env=False)  # the user folder, for real
    entry = cat.entry("bspline_learned_s1_l1")
    assert entry.ok and entry.source != "built-in", entry.error
    saved = cat.activations["bspline_learned_s1_l1"]
    assert not saved.params
    (shape,) = [s for s in learned_shapes(act, race, layers=[0]) if s.seed == 1]
    ours = saved.fn(torch.tensor(shape.x)).numpy()
    assert np.abs(ours - shape.learned).max() < 1e-3
    with pytest.raises(ExportError, match="already exists"):
        save_learned_plugin(act, race, seed=1, layer=0)
    with pytest.raises(ExportError, match="not a plugin name"):
        save_learned_plugin(act, race, seed=1, layer=0, name="Bad Name")
    with pytest.raises(ExportError, match="no learned shape for seed 7"):
        save_learned_plugin(act, race, seed=7, layer=0)
    cfg = RaceConfig(
        task="moons", activations=["bspline_learned_s1_l1"], seeds=1, steps=20, hidden=(5,)
    )
    result = run_race(cfg, cat.activations, cat.tasks["moons"])
    assert result.runs[0].status == "finished"


def test_a_per_layer_race_shows_the_shape_its_learnable_layer_learned(builtin_catalogue, tmp_path):
    from actviz.training.layered import layered

    acts = builtin_catalogue.activations
    cfg = RaceConfig(
        task="moons", activations=["prelu>tanh"], seeds=2, steps=60, eval_every=30, hidden=(5, 4)
    )
    run = run_race(cfg, acts, builtin_catalogue.tasks["moons"]).to_dict()
    per_layer = layered("prelu>tanh", acts)
    shapes = learned_shapes(per_layer, run)
    assert {(s.seed, s.layer) for s in shapes} == {(0, 0), (1, 0)}  # tanh learns nothing
    for s in shapes:
        member = next(r for r in run["runs"] if r["seed"] == s.seed)
        slope = member["history"][-1]["params"]["a"][0]
        assert s.values["a"] == slope and slope != 0.25  # trained away from its start
        x = torch.tensor(s.x)
        assert np.allclose(s.learned, acts["prelu"].fn(x, a=slope).numpy())
    path = save_learned_plugin(per_layer, run, seed=1, layer=0, folder=tmp_path)
    assert path.name == "prelu_learned_s1_l1.py"
    loaded = load_catalogue([tmp_path], use_user_dir=False, use_entry_points=False, use_env=False)
    assert loaded.entry("prelu_learned_s1_l1").ok

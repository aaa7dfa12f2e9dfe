"""Inside the network, without a screen: unit maps, dead units, pre-activation histograms
and the f / f' curves of a real race's snapshots."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from actviz.analysis.inside import inside
from actviz.training.config import RaceConfig
from actviz.training.engine import race
from actviz.training.events import Evaluation, Started
from actviz.training.snapshot_grid import grid_points
from actviz.training.snapshots import Snapshot


def _race(catalogue, task: str, names: list[str], steps: int = 40):
    cfg = RaceConfig(  # one shared draw: the checks below read started.data["x_train"]
        task=task,
        activations=names,
        seeds=2,
        steps=steps,
        eval_every=20,
        hidden=(5, 4),
        vary="init",
    )
    events = list(race(cfg, catalogue.activations, catalogue.tasks[task], snapshots=True))
    started = next(e for e in events if isinstance(e, Started))
    evaluations = [e for e in events if isinstance(e, Evaluation)]
    return started, evaluations


@pytest.fixture(scope="module")
def moons(builtin_catalogue):
    return _race(builtin_catalogue, "moons", ["relu", "tanh", "glu"])


def _hand_forward(weights, biases, fn, x):
    """Each hidden layer's outputs ``[units, points]`` for inputs ``x`` ``[dims, points]``."""
    outs = []
    h = x
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        h = fn(w @ h + b)
        outs.append(h)
    return outs


@pytest.mark.parametrize(("run", "fn"), [(0, torch.relu), (3, torch.tanh)])
def test_unit_maps_equal_a_hand_forward_of_the_runs_weights(moons, run, fn):
    started, evaluations = moons
    snap = evaluations[-1].snapshot
    seen = inside(snap, run, started.config, started.data["x_train"], started.grid_axes)
    assert seen.step == 40 and seen.activation == started.runs[run].activation
    params = snap.run_params(run)
    ax0, ax1 = (torch.as_tensor(a, dtype=torch.float32) for a in started.grid_axes)
    # the plane: rows follow x2, columns x1, as the decision grid
    xs = ax0.expand(len(ax1), -1).reshape(-1)
    ys = ax1[:, None].expand(-1, len(ax0)).reshape(-1)
    expected = _hand_forward(params.weights, params.biases, fn, torch.stack([xs, ys]))
    assert [layer.maps.shape for layer in seen.layers] == [(5, 48, 48), (4, 48, 48)]
    for layer, want in zip(seen.layers, expected, strict=True):
        np.testing.assert_allclose(
            layer.maps, want.reshape(-1, 48, 48).numpy(), rtol=1e-5, atol=1e-5
        )
    # the unit maps are what the network computes: a point's map value at the grid
    # corner (x1 low, x2 high) is the hand forward at that corner
    corner = torch.tensor([[float(ax0[0])], [float(ax1[-1])]])
    h1 = _hand_forward(params.weights, params.biases, fn, corner)[0][:, 0]
    np.testing.assert_allclose(seen.layers[0].maps[:, -1, 0], h1.numpy(), rtol=1e-5, atol=1e-5)


def with_dead_unit(snap: Snapshot, run: int, unit: int) -> Snapshot:
    """A copy of ``snap`` where ``unit`` of the first layer of ``run`` has z < 0 at every
    input (tiny weights, bias -100)."""
    stacks = []
    for state in snap.stacks:
        weights = [w.clone() for w in state.weights]
        biases = [b.clone() for b in state.biases]
        for seg in state.segments:
            if run in seg.run_ids:
                local = seg.start + seg.run_ids.index(run)
                weights[0][local, unit] = 0.01
                biases[0][local, unit] = -100.0
        stacks.append(dataclasses.replace(state, weights=weights, biases=biases))
    return Snapshot(snap.step, stacks)


def test_a_unit_forced_dead_is_reported_dead_and_the_others_match_the_race(moons):
    started, evaluations = moons
    snap = evaluations[-1].snapshot
    args = (started.config, started.data["x_train"], started.grid_axes)
    # without tampering, the dead units are exactly the fraction the race recorded
    for run in range(len(started.runs)):
        seen = inside(snap, run, *args)
        recorded = evaluations[-1].metrics[run]["dead_fraction"]
        assert [float(layer.dead.mean()) for layer in seen.layers] == pytest.approx(recorded)
    before = inside(snap, 1, *args).layers[0]
    unit = int(np.flatnonzero(~before.dead)[0])  # a live unit, killed below
    killed = inside(with_dead_unit(snap, 1, unit), 1, *args)
    first = killed.layers[0]
    assert first.dead[unit]
    assert "constant" in first.why[unit] or "zero slope" in first.why[unit]
    assert np.all(first.maps[unit] == 0.0)  # relu of z < 0
    others = [u for u in range(5) if u != unit]
    assert list(first.dead[others]) == list(before.dead[others])
    assert all(first.why[u] == "" for u in others if not first.dead[u])


def test_histograms_count_every_training_input_of_every_unit(moons):
    started, evaluations = moons
    n = len(started.data["x_train"])
    for snapshot in (evaluations[0].snapshot, evaluations[-1].snapshot):
        for run in (0, 3):
            seen = inside(snapshot, run, started.config, started.data["x_train"], started.grid_axes)
            for layer, units in zip(seen.layers, (5, 4), strict=True):
                assert layer.counts.sum() == n * units
                assert len(layer.edges) == len(layer.counts) + 1


def test_f_and_its_autograd_slope_are_sampled_over_the_histograms_range(moons):
    started, evaluations = moons
    seen = inside(
        evaluations[-1].snapshot, 3, started.config, started.data["x_train"], started.grid_axes
    )
    for layer in seen.layers:
        assert layer.curve_x[0] == pytest.approx(layer.edges[0])
        assert layer.curve_x[-1] == pytest.approx(layer.edges[-1])
        t = np.tanh(layer.curve_x)
        np.testing.assert_allclose(layer.f, t, atol=1e-6)
        np.testing.assert_allclose(layer.df, 1 - t * t, atol=1e-5)


def test_a_gated_activation_keeps_both_halves_and_says_why_it_has_no_curve(moons):
    started, evaluations = moons
    n = len(started.data["x_train"])
    seen = inside(
        evaluations[-1].snapshot, 4, started.config, started.data["x_train"], started.grid_axes
    )
    assert seen.activation == "glu"
    first = seen.layers[0]
    assert first.maps.shape == (5, 48, 48)  # one map per unit (not per half)
    assert first.counts.sum() == n * 10  # value and gate of every unit
    assert first.f is None and "gated" in first.note


def test_a_1d_task_gives_each_unit_a_curve_along_the_input(builtin_catalogue):
    started, evaluations = _race(builtin_catalogue, "sine", ["tanh"])
    snap = evaluations[-1].snapshot
    seen = inside(snap, 0, started.config, started.data["x_train"], started.grid_axes)
    axis = torch.as_tensor(started.grid_axes[0], dtype=torch.float32)
    params = snap.run_params(0)
    expected = _hand_forward(params.weights, params.biases, torch.tanh, axis[None, :])
    assert [layer.maps.shape for layer in seen.layers] == [(5, len(axis)), (4, len(axis))]
    for layer, want in zip(seen.layers, expected, strict=True):
        np.testing.assert_allclose(layer.maps, want.numpy(), rtol=1e-5, atol=1e-5)


def test_inputs_that_do_not_fit_the_network_are_refused_with_a_reason(moons):
    started, evaluations = moons
    snap = evaluations[-1].snapshot
    x = started.data["x_train"]
    with pytest.raises(ValueError, match="takes 2 inputs"):
        inside(snap, 0, {"features": ["x1sq"]}, x, started.grid_axes)
    with pytest.raises(ValueError, match="expected"):
        inside(snap, 0, started.config, x[:, :1], started.grid_axes)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        inside(snap, 0, started.config, x, [])


def test_grid_points_follow_the_engines_order():
    axes = [np.array([0.0, 1.0, 2.0]), np.array([10.0, 20.0])]
    points = grid_points(axes)
    assert points[:, :4].tolist() == [[0.0, 1.0, 2.0, 0.0], [10.0, 10.0, 10.0, 20.0]]


def test_the_figure_for_files_has_a_histogram_and_a_strip_per_layer(moons):
    from actviz.figures.inside import inside_figure

    started, evaluations = moons
    snap = with_dead_unit(evaluations[-1].snapshot, 0, 1)
    args = (started.config, started.data["x_train"], started.grid_axes)
    insides = {"relu": inside(snap, 0, *args), "tanh": inside(snap, 3, *args)}
    figure = inside_figure(insides)
    assert figure.cols == 2 and len(figure.panels) == 2 * 2 * 2
    hist, strip = figure.panels[0], figure.panels[1]
    assert [c.line for c in hist.curves] == [None, "dash"]  # f, f'
    assert len(strip.heatmaps) == 1
    crosses = [c for c in strip.curves if c.name == "dead"]
    assert len(crosses) == 2 * int(insides["relu"].layers[0].dead.sum()) >= 2
    with pytest.raises(ValueError):
        inside_figure({})


def test_a_few_large_outputs_do_not_wash_out_a_layers_colour_scale():
    from actviz.figures.inside import map_scale

    maps = np.full((4, 10, 10), 0.5)
    maps[1] = -0.8
    maps[0, 0, :5] = 100.0  # a corner of one unit, far off the data
    assert map_scale(maps) == pytest.approx(0.8)
    assert map_scale(np.full((2, 3, 3), np.nan)) > 0


def test_extra_input_features_are_fed_as_in_training(moons):
    """A network trained on [x1, x2, x1², x1·x2] is looked at through the same features."""
    started, evaluations = moons
    snap = evaluations[-1].snapshot
    gen = torch.Generator().manual_seed(3)
    stacks = []
    for state in snap.stacks:  # a first layer taking two more inputs
        extra = torch.randn(*state.weights[0].shape[:2], 2, generator=gen)
        weights = [torch.cat([state.weights[0], extra], dim=2), *state.weights[1:]]
        stacks.append(dataclasses.replace(state, weights=weights))
    wider = Snapshot(snap.step, stacks)
    config = {**started.config, "features": ["x1sq", "x1x2"]}
    seen = inside(wider, 3, config, started.data["x_train"], started.grid_axes)
    params = wider.run_params(3)
    ax0, ax1 = (torch.as_tensor(a, dtype=torch.float32) for a in started.grid_axes)
    xs = ax0.expand(len(ax1), -1).reshape(-1)
    ys = ax1[:, None].expand(-1, len(ax0)).reshape(-1)
    points = torch.stack([xs, ys, xs * xs, xs * ys])
    expected = _hand_forward(params.weights, params.biases, torch.tanh, points)
    for layer, want in zip(seen.layers, expected, strict=True):
        np.testing.assert_allclose(
            layer.maps, want.reshape(-1, 48, 48).numpy(), rtol=1e-5, atol=1e-5
        )
    # without the features the wider network is refused with a reason
    with pytest.raises(ValueError, match="takes 4 inputs"):
        inside(wider, 3, started.config, started.data["x_train"], started.grid_axes)

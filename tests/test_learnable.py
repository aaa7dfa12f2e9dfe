"""The built-in learnable activations: sound, checked against outside references, and
their parameters move while the loss drops in a real race."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
from conftest import REPO
from scipy.interpolate import BSpline

from actviz.analysis.properties import continuity, measure
from actviz.param_shapes import race_kwargs
from actviz.training import RaceConfig, run_race

LEARNABLE = ("pade", "bspline", "apl", "prelu_units")


@pytest.fixture(scope="module")
def module():
    spec = importlib.util.spec_from_file_location(
        "learnable_src", REPO / "plugins" / "learnable.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_each_loads_and_validates(builtin_catalogue):
    for name in LEARNABLE:
        entry = builtin_catalogue.entry(name)
        assert entry.ok, (name, entry.error)


def test_pade_starts_as_a_fit_to_leaky_relu(module):
    x = torch.linspace(-3, 3, 2001, dtype=torch.float64)
    p = torch.tensor(module.PADE_NUMERATOR, dtype=torch.float64)
    q = torch.tensor(module.PADE_DENOMINATOR, dtype=torch.float64)
    target = torch.nn.functional.leaky_relu(x, 0.01)
    assert (module.pade(x, p, q) - target).abs().max() < 0.035
    # near a least-squares optimum: more LBFGS from the stored values gains little
    p, q = p.clone().requires_grad_(), q.clone().requires_grad_()
    start = float((module.pade(x, p, q) - target).square().mean().detach())
    opt = torch.optim.LBFGS([p, q], max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (module.pade(x, p, q) - target).square().mean()
        loss.backward()
        return loss

    opt.step(closure)
    assert float((module.pade(x, p, q) - target).square().mean().detach()) > 0.9 * start
    huge = torch.tensor([-1e30, -1e4, 1e4, 1e30])
    assert torch.isfinite(module.pade(huge, p.detach().float(), q.detach().float())).all()


@pytest.mark.parametrize("degree", [1, 2, 3, 4, 5])
def test_bspline_agrees_with_scipy(module, degree):
    c = np.random.default_rng(degree).normal(size=module.SPLINE_POINTS)
    knots = np.array([module._knot(j, degree) for j in range(module.SPLINE_POINTS + degree + 1)])
    x = np.linspace(knots[degree], knots[module.SPLINE_POINTS], 997)
    ours = module.bspline(torch.tensor(x), torch.tensor(c), degree).numpy()
    assert np.abs(ours - BSpline(knots, c, degree)(x)).max() < 1e-12


def test_bspline_degree_is_the_smoothness_dial(builtin_catalogue):
    act = builtin_catalogue.activations["bspline"]
    measured = {d: continuity(act, {**act.defaults(), "degree": d})[0] for d in (1, 2, 3)}
    assert measured == {1: "C0", 2: "C1", 3: "C2+"}  # f'' continuous: C2 or smoother


def test_prelu_units_matches_torch_prelu(builtin_catalogue):
    act = builtin_catalogue.activations["prelu_units"]
    kw = race_kwargs(act, seeds=[0], width=5)
    assert tuple(kw["a"].shape) == (1, 5, 1)
    slopes = torch.tensor([0.1, -0.2, 0.3, 0.0, 0.5])
    module = torch.nn.PReLU(num_parameters=5)
    module.weight.data = slopes.clone()
    x = torch.randn(1, 5, 40)
    with torch.no_grad():
        assert torch.equal(act.fn(x, a=slopes.view(1, 5, 1)), module(x))


def test_properties_measure_each_at_its_initial_shape(builtin_catalogue):
    for name in LEARNABLE:
        props = measure(builtin_catalogue.activations[name])
        assert np.isfinite(props.max_abs_d1), name


def test_parameters_move_and_loss_drops_in_a_race(builtin_catalogue):
    cfg = RaceConfig(
        task="moons",
        activations=list(LEARNABLE),
        seeds=2,
        steps=150,
        eval_every=50,
        hidden=(8, 8),
        lr=0.02,
    )
    result = run_race(cfg, builtin_catalogue.activations, builtin_catalogue.tasks["moons"])
    assert result.status == "finished"
    for run in result.runs:
        assert run.status == "finished", (run.activation, run.error)
        first, last = run.history[0], run.history[-1]
        assert last["train_loss"] < 0.8 * first["train_loss"], run.activation
        for name, per_layer in first["param_arrays"].items():
            moved = np.abs(np.array(last["param_arrays"][name][0]) - np.array(per_layer[0]))
            assert moved.max() > 1e-3, (run.activation, name)
    apl_seeds = [r for r in result.runs if r.activation == "apl"]
    hinges = [np.array(r.history[0]["param_arrays"]["b"][0]) for r in apl_seeds]
    assert hinges[0].shape == (8, 2) and not np.allclose(hinges[0], hinges[1])  # drawn per seed


def test_the_guide_s_pade_example_validates(tmp_path):
    """The worked example in docs/plugin-guide.md, run as a plugin file, loads and validates."""
    text = (REPO / "docs" / "plugin-guide.md").read_text()
    start = text.index("```python", text.index("### Worked example: a rational")) + 10
    (tmp_path / "doc_pade.py").write_text(text[start : text.index("```", start)])
    from actviz.host import load_catalogue

    cat = load_catalogue([tmp_path], use_user_dir=False, use_entry_points=False, use_env=False)
    entry = cat.entry("my_pade")
    assert entry.ok, entry.error

"""The learnable built-ins' hand-written backward passes (plugins/learnable.py) against
autograd through the plain tensor formulas they replaced: values, input gradients and
parameter gradients in float64, at random and edge inputs, in every parameter shape the
plugin receives; ``gradcheck`` against finite differences; and the same through a race's
tape-free step, which calls the plugin's Function directly."""

from __future__ import annotations

import importlib.util
import math

import pytest
import torch
from conftest import REPO

from actviz import Activation, Param


@pytest.fixture(scope="module")
def mod():
    spec = importlib.util.spec_from_file_location("learnable_bw", REPO / "plugins" / "learnable.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the formulas as they were written before the custom backward (autograd's reference) --


def old_pade(x, p, q):
    m = x.abs().clamp_min(1.0)
    w = m.reciprocal()
    u = x * w
    w2 = w * w
    w3 = w2 * w
    num = p[..., 5] * u + p[..., 4] * w
    num = num * u + p[..., 3] * w2
    num = num * u + p[..., 2] * w3
    num = num * u + p[..., 1] * (w2 * w2)
    num = num * u + p[..., 0] * (w2 * w3)
    a, b = u.abs(), q.abs()
    den = b[..., 3] * a + b[..., 2] * w
    den = den * a + b[..., 1] * w2
    den = den * a + b[..., 0] * w3
    return num / (w2 * w3 + a * w * den)


def old_bspline(mod, x, c, degree):
    d = int(degree)
    points, step = mod.SPLINE_POINTS, mod.SPLINE_STEP
    first = mod._knot(0, d)
    low, high = mod._knot(d, d), mod._knot(points, d)
    inside = x.clamp(low, high)
    position = (inside - first) / step
    cell = position.floor().clamp(d, points - 1)
    t = position - cell
    m = torch.as_tensor(mod._piece_matrix(d), dtype=x.dtype)
    powers = torch.stack([t**k for k in range(d + 1)], dim=-1)
    index = (cell.long() - d).unsqueeze(-1) + torch.arange(d + 1)
    shape = torch.broadcast_shapes(x.shape, c.shape[:-1])
    index = index.expand(*shape, d + 1)
    near = torch.gather(c.expand(*shape, points), -1, index)
    y = ((powers @ m) * near).sum(-1)
    slope_low = (m[1] * c[..., : d + 1]).sum(-1) / step
    weights = torch.arange(d + 1, dtype=x.dtype) @ m
    slope_high = (weights * c[..., points - 1 - d :]).sum(-1) / step
    return y + slope_low * (x - inside).clamp(max=0) + slope_high * (x - inside).clamp(min=0)


def old_apl(x, a, b):
    out = torch.relu(x)
    for s in range(a.shape[-1]):
        out = out + a[..., s] * torch.relu(b[..., s] - x)
    return out


def old_prelu_units(x, a):
    return torch.where(x >= 0, x, a * x)


def _inputs(shape, gen, edges):
    x = torch.randn(*shape, generator=gen, dtype=torch.float64) * 3
    flat = x.view(-1)
    flat[: len(edges)] = torch.tensor(edges, dtype=torch.float64)
    return x


#: (x shape, leading parameter shape): a race's per-unit and shared layouts, the plain
#: vector a Curves view passes, and coefficients with more axes than x.
LAYOUTS = [((3, 5, 40), (3, 5, 1)), ((3, 5, 40), (3, 1, 1)), ((200,), ()), ((40,), (2, 1))]
EDGES = [0.0, 1.0, -1.0, 1e4, -1e4, 1e6, -1e6, 2.5, -0.5]


def _compare(new_fn, old_fn, x, params):
    """Values and all gradients of ``new_fn`` equal autograd's through ``old_fn``."""
    gen = torch.Generator().manual_seed(5)
    leaves_new = {k: v.clone().requires_grad_() for k, v in params.items()}
    leaves_old = {k: v.clone().requires_grad_() for k, v in params.items()}
    xn, xo = x.clone().requires_grad_(), x.clone().requires_grad_()
    out_new, out_old = new_fn(xn, **leaves_new), old_fn(xo, **leaves_old)
    torch.testing.assert_close(out_new, out_old, rtol=1e-10, atol=1e-10)
    g = torch.randn(out_old.shape, generator=gen, dtype=torch.float64)
    found_new = torch.autograd.grad(out_new, [xn, *leaves_new.values()], g)
    found_old = torch.autograd.grad(out_old, [xo, *leaves_old.values()], g)
    for name, a, b in zip(["x", *params], found_new, found_old, strict=True):
        assert a.shape == b.shape, name
        scale = max(1.0, float(b.abs().max()))
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-9 * scale, msg=name)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pade_matches_its_formula(mod, layout):
    x_shape, lead = layout
    gen = torch.Generator().manual_seed(1)
    x = _inputs(x_shape, gen, EDGES)
    p = torch.randn(*lead, 6, generator=gen, dtype=torch.float64)
    q = torch.randn(*lead, 4, generator=gen, dtype=torch.float64)
    q[..., 0] = 0.0  # |q| at its kink: autograd's gradient there is 0
    _compare(mod.pade, old_pade, x, {"p": p, "q": q})


@pytest.mark.parametrize("degree", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_bspline_matches_its_formula(mod, layout, degree):
    x_shape, lead = layout
    gen = torch.Generator().manual_seed(degree)
    knots = [mod._knot(j, degree) for j in range(degree, mod.SPLINE_POINTS + 1)]
    x = _inputs(x_shape, gen, EDGES[:5] + knots[:2] + knots[-1:])
    c = torch.randn(*lead, mod.SPLINE_POINTS, generator=gen, dtype=torch.float64)
    _compare(
        lambda x, c: mod.bspline(x, c, degree),
        lambda x, c: old_bspline(mod, x, c, degree),
        x,
        {"c": c},
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_apl_matches_its_formula(mod, layout):
    x_shape, lead = layout
    gen = torch.Generator().manual_seed(2)
    x = _inputs(x_shape, gen, EDGES)
    a = torch.randn(*lead, 2, generator=gen, dtype=torch.float64)
    b = torch.randn(*lead, 2, generator=gen, dtype=torch.float64)
    _compare(mod.apl, old_apl, x, {"a": a, "b": b})


@pytest.mark.parametrize("layout", LAYOUTS)
def test_prelu_units_matches_its_formula(mod, layout):
    x_shape, lead = layout
    gen = torch.Generator().manual_seed(3)
    x = _inputs(x_shape, gen, EDGES)
    a = torch.randn(lead, generator=gen, dtype=torch.float64)
    _compare(mod.prelu_units, old_prelu_units, x, {"a": a})


def test_gradcheck_against_finite_differences(mod):
    """Every gradient, input and parameters, against finite differences (float64;
    random points, so no kink is hit)."""
    gen = torch.Generator().manual_seed(4)

    def leaf(*shape, scale=1.0):
        value = torch.randn(*shape, generator=gen, dtype=torch.float64) * scale
        return value.requires_grad_()

    x = leaf(2, 3, 7, scale=3.0)
    assert torch.autograd.gradcheck(mod.pade, (x, leaf(2, 3, 1, 6), leaf(2, 1, 1, 4)))
    for degree in (1, 3, 5):
        spline = lambda x, c, d=degree: mod.bspline(x, c, d)  # noqa: E731
        assert torch.autograd.gradcheck(spline, (x, leaf(2, 3, 1, 12)))
    assert torch.autograd.gradcheck(mod.apl, (x, leaf(2, 3, 1, 2), leaf(2, 3, 1, 2)))
    assert torch.autograd.gradcheck(mod.prelu_units, (x, leaf(2, 3, 1)))


def test_non_finite_inputs(mod):
    """NaN stays NaN; the infinities give what the formulas gave (Padé: NaN, its scaled
    monomials are inf * 0; the spline and APL: infinite or NaN as before). The spline used
    to raise on NaN (an index out of range): it now returns NaN."""
    z = torch.tensor([math.nan, math.inf, -math.inf, 0.5], dtype=torch.float64)
    p = torch.tensor(mod.PADE_NUMERATOR, dtype=torch.float64)
    q = torch.tensor(mod.PADE_DENOMINATOR, dtype=torch.float64)
    torch.testing.assert_close(mod.pade(z, p, q), old_pade(z, p, q), equal_nan=True)
    c = torch.tensor(mod._spline_start(0, 1), dtype=torch.float64)
    for degree in (1, 3):
        got = mod.bspline(z, c, degree)
        assert math.isnan(got[0])
        torch.testing.assert_close(got[1:], old_bspline(mod, z[1:], c, degree), equal_nan=True)
    a, b = torch.tensor([0.3, -0.2], dtype=torch.float64), torch.tensor([0.5, -1.0])
    torch.testing.assert_close(mod.apl(z, a, b.double()), old_apl(z, a, b.double()), equal_nan=True)
    a1 = torch.tensor(0.25, dtype=torch.float64)
    torch.testing.assert_close(mod.prelu_units(z, a1), old_prelu_units(z, a1), equal_nan=True)


def test_float32_on_race_shapes_agrees_with_float64(mod):
    """The float32 path (what a race runs) stays within float32 rounding of float64."""
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(3, 8, 140, generator=gen, dtype=torch.float64) * 3
    c = torch.randn(3, 8, 1, 12, generator=gen, dtype=torch.float64)
    for fn, args in [
        (mod.pade, (torch.tensor(mod.PADE_NUMERATOR), torch.tensor(mod.PADE_DENOMINATOR))),
        (lambda x, c: mod.bspline(x, c, 3), (c,)),
    ]:
        exact = fn(x, *[a.double() for a in args])
        approx = fn(x.float(), *[a.float() for a in args]).double()
        assert float((approx - exact).abs().max()) < 1e-4 * max(1.0, float(exact.abs().max()))


def test_the_race_step_calls_the_plugins_function(builtin_catalogue):
    """In the tape-free step each learnable built-in is a ``native`` unit whose twin is
    its plugin's Function run directly (no second copy of the maths), and passes the
    unit's check against autograd through ``fn`` on the probe (NaN, infinities, far
    points included)."""
    from actviz.training.native_twins import LearnableTwin

    for name in ("pade", "bspline", "apl", "prelu_units"):
        unit = _unit(builtin_catalogue.activations[name])
        assert isinstance(unit.twin, LearnableTwin), name
        assert unit.twin.function is unit.act.fn.autograd_function
        unit.settle((2, 8, 192), torch.device("cpu"))
        assert unit.mode == "native", (name, unit.why)


def test_a_function_the_step_cannot_run_falls_back_to_autograd():
    """A plugin Function that uses a ``ctx`` feature the direct call does not offer
    fails the unit's check and is differentiated by autograd instead, with the reason."""

    class Odd(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, a):
            ctx.set_materialize_grads(False)  # not offered by the step's context
            return x * a

        @staticmethod
        def backward(ctx, g):
            return g, None

    def odd(x, a):
        return Odd.apply(x, a)

    odd.autograd_function = Odd
    act = Activation(name="odd", fn=odd, params=[Param("a", 0.5, learnable=True)])
    unit = _unit(act)
    assert unit.twin is not None
    unit.settle((2, 8, 192), torch.device("cpu"))
    assert unit.mode == "autograd" and "set_materialize_grads" in unit.why


def test_a_function_for_other_arguments_is_not_used():
    """``autograd_function`` is only taken when its arguments are the activation's
    params: a Function of something else leaves the unit to autograd."""

    class Other(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    def fn(x, a):
        return x * a

    fn.autograd_function = int  # not a Function at all
    act = Activation(name="plain", fn=fn, params=[Param("a", 0.5, learnable=True)])
    assert _unit(act).twin is None and _unit(act).mode == "autograd"
    fn.autograd_function = Other
    assert _unit(act).twin is not None  # the probe check decides; it fails here
    unit = _unit(act)
    unit.settle((2, 8, 192), torch.device("cpu"))
    assert unit.mode == "autograd"


def _unit(act, width: int = 8):
    """The unit of hidden layer 0 of a two-seed race of ``act``."""
    from actviz.param_shapes import passed_as_float, race_value
    from actviz.training.act_units import Unit
    from actviz.training.model import Segment

    fixed, learnable, constants = {}, {}, {}
    for p in act.params:
        if passed_as_float(p):
            fixed[p.name] = p.default
            continue
        value = race_value(p, [0, 1], width)
        if p.learnable:
            learnable[p.name] = [value.requires_grad_()]
        else:
            constants[p.name] = [value]
    seg = Segment(act, 0, 2, [0, 1], fixed, learnable, constants)
    return Unit(seg, 0)


def test_a_plugin_function_failing_in_a_race_stops_only_itself(builtin_catalogue):
    """The step calls a plugin's Function itself: an error there (here, from the third
    backward on) stops that activation, named, and the others finish."""
    from actviz.training import ActivationFailed, RaceConfig, race

    calls = {"n": 0}

    class Flaky(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, a):
            ctx.save_for_backward(x, a)
            return x * a

        @staticmethod
        def backward(ctx, g):
            calls["n"] += 1
            if calls["n"] > 6:
                raise RuntimeError("flaky backward")
            x, a = ctx.saved_tensors
            return g * a, (g * x).sum_to_size(a.shape)

    def flaky(x, a):
        return Flaky.apply(x, a)

    flaky.autograd_function = Flaky
    act = Activation(name="flaky", fn=flaky, params=[Param("a", 0.5, learnable=True)])
    acts = {"relu": builtin_catalogue.activations["relu"], "flaky": act}
    cfg = RaceConfig(task="moons", activations=["relu", "flaky"], seeds=1, steps=10, device="cpu")
    current = race(cfg, acts, builtin_catalogue.tasks["moons"])
    events = list(current)
    fails = [e for e in events if isinstance(e, ActivationFailed)]
    assert [f.activation for f in fails] == ["flaky"] and "flaky backward" in fails[0].error
    by_name = {r.activation: r for r in current.result.runs}
    assert by_name["relu"].status == "finished" and by_name["flaky"].status == "failed"
    assert current.step_path == "tape-free"


@pytest.mark.parametrize("degree", [0, 1, 2, 3, 4, 5])
def test_spline_at_its_knots_in_float32(mod, degree):
    """At the ends of the knots float32 rounding can put x a hair outside its cell: it
    must still read a cell in range and agree with the float64 formula."""
    knots = [mod._knot(j, degree) for j in range(degree, mod.SPLINE_POINTS + 1)]
    near = [k + e for k in knots for e in (-1e-6, 0.0, 1e-6)] + [-1e4, 1e4]
    x = torch.tensor(near, dtype=torch.float32).expand(3, 4, -1)
    c = torch.randn(3, 4, 1, mod.SPLINE_POINTS, generator=torch.Generator().manual_seed(9))
    got = mod.bspline(x, c, degree).double()
    if degree:
        expected = old_bspline(mod, x.double(), c.double(), degree)
        assert ((got - expected).abs() <= 1e-5 * expected.abs().clamp_min(1.0)).all()
    assert torch.isfinite(got).all()

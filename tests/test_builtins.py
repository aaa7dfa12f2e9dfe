"""The built-in activation catalogue: ids, derivatives, values, stability and metadata.

Every built-in is loaded through the plugin host, exactly as the app loads it.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from actviz.api import SMOOTHNESS
from actviz.host import load_catalogue

IDS = sorted(
    """linear sigmoid tanh relu leaky_relu prelu rrelu elu celu selu gelu gelu_tanh silu mish
    softplus relu6 hardtanh hardsigmoid hardswish logsigmoid softsign tanhshrink softshrink
    hardshrink threshold sine step gaussian softmax softmin log_softmax glu""".split()
)
VECTOR_IDS = ["softmax", "softmin", "log_softmax", "glu"]
LEARNABLE_IDS = ["pade", "bspline", "apl", "prelu_units"]  # see tests/test_learnable.py
ELEMENTWISE_IDS = [n for n in IDS if n not in VECTOR_IDS]

#: Points where f or f' is not differentiable, at the default parameters.
KINKS: dict[str, list[float]] = {
    "relu": [0.0],
    "leaky_relu": [0.0],
    "prelu": [0.0],
    "rrelu": [0.0],
    "elu": [0.0],
    "celu": [0.0],
    "selu": [0.0],
    "relu6": [0.0, 6.0],
    "hardtanh": [-1.0, 1.0],
    "hardsigmoid": [-3.0, 3.0],
    "hardswish": [-3.0, 3.0],
    "softshrink": [-0.5, 0.5],
    "hardshrink": [-0.5, 0.5],
    "threshold": [0.0],
    "step": [0.0],
    "softplus": [20.0],
}


@pytest.fixture(scope="module")
def cat():
    return load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)


def _autograd_grad(fn, x: torch.Tensor, **params) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(fn(x, **params).sum(), x)
    return g


def _jacobian_diagonal(act, x: torch.Tensor) -> torch.Tensor:
    """d f_i/d x_i per row (vector) or cat([d out/d a, d out/d b]) (gated), by autograd."""
    x = x.detach().clone().requires_grad_(True)
    out = act.fn(x)
    cols = []
    if act.kind == "gated":
        half = x.shape[-1] // 2
        a_cols, b_cols = [], []
        for j in range(half):
            (g,) = torch.autograd.grad(out[..., j].sum(), x, retain_graph=True)
            a_cols.append(g[..., j])
            b_cols.append(g[..., j + half])
        cols = a_cols + b_cols
    else:
        for i in range(x.shape[-1]):
            (g,) = torch.autograd.grad(out[..., i].sum(), x, retain_graph=True)
            cols.append(g[..., i])
    return torch.stack(cols, dim=-1)


def _smooth_grid(name: str) -> torch.Tensor:
    x = torch.linspace(-8, 8, 1601, dtype=torch.float64)
    for k in KINKS.get(name, []):
        x = x[(x - k).abs() > 1e-3]
    return x


# -- the catalogue ------------------------------------------------------------------------


def test_exactly_the_36_builtins_load_without_errors(cat):
    assert sorted(cat.activations) == sorted(IDS + LEARNABLE_IDS)
    builtin_errors = [e.summary() for e in cat.errors]
    assert builtin_errors == []
    for name in IDS:
        assert cat.entry(name).ok


@pytest.mark.parametrize("name", IDS)
def test_kind_is_declared(cat, name):
    expected = "gated" if name == "glu" else "vector" if name in VECTOR_IDS else "elementwise"
    assert cat.get(name).kind == expected


# -- derivatives --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ELEMENTWISE_IDS)
def test_analytic_derivative_matches_autograd(cat, name):
    act = cat.get(name)
    x = _smooth_grid(name)
    params = act.defaults()
    expected = _autograd_grad(act.fn, x, **params)
    got = act.derivative(x, **params)
    assert got.shape == x.shape and got.dtype == x.dtype
    torch.testing.assert_close(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(KINKS))
def test_derivative_at_kinks_follows_autograd(cat, name):
    """On a kink the declared slope is the one autograd uses, so nothing is flagged there."""
    act = cat.get(name)
    x = torch.tensor(KINKS[name], dtype=torch.float64)
    params = act.defaults()
    torch.testing.assert_close(act.derivative(x, **params), _autograd_grad(act.fn, x, **params))


@pytest.mark.parametrize("name", VECTOR_IDS)
def test_vector_derivative_is_the_jacobian_diagonal(cat, name):
    act = cat.get(name)
    gen = torch.Generator().manual_seed(0)
    x = 3 * torch.randn(16, 6, dtype=torch.float64, generator=gen)
    got = act.derivative(x)
    assert got.shape == x.shape
    torch.testing.assert_close(got, _jacobian_diagonal(act, x), rtol=1e-6, atol=1e-8)


def test_glu_rejects_an_odd_last_dimension(cat):
    with pytest.raises(ValueError, match="even"):
        cat.get("glu").fn(torch.zeros(2, 5))


# -- values against torch.nn.functional ---------------------------------------------------

TORCH_EQUIVALENTS = [
    ("sigmoid", {}, torch.sigmoid),
    ("tanh", {}, torch.tanh),
    ("relu", {}, F.relu),
    ("leaky_relu", {}, F.leaky_relu),
    ("leaky_relu", {"negative_slope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
    ("prelu", {}, lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype))),
    ("prelu", {"a": -0.5}, lambda x: F.prelu(x, torch.tensor([-0.5], dtype=x.dtype))),
    ("rrelu", {}, lambda x: F.rrelu(x, training=False)),
    ("rrelu", {"lower": 0.1, "upper": 0.5}, lambda x: F.rrelu(x, 0.1, 0.5, training=False)),
    ("elu", {}, F.elu),
    ("elu", {"alpha": 0.5}, lambda x: F.elu(x, 0.5)),
    ("celu", {}, F.celu),
    ("celu", {"alpha": 2.0}, lambda x: F.celu(x, 2.0)),
    ("selu", {}, F.selu),
    ("gelu", {}, F.gelu),
    ("gelu_tanh", {}, lambda x: F.gelu(x, approximate="tanh")),
    ("silu", {}, F.silu),
    ("mish", {}, F.mish),
    ("softplus", {}, F.softplus),
    ("softplus", {"beta": 2.0, "threshold": 10.0}, lambda x: F.softplus(x, 2.0, 10.0)),
    ("relu6", {}, F.relu6),
    ("hardtanh", {}, F.hardtanh),
    ("hardtanh", {"min_val": -2.0, "max_val": 3.0}, lambda x: F.hardtanh(x, -2.0, 3.0)),
    ("hardsigmoid", {}, F.hardsigmoid),
    ("hardswish", {}, F.hardswish),
    ("logsigmoid", {}, F.logsigmoid),
    ("softsign", {}, F.softsign),
    ("tanhshrink", {}, F.tanhshrink),
    ("softshrink", {}, F.softshrink),
    ("softshrink", {"lambd": 1.5}, lambda x: F.softshrink(x, 1.5)),
    ("hardshrink", {}, F.hardshrink),
    ("hardshrink", {"lambd": 1.5}, lambda x: F.hardshrink(x, 1.5)),
    ("threshold", {}, lambda x: F.threshold(x, 0.0, 0.0)),
    ("threshold", {"threshold": 0.5, "value": -1.0}, lambda x: F.threshold(x, 0.5, -1.0)),
    ("step", {}, lambda x: torch.heaviside(x, torch.zeros_like(x))),
    ("softmax", {}, lambda x: F.softmax(x, dim=-1)),
    ("softmin", {}, lambda x: F.softmin(x, dim=-1)),
    ("log_softmax", {}, lambda x: F.log_softmax(x, dim=-1)),
    ("glu", {}, lambda x: F.glu(x, dim=-1)),
]


@pytest.mark.parametrize(
    ("name", "params", "reference"),
    TORCH_EQUIVALENTS,
    ids=[
        f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}"
        for n, p, _ in TORCH_EQUIVALENTS
    ],
)
def test_values_match_torch(cat, name, params, reference):
    act = cat.get(name)
    for dtype in (torch.float64, torch.float32):
        x = torch.linspace(-25, 25, 2001, dtype=dtype)
        if act.is_vector:
            x = x.reshape(-1, 3) if name != "glu" else x[:2000].reshape(-1, 4)
        got = act.fn(x, **params)
        assert got.dtype == dtype
        torch.testing.assert_close(got, reference(x))


def test_every_torch_function_is_compared():
    """The comparison list covers every built-in that torch also implements."""
    no_torch_twin = {"linear", "sine", "gaussian"}
    assert {n for n, _, _ in TORCH_EQUIVALENTS} == set(IDS) - no_torch_twin


# -- numerical stability ------------------------------------------------------------------

LARGE = [-1e4, -1e3, -100.0, -30.0, -3.0, -0.25, 0.0, 0.25, 3.0, 30.0, 100.0, 1e3, 1e4]


def _large_inputs(act, dtype: torch.dtype) -> torch.Tensor:
    x = torch.tensor(LARGE, dtype=dtype)
    if act.is_vector:
        # Rows mixing huge and moderate scores, in both orders.
        x = torch.stack([x, x.flip(0), torch.zeros_like(x), x.roll(3)], dim=-1)
    return x


@pytest.mark.parametrize("name", IDS)
def test_float32_is_finite_and_accurate_at_large_inputs(cat, name):
    act = cat.get(name)
    params = act.defaults()
    x32 = _large_inputs(act, torch.float32).requires_grad_(True)
    y32 = act.fn(x32, **params)
    (g32,) = torch.autograd.grad(y32.sum(), x32)
    d32 = act.derivative(x32.detach(), **params)
    for t in (y32, g32, d32):
        assert torch.isfinite(t).all(), f"{name}: non-finite {t}"
    x64 = _large_inputs(act, torch.float64)
    y64 = act.fn(x64, **params)
    torch.testing.assert_close(y32.double(), y64, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(d32.double(), act.derivative(x64, **params), rtol=1e-4, atol=1e-5)
    if not act.is_vector:  # the summed gradient of a vector function is not its diagonal
        torch.testing.assert_close(
            g32.double(), act.derivative(x64, **params), rtol=1e-4, atol=1e-5
        )


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16])
@pytest.mark.parametrize("name", IDS)
def test_shape_and_dtype_are_kept(cat, name, dtype):
    act = cat.get(name)
    x = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(1)).to(dtype)
    y, d = act.fn(x, **act.defaults()), act.derivative(x, **act.defaults())
    expected = (2, 3, 2) if act.kind == "gated" else (2, 3, 4)
    assert tuple(y.shape) == expected and y.dtype == dtype
    assert tuple(d.shape) == (2, 3, 4) and d.dtype == dtype


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", IDS)
def test_runs_on_cuda(cat, name):
    act = cat.get(name)
    x = torch.randn(64, 8, dtype=torch.float64)
    params = act.defaults()
    y = act.fn(x.cuda(), **params)
    d = act.derivative(x.cuda(), **params)
    assert y.is_cuda and d.is_cuda
    torch.testing.assert_close(y.cpu(), act.fn(x, **params))
    torch.testing.assert_close(d.cpu(), act.derivative(x, **params))


# -- parameters as tensors ----------------------------------------------------------------


WITH_PARAMS = """linear leaky_relu prelu rrelu threshold elu celu silu softplus hardtanh
    softshrink hardshrink sine gaussian""".split()


def test_parameter_list_is_complete(cat):
    assert sorted(n for n in IDS if cat.get(n).params) == sorted(WITH_PARAMS)


@pytest.mark.parametrize("name", WITH_PARAMS)
def test_params_may_be_broadcastable_tensors(cat, name):
    """Per-model parameter tensors of shape [models, 1, 1] give each model its own curve."""
    act = cat.get(name)
    x = torch.linspace(-4, 4, 30, dtype=torch.float64).reshape(1, 10, 3).expand(2, 10, 3)
    first = act.defaults()
    second = {p.name: p.clamp(p.default * 0.5 + 0.3) for p in act.params}
    as_tensor = {
        k: torch.tensor([first[k], second[k]], dtype=torch.float64).reshape(2, 1, 1) for k in first
    }
    for f in (act.fn, act.derivative):
        batched = f(x, **as_tensor)
        torch.testing.assert_close(batched[0], f(x[0], **first))
        torch.testing.assert_close(batched[1], f(x[1], **second))


def test_learnable_prelu_slope_gets_a_gradient(cat):
    act = cat.get("prelu")
    assert act.param("a").learnable
    x = torch.randn(3, 10, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    a = torch.full((3, 1, 1), 0.25, dtype=torch.float64, requires_grad=True)
    act.fn(x, a=a).sum().backward()
    assert a.grad is not None
    # d/da sum(a * min(x, 0)) = sum of the negative inputs of each model.
    torch.testing.assert_close(a.grad.flatten(), x.clamp(max=0).sum(dim=(1, 2)))


# -- output range -------------------------------------------------------------------------


def _wide_grid() -> torch.Tensor:
    tail = torch.logspace(math.log10(50), 4, 400, dtype=torch.float64)
    core = torch.linspace(-50, 50, 200001, dtype=torch.float64)
    return torch.cat([-tail.flip(0), core, tail])


def _range_samples(act) -> torch.Tensor:
    grid = _wide_grid()
    if not act.is_vector:
        return act.fn(grid, **act.defaults())
    rows = [torch.stack([grid, torch.full_like(grid, c)], dim=-1) for c in (-5.0, 0.0, 5.0)]
    return act.fn(torch.cat(rows))


@pytest.mark.parametrize("name", IDS)
def test_declared_output_range_holds_and_is_tight(cat, name):
    act = cat.get(name)
    lo, hi = act.declared("output_range")
    y = _range_samples(act)
    y_min, y_max = y.min().item(), y.max().item()
    assert lo - 1e-12 <= y_min and y_max <= hi + 1e-12, (y_min, y_max)
    for bound, seen in ((lo, y_min), (hi, y_max)):
        if math.isinf(bound):
            assert abs(seen) > 40, f"{name}: declared unbounded, but only reaches {seen}"
        else:
            slack = 0.02 * abs(bound) if bound else 1e-3
            assert abs(seen - bound) <= slack, f"{name}: bound {bound}, reached {seen}"


# -- metadata -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_metadata_is_complete(cat, name):
    act = cat.get(name)
    assert act.formula.strip() and act.family.strip() and act.family != "other"
    assert act.description.count(". ") >= 1, "a description of at least two sentences"
    assert act.references and all(r.strip() for r in act.references)
    assert isinstance(act.year, int) and 1940 <= act.year <= 2030
    assert act.declared("smoothness") in SMOOTHNESS
    assert isinstance(act.declared("monotonic"), bool)
    assert isinstance(act.declared("zero_centered"), bool)
    assert act.use_cases and act.limitations
    assert act.derivative is not None
    for p in act.params:
        assert p.min is not None and p.max is not None and p.min <= p.default <= p.max


def test_formulas_render_in_matplotlib_mathtext(cat):
    mathtext = pytest.importorskip("matplotlib.mathtext")
    parser = mathtext.MathTextParser("path")
    for name in IDS:
        parser.parse(f"${cat.get(name).formula}$")  # raises ValueError on bad LaTeX


@pytest.mark.parametrize("name", ELEMENTWISE_IDS)
def test_declared_shape_properties_match_the_curve(cat, name):
    """monotonic and zero_centered as declared agree with the curve at the defaults.

    Zero-centred means what the Properties panel measures: E[f(z)] for z ~ N(0, 1) is
    small next to the spread of f(z); taking both signs is not enough (GELU, ELU).
    """
    from actviz.analysis.properties import measure

    act = cat.get(name)
    x = torch.linspace(-10, 10, 20001, dtype=torch.float64)
    y = act.fn(x, **act.defaults())
    dy = y.diff()
    assert act.monotonic == bool((dy >= 0).all() or (dy <= 0).all())
    assert act.zero_centered == measure(act).zero_centred


def test_builtin_declarations_agree_with_measurements(cat):
    """No built-in is flagged in the inspector: every declared property is measured true."""
    from actviz.analysis.properties import disagreements, measure

    flagged = {n: disagreements(a, measure(a)) for n, a in cat.activations.items()}
    assert {n: d for n, d in flagged.items() if d} == {}


def test_special_initialisations_are_named(cat):
    assert cat.get("sine").init == "siren"
    assert "sqrt(6/n)/w0" in cat.get("sine").extra["init"]
    assert cat.get("selu").init == "lecun"
    assert not cat.get("selu").params  # SELU's constants are fixed


# -- step: the naive neuron ---------------------------------------------------------------


def test_step_hidden_layers_receive_exact_zero_gradients(cat):
    step = cat.get("step")
    torch.manual_seed(0)
    hidden, out = torch.nn.Linear(2, 8), torch.nn.Linear(8, 1)
    x, target = torch.randn(32, 2), torch.randn(32, 1)
    loss = F.mse_loss(out(step.fn(hidden(x))), target)
    loss.backward()
    assert hidden.weight.grad is not None and hidden.bias.grad is not None
    assert torch.count_nonzero(hidden.weight.grad) == 0
    assert torch.count_nonzero(hidden.bias.grad) == 0
    assert out.weight.grad.abs().sum() > 0
    assert torch.count_nonzero(step.derivative(torch.linspace(-3, 3, 7))) == 0


# -- rrelu: random in training, deterministic in evaluation -------------------------------


def test_rrelu_train_slopes_are_random_within_bounds_and_eval_is_fixed(cat):
    act = cat.get("rrelu")
    lower, upper = act.defaults()["lower"], act.defaults()["upper"]
    x = -torch.rand(20000, dtype=torch.float64) - 0.1
    slopes = act.train_fn(x, lower=lower, upper=upper) / x
    assert lower <= slopes.min() and slopes.max() <= upper
    assert slopes.std() > 0.05  # U(1/8, 1/3) has std 0.06
    assert abs(slopes.mean().item() - (lower + upper) / 2) < 0.005
    assert not torch.equal(act.train_fn(x), act.train_fn(x))
    positive = torch.rand(100, dtype=torch.float64)
    assert torch.equal(act.train_fn(positive), positive)
    assert torch.equal(act.fn(x), act.fn(x))
    torch.testing.assert_close(act.fn(x) / x, torch.full_like(x, (lower + upper) / 2))

"""Typed formula -> compiled activation -> saved plugin file -> imported: the same function.

The in-memory build and the imported file must agree with each other and with
autograd, on any dtype/device, with parameters as floats or tensors; the saved
file must pass the plugin host's validation and appear in the catalogue.
"""

from __future__ import annotations

import ast
import importlib.util
import math
from pathlib import Path

import pytest
import torch

from actviz import Activation, Param
from actviz.formula import (
    FUNCTIONS,
    PluginWriteError,
    build_activation,
    compile_formula,
    write_formula_plugin,
)
from actviz.host import PluginHost, load_catalogue
from actviz.paths import user_plugin_dir

FORMULAS: list[tuple[str, str, list[Param]]] = [
    ("swishb", "x * sigmoid(beta * x)", [Param("beta", 1.0, 0.1, 5.0, learnable=True)]),
    ("mish2", "x * tanh(softplus(x))", []),
    ("snake", "x + sin(a * x) ** 2 / a", [Param("a", 1.0, 0.1, 5.0)]),
    ("isru2", "x / sqrt(1 + a * x**2)", [Param("a", 1.0, 0.01, 10.0, learnable=True)]),
    ("gelu2", "x / 2 * (1 + erf(x / sqrt(2)))", []),
    ("elu2", "where(x > 0, x, alpha * (exp(x) - 1))", [Param("alpha", 1.0, 0.1, 3.0)]),
    ("leaky2", "max(x, slope * x)", [Param("slope", 0.01, 0.0, 0.5)]),
    ("hardtanh2", "min(max(x, -1), 1)", []),
    ("softplus0", "softplus(x) - log(2)", []),
    ("logsq", "log1p(x**2) - log(1 + x**2) / 2", []),
    ("softsign2", "abs(x) / (1 + abs(x)) * where(x >= 0, 1, -1)", []),
    ("relusq", "relu(x) ** 2", []),
    ("wavelet", "cos(x) * exp(-x**2 / 2)", []),
    ("tangent", "tan(x / 8)", []),
    ("smoothstep", "where(0 < x < 1, x**2, where(x >= 1, 2 * x - 1, 0))", []),
    ("hyper", "sqrt(x**2 + 1) - 1", []),
    ("bump", "x * e ** (-((x / w) ** 2)) + pi * 0", [Param("w", 2.0, 0.5, 5.0)]),
    ("arctan2", "atan(x) + sinh(x / 1000)", []),
    ("tanhcosh", "tanh(x) * cosh(x / 1000)", []),
]
IDS = [name for name, _, _ in FORMULAS]
# Offset so no grid point sits exactly on a kink (0, +-1).
GRID = torch.linspace(-6, 6, 481, dtype=torch.float64) + 1e-3 * math.sqrt(2)


def import_plugin(path: Path) -> Activation:
    spec = importlib.util.spec_from_file_location(f"roundtrip_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (act,) = module.actviz_activations()
    return act


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, tuple[Activation, Activation, Path]]:
    """Each formula built in memory and written to, then imported from, a plugin file."""
    folder = tmp_path_factory.mktemp("formula_plugins")
    out = {}
    for name, text, params in FORMULAS:
        memory = build_activation(name, text, params)
        path = write_formula_plugin(folder, name, text, params)
        out[name] = (memory, import_plugin(path), path)
    return out


def test_every_whitelisted_function_is_round_tripped():
    used = " ".join(text for _, text, _ in FORMULAS)
    missing = [f for f in FUNCTIONS if f"{f}(" not in used]
    assert not missing


def param_values(params: list[Param]) -> list[dict[str, float]]:
    """Defaults, then every parameter at its min and at its max."""
    out = [{p.name: p.default for p in params}]
    for bound in ("min", "max"):
        values = {p.name: getattr(p, bound) for p in params if getattr(p, bound) is not None}
        if values:
            out.append({**out[0], **values})
    return out


@pytest.mark.parametrize("name", IDS)
def test_file_computes_what_memory_computes(saved, name):
    memory, loaded, _ = saved[name]
    assert loaded.name == memory.name and loaded.family == "formula"
    assert [p.name for p in loaded.params] == [p.name for p in memory.params]
    assert loaded.formula == memory.formula
    for values in param_values(list(memory.params)):
        for fn in ("fn", "derivative"):
            torch.testing.assert_close(
                getattr(loaded, fn)(GRID, **values),
                getattr(memory, fn)(GRID, **values),
                rtol=1e-12,
                atol=1e-12,
                equal_nan=True,
            )


@pytest.mark.parametrize("name", IDS)
def test_derivatives_agree_with_autograd(saved, name):
    for act in saved[name][:2]:
        for values in param_values(list(act.params)):
            x = GRID.clone().requires_grad_(True)
            y = act.fn(x, **values)
            (auto,) = torch.autograd.grad(y.sum(), x)
            d = act.derivative(GRID, **values)
            torch.testing.assert_close(d, auto, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_dtype_and_shape_are_kept(saved, dtype):
    x = torch.linspace(-3, 3, 24, dtype=dtype).reshape(2, 3, 4)
    for memory, loaded, _ in saved.values():
        for act in (memory, loaded):
            for fn in (act.fn, act.derivative):
                y = fn(x, **act.defaults())
                assert y.dtype == dtype and y.shape == x.shape, act.name


def test_params_as_tensors_carry_gradients(saved):
    """A learnable parameter arrives as a tensor; d f / d param matches between the two."""
    x = torch.linspace(-3, 3, 61, dtype=torch.float64)
    for name in ("swishb", "isru2", "snake", "elu2", "leaky2", "bump"):
        memory, loaded, _ = saved[name]
        grads = []
        for act in (memory, loaded):
            p = act.params[0]
            value = torch.tensor(p.default * 1.3, dtype=torch.float64, requires_grad=True)
            act.fn(x, **{p.name: value}).sum().backward()
            grads.append(value.grad)
        assert grads[0] is not None and torch.isfinite(grads[0])
        torch.testing.assert_close(grads[0], grads[1])
        # and against a finite difference in the parameter
        p = memory.params[0]
        h = 1e-6
        base = p.default * 1.3
        fd = (
            memory.fn(x, **{p.name: base + h}).sum() - memory.fn(x, **{p.name: base - h}).sum()
        ) / (2 * h)
        assert float(grads[0]) == pytest.approx(float(fd), rel=1e-5, abs=1e-6)


def test_unknown_keyword_is_refused(saved):
    memory, loaded, _ = saved["swishb"]
    for act in (memory, loaded):
        with pytest.raises(TypeError):
            act.fn(GRID, gamma=2.0)


def test_host_validates_every_saved_plugin(saved):
    folder = next(iter(saved.values()))[2].parent
    host = PluginHost(
        [folder], use_user_dir=False, use_entry_points=False, use_env=False, include_builtins=False
    )
    catalogue = host.load()
    assert not catalogue.errors, [e.summary() for e in catalogue.errors]
    assert sorted(catalogue.activations) == sorted(IDS)
    for entry in catalogue.entries:
        assert {c.name for c in entry.report.checks} >= {"fn", "finite", "derivative"}


def test_saved_plugin_appears_in_the_catalogue_at_once():
    path = write_formula_plugin(user_plugin_dir(), "fresh", "x * sigmoid(2 * x)")
    assert path.parent == user_plugin_dir()
    catalogue = load_catalogue(use_entry_points=False, use_env=False)
    entry = catalogue.entry("fresh")
    assert entry.ok and entry.source == "folder" and entry.location == str(path)
    assert "fresh" in catalogue.activations


def test_file_uses_only_the_public_api(saved):
    allowed = {"__future__", "math", "torch", "actviz"}
    for _, _, path in saved.values():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert {a.name for a in node.names} <= allowed, path
            if isinstance(node, ast.ImportFrom):
                assert node.module in allowed, path
                if node.module == "actviz":
                    assert {a.name for a in node.names} <= {"Activation", "Param", "hookimpl"}
            assert not (isinstance(node, ast.Name) and node.id in {"eval", "exec", "compile"})


def test_file_records_the_formula_and_its_derivative(saved):
    memory, loaded, path = saved["swishb"]
    source = path.read_text()
    assert "f(x)  = x * sigmoid(beta * x)" in source
    assert loaded.extra["formula_text"] == "x * sigmoid(beta * x)"
    assert loaded.extra["derivative_latex"] == memory.extra["derivative_latex"]
    assert "torch.sigmoid(" in source and "learnable=True" in source


def test_writing_is_deterministic_and_refuses_to_overwrite(tmp_path):
    path = write_formula_plugin(tmp_path, "det", "x * tanh(x)")
    first = path.read_text()
    with pytest.raises(FileExistsError):
        write_formula_plugin(tmp_path, "det", "x * sigmoid(x)")
    assert path.read_text() == first
    write_formula_plugin(tmp_path / "det.py", "det", "x * tanh(x)", overwrite=True)
    assert path.read_text() == first
    write_formula_plugin(tmp_path, "det", "x * sigmoid(x)", overwrite=True)
    assert "torch.sigmoid" in path.read_text()
    assert not list(tmp_path.glob(".*.tmp"))


def test_unwritable_destination_is_explained(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    with pytest.raises(PluginWriteError, match="cannot write"):
        write_formula_plugin(blocker / "sub", "nowhere", "x")


@pytest.mark.parametrize("name", IDS)
def test_latex_renders_with_mathtext(saved, name):
    mathtext = pytest.importorskip("matplotlib.mathtext")
    parser = mathtext.MathTextParser("path")
    memory = saved[name][0]
    for latex in (memory.formula, memory.extra["derivative_latex"]):
        assert "operatorname" not in latex and "begin" not in latex
        parser.parse(f"${latex}$")


def test_derivative_is_symbolic_and_tidy():
    f = compile_formula("x / sqrt(1 + a * x**2)", [Param("a", 1.0)])
    assert f.derivative_text == "(a*x**2 + 1)**(-3/2)"
    assert f.derivative_latex == r"\frac{1}{\left(a x^{2} + 1\right)^{\frac{3}{2}}}"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_runs_on_cuda(saved):
    x = torch.linspace(-4, 4, 1001, device="cuda")
    for memory, loaded, _ in saved.values():
        for act in (memory, loaded):
            params = {
                p.name: torch.tensor(p.default, device="cuda", requires_grad=p.learnable)
                for p in act.params
            }
            for fn in (act.fn, act.derivative):
                y = fn(x, **params)
                assert y.device.type == "cuda" and y.shape == x.shape
            torch.testing.assert_close(
                act.derivative(x, **params).cpu(),
                act.derivative(x.cpu(), **act.defaults()),
                rtol=1e-4,
                atol=1e-5,
            )

"""Validation calls fn as a race, the Curves view and autograd do, so what passes it cannot
fail in a race. Sound activations are torch.nn's own modules, written by others."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actviz import Activation, Param
from actviz.host import load_catalogue
from actviz.host.race_shapes import race_inputs
from actviz.host.validation import parameter_settings, validate_activation
from actviz.training import RaceConfig, run_race


def module_fn(cls, **fixed):
    """fn from a torch.nn module class, built with the given keyword arguments (eval mode)."""

    def fn(x, **params):
        return cls(**fixed, **params).eval()(x)

    return fn


def boolean_mask(x, a):
    out = x.clone()
    neg = x < 0
    out[neg] = x[neg] / torch.sqrt(1 + a * x[neg] ** 2)
    return out


def python_if(x, a):
    return x * a if a > 0 else x


def functional_prelu(x, a):
    """torch's F.prelu: its weight is one value or one per channel (dim 1), not per model."""
    return F.prelu(x, torch.as_tensor(a, dtype=x.dtype).reshape(-1))


def silu_derivative(x):
    s = torch.sigmoid(x)
    return s * (1 + x * (1 - s))


LEARNABLE_A = [Param("a", 1.0, 0.1, 3.0, learnable=True)]


@pytest.mark.parametrize(
    "act",
    [
        Activation(name="nn_elu", fn=module_fn(nn.ELU), params=[Param("alpha", 1.0, 0.1, 3.0)]),
        Activation(name="nn_celu", fn=module_fn(nn.CELU), params=[Param("alpha", 1.0, 0.1, 3.0)]),
        Activation(
            name="nn_hardtanh",
            fn=module_fn(nn.Hardtanh),
            params=[Param("min_val", -1.0, -5.0, 0.0), Param("max_val", 1.0, 0.0, 5.0)],
        ),
        Activation(
            name="nn_softplus",
            fn=module_fn(nn.Softplus),
            params=[Param("beta", 1.0, 0.5, 5.0), Param("threshold", 20.0, 5.0, 30.0)],
        ),
        Activation(
            name="nn_rrelu",
            fn=module_fn(nn.RReLU),
            train_fn=lambda x: nn.RReLU().train()(x),
        ),
        Activation(
            name="prelu_where", fn=lambda x, a: torch.where(x >= 0, x, a * x), params=LEARNABLE_A
        ),
        Activation(name="nn_silu", fn=F.silu, derivative=silu_derivative),
        Activation(name="nn_softmax", fn=lambda x: torch.softmax(x, -1), kind="vector"),
        Activation(name="nn_glu", fn=lambda x: F.glu(x, -1), kind="gated"),
    ],
    ids=lambda a: a.name,
)
def test_torch_nn_activations_pass(act):
    report = validate_activation(act)
    assert report.ok, report.error
    assert {"race", "dtype", "deterministic"} <= {c.name for c in report.checks}


@pytest.mark.parametrize(
    ("fn", "needle"),
    [
        (boolean_mask, "fails when a is a tensor of shape [3, 1, 1] as in a race"),
        (python_if, "fails when a is a tensor of shape [3, 1, 1] as in a race"),
        (functional_prelu, "fails when a is a tensor of shape [3, 1, 1] as in a race"),
    ],
    ids=["boolean-mask", "python-if", "F.prelu"],
)
def test_race_shaped_parameter_breaks_are_named(fn, needle):
    report = validate_activation(Activation(name="broken", fn=fn, params=LEARNABLE_A))
    assert not report.ok
    assert report.error.startswith("race: ") and needle in report.error


@pytest.mark.parametrize("fn", [boolean_mask, python_if, functional_prelu])
def test_what_fails_validation_also_fails_in_a_race(fn):
    """The engine itself, given the plugin validation refuses, fails on it too."""
    act = Activation(name="broken", fn=fn, params=LEARNABLE_A)
    cfg = RaceConfig(task="moons", activations=["broken"], seeds=3, steps=3, device="cpu")
    result = run_race(cfg, {"broken": act}, load_catalogue(use_user_dir=False).tasks["moons"])
    assert [run.status for run in result.runs] == ["failed"] * 3


def test_a_shape_only_valid_for_one_dimension_is_named():
    act = Activation(name="flat", fn=lambda x: torch.stack([t.relu() for t in x.unbind(-1)]))
    report = validate_activation(act)
    assert not report.ok
    assert "as in a race" in report.error and "[3, 4, 168]" in report.error


def test_race_inputs_mirror_the_engine():
    elementwise = Activation(name="e", fn=torch.relu, params=LEARNABLE_A)
    x, params = race_inputs(elementwise, {"a": 0.5}, torch.linspace(-1, 1, 100))
    assert x.shape == (3, 4, 9) and x.dtype == torch.float32
    assert params["a"].shape == (3, 1, 1) and params["a"].requires_grad
    glu = Activation(name="g", fn=lambda x: F.glu(x, -1), kind="gated")
    x, _ = race_inputs(glu, {}, torch.linspace(-1, 1, 100), dtype=torch.float64)
    assert x.shape == (3, 9, 4) and x.dtype == torch.float64


def test_where_exp_trap_fails_naming_x():
    act = Activation(name="trap", fn=lambda x: torch.where(x > 0, x, torch.exp(x) - 1))
    report = validate_activation(act)
    assert report.error.startswith("autograd: f' by autograd is NaN/inf at x=100 (float32)")
    safe = Activation(name="safe", fn=lambda x: torch.where(x > 0, x, torch.expm1(x.clamp(max=0))))
    assert validate_activation(safe).ok


def test_declared_derivative_is_checked_away_from_the_defaults():
    act = Activation(
        name="scaled_tanh",
        fn=lambda x, a: a * torch.tanh(x),
        derivative=lambda x, a: 1 - torch.tanh(x) ** 2,
        params=[Param("a", 1.0, 0.1, 5.0)],
    )
    report = validate_activation(act)
    assert report.error.startswith("derivative: declared derivative disagrees with autograd")
    assert "when a=0.1 (its min)" in report.error
    assert [c.name for c in report.checks].count("derivative") == 1


def test_parameter_settings_cover_each_range():
    act = Activation(name="p", fn=torch.relu, params=[Param("a", 0.0, 0.0, 2.0), Param("b", 1.0)])
    wheres = [w for w, _ in parameter_settings(act)]
    assert wheres == ["", " when a=2 (its max)", " when a=1 (its middle)"]


@pytest.mark.parametrize(
    ("fn", "dtype"),
    [(lambda x: x.double().tanh(), "float64"), (lambda x: x.float().tanh(), "float32")],
    ids=["to-float64", "to-float32"],
)
def test_dtype_is_preserved(fn, dtype):
    report = validate_activation(Activation(name="d", fn=fn))
    assert report.error.startswith(f"dtype: returns {dtype} for")


def test_output_shape_must_equal_input_shape():
    report = validate_activation(Activation(name="s", fn=lambda x: x.reshape(-1)))
    assert not report.ok and report.error.startswith("shape: ")


def test_random_activation_fails_unless_declared_stochastic():
    noisy = module_fn(nn.Dropout, p=0.2)

    def train_mode_rrelu(x):
        return nn.RReLU().train()(x)

    report = validate_activation(Activation(name="rrelu_train", fn=train_mode_rrelu))
    assert report.error.startswith("deterministic: two calls on the same input differ")
    declared = Activation(name="rrelu_train", fn=train_mode_rrelu, stochastic=True)
    assert validate_activation(declared).ok
    assert validate_activation(Activation(name="dropout_eval", fn=noisy)).ok  # eval: identity
    assert declared.metadata()["stochastic"] is True


def test_a_vector_derivative_that_only_works_in_2d_is_named():
    def softmax_diag(x):
        s = torch.softmax(x, -1)
        return torch.einsum("ij,ij->ij", s, 1 - s)  # two axes only

    act = Activation(
        name="sm", fn=lambda x: torch.softmax(x, -1), derivative=softmax_diag, kind="vector"
    )
    report = validate_activation(act)
    assert report.error.startswith("derivative: raised RuntimeError")
    assert "for x of shape [3, 168, 4] as in a race" in report.error


def test_every_builtin_passes_every_check_as_a_race_calls_it():
    catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    for name in catalogue.activations:
        entry = catalogue.entry(name)
        checks = {c.name: c for c in entry.report.checks}
        assert entry.report.ok and {"fn", "race", "dtype", "finite"} <= set(checks), name
        assert "deterministic" in checks, name
    assert catalogue.get("rrelu").train_fn is not None  # its random form ran in race shapes


def test_list_json_carries_stochastic_and_parameter_dependent_metadata():
    import json
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run(
        [str(Path(sys.executable).with_name("actviz")), "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    by_name = {a["name"]: a for a in json.loads(out)["activations"]}
    assert by_name["elu"]["stochastic"] is False
    assert by_name["elu"]["output_range"] == [-1.0, None]
    assert by_name["elu"]["depends_on_params"] == ["output_range", "smoothness"]
    assert by_name["relu"]["depends_on_params"] == []

"""Properties come from fn by autograd; declared metadata is checked where it was declared."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from actviz import Activation, Param
from actviz.analysis.properties import STOCHASTIC, measure
from actviz.host import load_catalogue


@pytest.fixture(scope="module")
def cat():
    return load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)


def scaled_tanh(**declared):
    return Activation(
        name="scaled_tanh",
        fn=lambda x, a: a * torch.tanh(x),
        derivative=lambda x, a: 1 - torch.tanh(x) ** 2,
        params=[Param("a", 1.0, 0.1, 5.0)],
        **declared,
    )


def test_slope_is_measured_from_fn_not_the_declared_derivative():
    props = measure(scaled_tanh(), {"a": 3.0})
    assert props.d0 == pytest.approx(3.0, rel=1e-9)
    assert props.max_abs_d1 == pytest.approx(3.0, rel=1e-6)
    assert props.grad_gain > 1.0  # 9 * E[sech^4 z], not E[sech^4 z]
    (flag,) = [f for f in props.flags if f.startswith("derivative:")]
    assert "measured 3 by autograd" in flag


def test_a_right_declared_derivative_raises_no_flag():
    act = Activation(
        name="scaled_tanh",
        fn=lambda x, a: a * torch.tanh(x),
        derivative=lambda x, a: a * (1 - torch.tanh(x) ** 2),
        params=[Param("a", 1.0, 0.1, 5.0)],
    )
    assert measure(act, {"a": 3.0}).flags == []


@pytest.mark.parametrize("alpha", [0.05, 1.0, 3.43, 5.0])
def test_elu_and_celu_raise_no_flag_as_alpha_moves(cat, alpha):
    for name in ("elu", "celu"):
        assert measure(cat.get(name), {"alpha": alpha}).flags == [], name


def test_elu_smoothness_follows_alpha(cat):
    elu = cat.get("elu")
    assert measure(elu, {"alpha": 1.0}).continuity == "C1"
    assert measure(elu, {"alpha": 3.43}).continuity == "C0"
    assert elu.declared("output_range", {"alpha": 3.43}) == (-3.43, math.inf)
    assert elu.metadata()["output_range"] == [-1.0, None]
    assert elu.metadata()["depends_on_params"] == ["output_range", "smoothness"]


def test_a_wrong_range_at_the_defaults_is_still_flagged():
    act = scaled_tanh(output_range=(-1.0, 1.0))
    assert measure(act).flags == []
    wrong = scaled_tanh(output_range=(-2.0, 1.0))
    assert any(
        f.startswith("range: declared lower bound -2 is never reached")
        for f in measure(wrong).flags
    )


def test_a_plain_declaration_is_not_checked_away_from_the_defaults():
    act = scaled_tanh(output_range=(-1.0, 1.0))
    assert not any(f.startswith("range:") for f in measure(act, {"a": 3.0}).flags)


def test_a_declaration_as_a_function_is_checked_at_every_setting():
    right = scaled_tanh(output_range=lambda a: (-a, a))
    assert not any(f.startswith("range:") for f in measure(right, {"a": 3.0}).flags)
    wrong = scaled_tanh(output_range=lambda a: (-1.0, 1.0))
    flags = measure(wrong, {"a": 3.0}).flags
    assert any("output exceeds the declared upper bound 1 (max 3)" in f for f in flags)


def test_stochastic_activation_is_not_reported_as_discontinuous():
    def noisy(x):
        return nn.RReLU().train()(x)

    props = measure(Activation(name="rrelu_noise", fn=noisy, smoothness="C0", stochastic=True))
    assert props.continuity == STOCHASTIC and props.jumps == {}
    assert not any(f.startswith(("smoothness:", "monotonic:")) for f in props.flags)

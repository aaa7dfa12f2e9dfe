"""Measured properties of known activations, and flags for declarations that are wrong."""

from __future__ import annotations

import math

import pytest
import torch

from actviz import Activation, Param
from actviz.analysis.properties import continuity, measure, relative_cost


@pytest.fixture(scope="module")
def props(builtin_catalogue):
    cache = {}

    def get(name: str, **params: float):
        key = (name, tuple(sorted(params.items())))
        if key not in cache:
            cache[key] = measure(builtin_catalogue.get(name), params)
        return cache[key]

    return get


def test_sigmoid_slope_peaks_at_a_quarter_at_zero(props):
    p = props("sigmoid")
    assert p.max_abs_d1 == pytest.approx(0.25, abs=1e-6)
    assert abs(p.argmax_abs_d1) < 1e-2
    assert (p.range_lo, p.range_hi) == pytest.approx((0.0, 1.0), abs=1e-6)
    assert p.f0 == pytest.approx(0.5)
    assert p.monotonic and p.continuity == "C2+"
    assert p.mean == pytest.approx(0.5, abs=1e-9)


def test_relu_is_dead_for_half_of_standard_normal_inputs(props):
    p = props("relu")
    assert p.dead_fraction == pytest.approx(0.5, abs=1e-3)
    assert p.grad_gain == pytest.approx(0.5, abs=1e-3)
    assert p.mean == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-4)
    assert p.range_lo == 0.0 and math.isinf(p.range_hi)
    assert p.continuity == "C0"
    assert abs(p.jumps["f'"]) < 1e-6


def test_tanh_is_zero_centred_and_relu_is_not(props):
    assert props("tanh").zero_centred
    assert abs(props("tanh").mean) < 1e-9
    assert not props("relu").zero_centred


def test_continuity_classes_of_kinked_and_jumping_functions(props):
    assert props("step").continuity == "discontinuous"
    assert props("hardshrink").continuity == "discontinuous"
    assert props("hardtanh").continuity == "C0"
    assert props("elu").continuity == "C1"  # alpha = 1: f' is continuous, f'' jumps at 0
    assert props("softsign").continuity == "C1"
    assert props("gelu").continuity == "C2+"


def test_parameters_change_measurements(props):
    assert props("leaky_relu", negative_slope=0.0).dead_fraction == pytest.approx(0.5, abs=1e-3)
    assert props("leaky_relu", negative_slope=0.3).dead_fraction == 0.0
    assert props("elu", alpha=2.0).continuity == "C0"  # f'(0-) = 2 != f'(0+) = 1


def test_gelu_has_a_negative_minimum_and_is_not_monotonic(props):
    p = props("gelu")
    assert p.range_lo == pytest.approx(-0.16997, abs=1e-4)
    assert not p.monotonic


def test_vector_activation_range_covers_whole_inputs(props):
    assert (props("softmax").range_lo, props("softmax").range_hi) == pytest.approx((0, 1), abs=1e-6)
    glu = props("glu")
    assert math.isinf(glu.range_lo) and math.isinf(glu.range_hi)


def test_wrong_declarations_are_flagged():
    liar = Activation(
        name="liar",
        fn=lambda x, a: torch.tanh(a * x),
        params=[Param("a", 1.0, 0.1, 5.0)],
        output_range=(0.0, 1.0),
        monotonic=False,
        smoothness="C0",
        zero_centered=False,
    )
    flags = " | ".join(measure(liar).flags)
    assert "lower bound" in flags
    assert "monotonic: declared not monotonic, measured monotonic" in flags
    assert "smoothness: declared C0, measured C2+" in flags
    assert "zero-centred" in flags


def test_correct_declarations_are_not_flagged(props):
    for name in ("sigmoid", "tanh", "relu", "hardtanh", "step", "softplus"):
        assert props(name).flags == [], name


def test_a_kink_away_from_zero_is_found():
    shifted = Activation(name="shifted", fn=lambda x: torch.relu(x - 1.2345))
    cls, jumps = continuity(shifted, {})
    assert cls == "C0"
    assert jumps["f'"] == pytest.approx(1.2345, abs=1e-6)


def test_cost_is_relative_to_relu(builtin_catalogue):
    relu = relative_cost(builtin_catalogue.get("relu"), repeats=5)
    softmax = relative_cost(builtin_catalogue.get("softmax"), repeats=5)
    assert 0.2 < relu < 5.0  # the same op as the reference, up to timing noise
    assert softmax > 2.0 * relu

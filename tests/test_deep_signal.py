"""A signal through a 50-layer random MLP: SELU keeps its variance, sigmoid loses its gradient."""

from __future__ import annotations

import numpy as np
import pytest

from actviz.analysis.deep_signal import deep_signal


def test_selu_activation_variance_stays_near_one_over_fifty_layers(builtin_catalogue):
    d = deep_signal(builtin_catalogue.get("selu"))
    assert len(d.act_var) == 50
    assert np.all(np.abs(d.act_var - 1.0) < 0.2)
    assert np.all(np.abs(d.act_mean) < 0.1)


def test_sigmoid_gradient_vanishes_towards_the_input(builtin_catalogue):
    d = deep_signal(builtin_catalogue.get("sigmoid"))
    assert d.grad_var[-1] == pytest.approx(1.0, rel=0.1)  # the loss gradient itself
    assert d.grad_var[0] < 1e-40
    assert np.all(np.diff(np.log10(d.grad_var)) > 0)  # shrinks at every layer going back


def test_relu_signal_dies_out_with_lecun_init(builtin_catalogue):
    # LeCun init is tuned for variance-preserving activations; ReLU halves it per layer.
    d = deep_signal(builtin_catalogue.get("relu"))
    assert d.act_var[-1] < 1e-10 * d.act_var[0]


def test_same_seed_gives_the_same_numbers(builtin_catalogue):
    a = deep_signal(builtin_catalogue.get("tanh"), depth=5)
    b = deep_signal(builtin_catalogue.get("tanh"), depth=5)
    assert np.array_equal(a.act_var, b.act_var) and np.array_equal(a.grad_var, b.grad_var)
    assert set(a.columns()) >= {"layer", "tanh activation variance", "tanh gradient variance"}

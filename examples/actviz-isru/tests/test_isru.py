"""The example plugin's own tests: derivatives, the learnable parameter, actviz validation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from actviz_isru import plugin

PLUGIN_FILE = Path(plugin.__file__)


def by_name():
    return {a.name: a for a in plugin.actviz_activations()}


# Offset so the grid never lands exactly on ISRLU's switch at 0.
GRID = torch.linspace(-8, 8, 801, dtype=torch.float64) + 1e-3 * math.sqrt(2)


@pytest.mark.parametrize("name", ["isru", "isrlu"])
@pytest.mark.parametrize("a", [0.05, 1.0, 7.0])
def test_derivative_matches_autograd(name, a):
    act = by_name()[name]
    x = GRID.clone().requires_grad_(True)
    (auto,) = torch.autograd.grad(act.fn(x, a=a).sum(), x)
    torch.testing.assert_close(act.derivative(GRID, a=a), auto, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["isru", "isrlu"])
def test_derivative_matches_finite_differences(name):
    act = by_name()[name]
    h = 1e-6
    fd = (act.fn(GRID + h, a=2.0) - act.fn(GRID - h, a=2.0)) / (2 * h)
    torch.testing.assert_close(act.derivative(GRID, a=2.0), fd, rtol=1e-6, atol=1e-7)


def test_isru_values_and_saturation():
    isru = by_name()["isru"]
    x = torch.tensor([0.0, 1.0, -1.0, 1e6])
    y = isru.fn(x, a=4.0)
    assert y[0] == 0
    assert y[1] == pytest.approx(1 / math.sqrt(5))
    assert y[2] == pytest.approx(-1 / math.sqrt(5))
    assert y[3] == pytest.approx(0.5, rel=1e-4)  # the level 1/sqrt(a)


def test_isrlu_is_identity_for_positive_x():
    isrlu = by_name()["isrlu"]
    x = torch.linspace(0, 50, 101)
    assert torch.equal(isrlu.fn(x, a=3.0), x)
    assert torch.equal(isrlu.derivative(x, a=3.0), torch.ones_like(x))


def test_learnable_a_receives_a_gradient():
    isru = by_name()["isru"]
    assert isru.param("a").learnable
    a = torch.tensor(1.5, requires_grad=True)
    x = torch.linspace(-3, 3, 31)
    isru.fn(x, a=a).sum().backward()
    # d/da x (1 + a x^2)^(-1/2) = -x^3 / 2 (1 + a x^2)^(-3/2)
    expected = float((-(x**3) / 2 * (1 + 1.5 * x * x) ** -1.5).sum())
    assert a.grad is not None and float(a.grad) == pytest.approx(expected, abs=1e-5)


def test_actviz_validates_the_plugin(capsys):
    from actviz.cli import main

    code = main(["check", str(PLUGIN_FILE)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "isru: ok" in out and "isrlu: ok" in out

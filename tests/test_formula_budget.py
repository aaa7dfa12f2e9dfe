"""Typed formulas have a size budget and a hard time limit, and invalid plugins are refused."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import torch

from actviz import Param
from actviz.formula import (
    FormulaError,
    check_size,
    compile_bounded,
    compile_formula,
    shared_sandbox,
    write_formula_plugin,
)

#: The 175-character formula that kept sympy busy for minutes.
MAX30 = "max(" + ",".join(f"x**{i}" for i in range(1, 31)) + ")"
#: Within the size budget but slow in sympy (about 8 s on 2 loaded cores).
SLOW = (
    "max(x**1,x**2,x**3,x**4,x**5,x**6,x**7,x**8)"
    "*max(sin(x)**1,sin(x)**2,sin(x)**3,sin(x)**4,sin(x)**5,sin(x)**6,sin(x)**7,sin(x)**8)"
)


@pytest.mark.parametrize(
    ("text", "message", "span"),
    [
        (MAX30, "too complex: max() of 30 arguments (at most 8)", (0, 175)),
        (
            "x + exp(exp(exp(exp(exp(exp(exp(x)))))))",
            "too complex: exp/power nested 7 deep (at most 6)",
            (4, 40),
        ),
        ("x" + "+x" * 160, "too complex: 321 characters (at most 300)", (300, 321)),
        ("x" + "*x" * 100, "too complex: 403 parts in the expression tree (at most 250)", None),
    ],
)
def test_the_size_budget_refuses_before_sympy_runs(text, message, span):
    started = time.monotonic()
    with pytest.raises(FormulaError) as info:
        compile_formula(text)
    assert time.monotonic() - started < 1.0
    assert info.value.message.startswith(message)
    if span is not None:
        assert info.value.span == span
    with pytest.raises(FormulaError):
        check_size(text)


def test_max30_is_refused_quickly_in_the_child():
    assert len(MAX30) == 175
    with pytest.raises(FormulaError, match=r"too complex: max\(\) of 30 arguments"):
        compile_bounded(MAX30)


def test_a_slow_formula_is_stopped_at_the_time_limit_and_the_next_one_works():
    sandbox = shared_sandbox()
    sandbox.start()
    old_pid = sandbox.pid
    started = time.monotonic()
    with pytest.raises(FormulaError) as info:
        compile_bounded(SLOW, limit_s=1.0)
    assert time.monotonic() - started < 6.0  # the limit plus killing the child
    assert info.value.message == "too complex: compiling took longer than 1 s and was stopped"
    assert sandbox.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(old_pid, 0)  # the runaway child is gone

    formula = compile_bounded("x * sigmoid(beta * x)", [Param("beta", 1.5, 0.1, 5)])
    x = torch.linspace(-4, 4, 9, dtype=torch.float64)
    assert torch.allclose(formula.fn(x, beta=1.5), x * torch.sigmoid(1.5 * x))
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad((xg * torch.sigmoid(1.5 * xg)).sum(), xg)
    assert torch.allclose(formula.derivative(x, beta=1.5), grad)
    assert sandbox.pid is not None and sandbox.pid != old_pid


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTVIZ_FORMULA_LIMIT_S", "0.5")
    with pytest.raises(FormulaError, match=r"took longer than 0.5 s and was stopped"):
        compile_bounded(SLOW)


def test_a_formula_whose_plugin_would_fail_validation_writes_nothing(tmp_path):
    with pytest.raises(FormulaError) as info:
        write_formula_plugin(tmp_path, "tower", "exp(exp(exp(exp(x))))")
    assert info.value.message.startswith(
        "the plugin would fail validation: finite: NaN/inf output for finite input"
    )
    assert list(tmp_path.iterdir()) == []


def test_new_plugin_exits_non_zero_with_the_validation_reason(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "actviz.cli", "new-plugin", "tower", "--dir", str(tmp_path)]
        + ["--formula", "exp(exp(exp(exp(x))))"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        "actviz new-plugin: bad formula: the plugin would fail validation: finite: "
    )
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_plugin_refuses_max30_without_hanging(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "actviz.cli", "new-plugin", "m", "--dir", str(tmp_path)]
        + ["--formula", MAX30],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "bad formula: too complex: max() of 30 arguments (at most 8)" in result.stderr
    assert list(tmp_path.iterdir()) == []

"""Hostile and random input to the formula parser: only FormulaError comes out, nothing runs."""

from __future__ import annotations

import builtins
import math
import sys
import time

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actviz import Param
from actviz.formula import FUNCTIONS, FormulaError, compile_formula, parse_formula

PARAMS = [Param("a", 1.5, 0.1, 5.0), Param("beta", 0.7)]
NAMES = [p.name for p in PARAMS]
SECONDS = 5.0  # per parse or build; the GUI calls these while the user types
FUZZ = settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

HOSTILE = [
    "__import__('os').system('touch CANARY')",
    "__import__",
    "x.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__.__mro__[-1].__subclasses__()",
    "lambda: x",
    "(lambda: __import__('os'))()",
    "open('CANARY', 'w')",
    "open",
    "eval('1')",
    "exec('PWNED = 1')",
    "globals()",
    "globals().update(PWNED=1)",
    "getattr(x, 'real')",
    "x if __import__('os') else x",
    "[c for c in ()]",
    "{1: x}",
    "x; import os",
    "x #\n__import__('os')",
    "9**9**9",
    "x**9**9**9",
    "10**10**10 * x",
    "1e309 * x",
    "(" * 300 + "x" + ")" * 300,
    "-" * 400 + "x",
    "sin(" * 100 + "x" + ")" * 100,
    "x\x00",
    "x + \u0445",
    "\u202ex",
    "x\r\n",
    "f'{x}'",
    "b'x'",
    "x @ x",
    "x[0]",
    "*x",
    "**x",
    "x.real",
    "sigmoid.__globals__",
    "where(x > 0, x, __builtins__)",
    "max(*[x])",
    "sin(x=x)",
    "print(x)",
    "breakpoint()",
    "__builtins__.__dict__['eval']('1')",
    "log(0) * x",
    "1/(x-x)",
    "x/0",
    "sqrt(-1) + x",
    "(-8)**(1/3) * x",
    "0**-1 + x",
    "exp(10**100) * x",
    "where(x > 0, x)",
    "where(x, x, x)",
    "max(x)",
    "",
    " ",
    "\t",
    "x" * 600,
    "é" * 10,
]


def assert_only_formula_error(text: str) -> None:
    """Parsing and compiling either succeed or raise FormulaError with a sane span, quickly."""
    for step in (lambda: parse_formula(text, NAMES), lambda: compile_formula(text, PARAMS)):
        start_time = time.perf_counter()
        try:
            step()
        except FormulaError as err:
            assert err.message
            if err.span is not None:
                start, end = err.span
                assert 0 <= start <= end <= len(text)
        assert time.perf_counter() - start_time < SECONDS, f"{text!r} took too long"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_are_refused_or_harmless(text):
    assert_only_formula_error(text)


@pytest.mark.parametrize(
    "text",
    [t for t in HOSTILE if any(w in t for w in ("__", "open", "eval", "exec", "globals", "print"))],
)
def test_code_like_strings_are_refused(text):
    with pytest.raises(FormulaError):
        parse_formula(text, NAMES)


def test_nothing_executes(tmp_path, monkeypatch):
    """Strings that would leave a file or a global behind if run leave neither."""
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "CANARY"
    payloads = [
        f"__import__('pathlib').Path({str(canary)!r}).touch()",
        f"open({str(canary)!r}, 'w')",
        "globals().__setitem__('PWNED', 1)",
        "__import__('builtins').__setattr__('PWNED', 1)",
        "__import__('sys').modules.__setitem__('PWNED', 1)",
        "exec('import builtins; builtins.PWNED = 1')",
        f"(lambda: open({str(canary)!r}, 'w'))()",
        f"x if open({str(canary)!r}, 'w') else x",
        f"x #\nopen({str(canary)!r}, 'w')",
        f"[open({str(canary)!r}, 'w') for _ in 'a']",
    ]
    seen: list[str] = []
    real_eval, real_exec = builtins.eval, builtins.exec

    def spy_eval(source, *args, **kwargs):
        seen.append(str(source))
        return real_eval(source, *args, **kwargs)

    def spy_exec(source, *args, **kwargs):
        seen.append(str(source))
        return real_exec(source, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", spy_eval)
    monkeypatch.setattr(builtins, "exec", spy_exec)
    import sympy.parsing.sympy_parser as sympy_parser

    def no_parse_expr(*args, **kwargs):
        raise AssertionError("parse_expr must never see formula text")

    monkeypatch.setattr(sympy_parser, "parse_expr", no_parse_expr)
    for payload in payloads:
        with pytest.raises(FormulaError):
            compile_formula(payload, PARAMS)
    assert not canary.exists()
    assert not hasattr(builtins, "PWNED")
    assert "PWNED" not in sys.modules
    assert "PWNED" not in globals()
    assert not any("PWNED" in s or "CANARY" in s for s in seen)


@FUZZ
@given(st.text(max_size=80))
def test_random_text(text):
    assert_only_formula_error(text)


@FUZZ
@given(st.text(alphabet="xab()+-*/.,<>=!_ 0123456789eptsqrilonwhm^'\"[]:", max_size=60))
def test_random_formula_characters(text):
    assert_only_formula_error(text)


TOKENS = [
    *FUNCTIONS,
    "x", "a", "beta", "pi", "e", "y", "__import__", "__class__", "__bases__", "open", "eval",
    "lambda", "if", "else", "for", "in", "not", "and", "or", "import", "os", "True", "None",
    "0", "1", "2", "9", "0.5", "1e308", "1e-308", "10", "999999999999",
    "(", ")", "(", ")", ",", ".", "+", "-", "*", "/", "**", "//", "%", "<", ">", "<=", ">=",
    "==", "!=", "=", ":", "[", "]", "'os'", " ", "@", "&", "|", "~", "^",
]  # fmt: skip


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_random_token_sequences(tokens):
    assert_only_formula_error("".join(tokens))
    assert_only_formula_error(" ".join(tokens))


def _formulas(max_leaves: int = 8) -> st.SearchStrategy[str]:
    leaves = st.sampled_from(["x", "a", "beta", "1", "2", "0.5", "3", "pi", "e", "-x"])
    unary = [n for n, s in FUNCTIONS.items() if s.min_args == 1]

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(st.sampled_from(unary), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(["max", "min"]), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            ),
            st.tuples(inner, st.sampled_from(["<", ">", "<=", ">="]), inner, inner, inner).map(
                lambda t: f"where({t[0]} {t[1]} {t[2]}, {t[3]}, {t[4]})"
            ),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_formulas())
def test_random_valid_formulas_compile_and_differentiate(text):
    """Well-formed formulas build, or fail with FormulaError; f' agrees with autograd."""
    start_time = time.perf_counter()
    try:
        formula = compile_formula(text, PARAMS)
    except FormulaError:
        return
    finally:
        assert time.perf_counter() - start_time < SECONDS, f"{text!r} took too long"
    grid = torch.linspace(-3, 3, 61, dtype=torch.float64) + 1e-3 * math.sqrt(2)
    x = grid.clone().requires_grad_(True)
    y = formula.fn(x, a=1.5, beta=0.7)
    assert y.shape == grid.shape
    if not y.requires_grad:
        return
    (auto,) = torch.autograd.grad(y.sum(), x, allow_unused=True, materialize_grads=True)
    d = formula.derivative(grid, a=1.5, beta=0.7)
    assert d.shape == grid.shape
    ok = torch.isfinite(y.detach()) & torch.isfinite(auto) & torch.isfinite(d) & (auto.abs() < 1e6)
    scale = 1 + auto[ok].abs()
    assert torch.all((d[ok] - auto[ok]).abs() <= 1e-6 * scale), (text, formula.derivative_expr)

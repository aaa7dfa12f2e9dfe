"""The formula whitelist: what is accepted, what is refused, and where the error points."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from actviz import Param
from actviz.formula import (
    FUNCTIONS,
    MAX_LENGTH,
    FormulaError,
    build_activation,
    check_param_name,
    compile_formula,
    parse_formula,
)

x = sp.Symbol("x", real=True)
a = sp.Symbol("a", real=True)


def error_for(text: str, params=("a",)) -> FormulaError:
    with pytest.raises(FormulaError) as info:
        parse_formula(text, params)
    return info.value


def underlined(text: str, err: FormulaError) -> str:
    start, end = err.span
    return text[start:end]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_whitelisted_function_parses(name):
    spec = FUNCTIONS[name]
    if name == "where":
        text = "where(x > 0, x, a * x)"
    else:
        text = f"{name}({', '.join(['x', 'a', '1'][: spec.min_args])})"
    expr = parse_formula(text, ["a"])
    assert x in expr.free_symbols


def test_arithmetic_constants_and_params():
    expr = parse_formula("-x ** 2 / 2 + a * x - pi + e", ["a"])
    assert sp.simplify(expr - (-(x**2) / 2 + a * x - sp.pi + sp.E)) == 0


def test_chained_comparison_becomes_an_interval():
    expr = parse_formula("where(0 < x <= 1, x, 0)")
    assert expr.subs(x, sp.Rational(1, 2)) == sp.Rational(1, 2)
    assert expr.subs(x, 1) == 1
    assert expr.subs(x, 2) == 0


def test_float_literals_keep_their_digits():
    assert str(parse_formula("1.702 * x")) == "1.702*x"


@pytest.mark.parametrize(
    "text, fragment, words",
    [
        ("x.__class__", "x.__class__", "attributes"),
        ("sin(x)[0]", "[", "indexing"),
        ("x + foo(x)", "foo", "unknown function 'foo'"),
        ("x + sinn(x)", "sinn", "did you mean sin"),
        ("x * beta", "beta", "unknown name 'beta'"),
        ("x * b", "b", "declare it as a parameter"),
        ("__import__ + x", "__import__", "'_'"),
        ("sin(x=1)", "x=1", "keyword arguments"),
        ("x if x > 0 else 0", "x if x > 0 else 0", "where(cond, a, b)"),
        ("x > 0", "x > 0", "only allowed as the condition of where"),
        ("x and 1", "x and 1", "'and'/'or'"),
        ("lambda: x", ":", "no lambdas"),
        ("import os", "import", "syntax error"),
        ("x % 2", "%", "'%'"),
        ("x << 2", "x << 2", "'<<'"),
        ("x // 2", "x // 2", "'//'"),
        ("sin(x, 1)", "sin(x, 1)", "sin() takes 1 argument, got 2"),
        ("max(x)", "max(x)", "at least 2 arguments"),
        ("where(x, 1, 0)", "x", "must be a comparison"),
        ("a(x)", "a", "not a function"),
        ("sin + x", "sin", "is a function"),
        ("x ^ 2", "^", "use ** for powers"),
        ("x + 'os'", "'", "strings"),
        ("x # comment", "#", "comments"),
        ("x + 1j", "1j", "complex"),
        ("x + True", "True", "only numbers"),
        ("x + None", "None", "only numbers"),
        ("not x", "not x", "'not'"),
        ("x + 1e400", "1e400", "too large"),
        ("x * 9 ** 9 ** 9", "9 ** 9 ** 9", "too large"),
        ("x + 1 / 0", "1 / 0", "division by zero"),
        ("x + log(0)", "log(0)", "not a finite real number"),
        ("x + sqrt(-1)", "sqrt(-1)", "not a finite real number"),
        ("x + (1, 2)", "(1, 2)", "tuples"),
        ("[x]", "[", "lists"),
        ("x +", "", "syntax error"),
        ("sin(x", "(", "syntax error"),
        ("(x := 2)", ":", "':='"),
        ("x\n+ 1", "\n", "one line"),
        ("x + \x00", "\x00", "not allowed"),
        ("x + α", "α", "not allowed"),
    ],
)
def test_refusals_name_the_problem_and_point_at_it(text, fragment, words):
    err = error_for(text)
    assert words in err.message
    assert err.span is not None
    start, end = err.span
    assert 0 <= start <= end <= len(text)
    if fragment:
        assert underlined(text, err) == fragment
    else:  # an unexpected end of input points just past the text
        assert start == len(text)


def test_caret_points_at_the_offending_column():
    text = "x * sigmoid(x) + x.__class__"
    err = error_for(text)
    line, carets = err.caret(text).split("\n")
    assert line == text
    assert carets.index("^") == text.index("x.__class__")
    assert carets.count("^") == len("x.__class__")
    assert str(err).endswith(f"(column {text.index('x.__class__') + 1})")


def test_leading_spaces_keep_columns_right():
    text = "   x + bogus"
    err = error_for(text)
    assert underlined(text, err) == "bogus"


def test_too_long_too_deep_too_many_parts():
    long_text = "x" + " + x" * MAX_LENGTH
    assert "too long" in error_for(long_text).message
    deep = "sin(" * 70 + "x" + ")" * 70
    assert "nested too deeply" in error_for(deep).message
    many = "max(" + ",".join(["x"] * 240) + ")"
    assert "too long" in error_for(many).message
    assert "nested" in error_for("-" * 200 + "x").message


def test_empty_formula():
    assert "type a formula" in error_for("   ").message
    assert "type a formula" in error_for("").message


def test_formula_must_use_x():
    with pytest.raises(FormulaError, match="does not depend on x"):
        compile_formula("a * 2", [Param("a", 1.0)])


@pytest.mark.parametrize(
    "name, words",
    [
        ("x", "the input variable"),
        ("sin", "a function name"),
        ("pi", "a constant"),
        ("lambda", "keyword"),
        ("_a", "may not start with '_'"),
        ("2a", "letters, digits"),
        ("a-b", "letters, digits"),
        ("torch", "reserved"),
        ("β", "letters, digits"),
    ],
)
def test_bad_parameter_names(name, words):
    with pytest.raises(FormulaError, match=words) as info:
        check_param_name(name)
    assert info.value.param == name
    assert info.value.span is None


def test_parameter_declarations_are_checked():
    with pytest.raises(FormulaError, match="declared twice"):
        compile_formula("a * x", [Param("a", 1.0), Param("a", 2.0)])
    with pytest.raises(FormulaError, match="outside"):
        compile_formula("a * x", [Param("a", 5.0, min=0.0, max=1.0)])
    with pytest.raises(FormulaError, match="finite"):
        compile_formula("a * x", [Param("a", float("nan"))])


def test_unused_parameters_are_allowed():
    act = build_activation("lin", "2 * x", [Param("unused", 1.0)])
    assert [p.name for p in act.params] == ["unused"]


def test_activation_names_are_checked():
    for bad in ("Swish", "1st", "has space", "_private", ""):
        with pytest.raises(FormulaError, match="activation name"):
            build_activation(bad, "x")


def test_activation_metadata():
    act = build_activation(
        "swishb", "x * sigmoid(beta * x)", [Param("beta", 1.0, 0.1, 5.0, learnable=True)]
    )
    assert act.family == "formula"
    assert act.formula == r"x \sigma\left(\beta x\right)"
    assert act.extra["formula_text"] == "x * sigmoid(beta * x)"
    assert "sigmoid(beta*x)" in act.extra["derivative_text"]
    assert act.param("beta").learnable


def test_the_guide_lists_every_function():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "docs" / "plugin-guide.md").read_text()
    section = guide[guide.index("What a formula may contain") :]
    for name in FUNCTIONS:
        assert re.search(rf"`{name}\b", section), f"{name} is not in the guide's table"

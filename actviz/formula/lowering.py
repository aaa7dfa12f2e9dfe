"""Sympy expression -> a small program of torch-level operations.

Both the in-memory torch callable (``compiler``) and the plugin file writer
(``codegen``) start from this one translation, so the function a user
previews and the function saved to disk perform the same operations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy as sp

from .errors import FormulaError
from .functions import Log1p, RealAbs, Relu, Sigmoid, Softplus
from .parser import VARIABLE

#: sympy function class -> the key of the torch function that computes it.
CALLS: dict[type, str] = {
    sp.exp: "exp",
    sp.log: "log",
    Log1p: "log1p",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.tanh: "tanh",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.atan: "atan",
    sp.erf: "erf",
    Sigmoid: "sigmoid",
    Softplus: "softplus",
    Relu: "relu",
    RealAbs: "abs",
    sp.Abs: "abs",
    sp.sign: "sign",
}

_RELATIONS = {
    sp.StrictLessThan: "<",
    sp.LessThan: "<=",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: ">=",
    sp.Equality: "==",
    sp.Unequality: "!=",
}

#: Functions of constants, written with Python's math module in generated code.
_MATH = {
    sp.exp: "math.exp",
    sp.log: "math.log",
    sp.sin: "math.sin",
    sp.cos: "math.cos",
    sp.tan: "math.tan",
    sp.tanh: "math.tanh",
    sp.sinh: "math.sinh",
    sp.cosh: "math.cosh",
    sp.atan: "math.atan",
    sp.erf: "math.erf",
    Log1p: "math.log1p",
}


@dataclass(frozen=True)
class Node:
    """One operation. ``value``: a constant's float, a variable's name, a call's key,
    a comparison's operator or a step's value at 0; ``text``: a constant's source."""

    op: str
    args: tuple[Node, ...] = ()
    value: Any = None
    text: str = ""


@dataclass(frozen=True)
class Program:
    """Temporaries computed in order, then the result."""

    steps: tuple[tuple[str, Node], ...]
    result: Node
    uses_x: bool


def lower(expr: sp.Basic, *, temp_prefix: str = "_t") -> Program:
    """Translate ``expr`` (after common-subexpression elimination) into a :class:`Program`."""
    names = sp.numbered_symbols(f"{temp_prefix}cse", real=True)
    try:
        replacements, (reduced,) = sp.cse([expr], symbols=names)
    except Exception:  # cse is an optimisation; the plain expression is always correct
        replacements, reduced = [], expr
    steps: list[tuple[str, Node]] = []
    renamed: dict[sp.Symbol, sp.Basic] = {}
    depends_on_x: set[sp.Symbol] = set()  # x itself and temporaries computed from it

    def uses_x(e: sp.Basic) -> bool:
        return any(s.name == VARIABLE or s in depends_on_x for s in e.free_symbols)

    for sym, sub in replacements:
        sub = sub.xreplace(renamed)
        if not sub.free_symbols:
            renamed[sym] = sub  # keep constants inline so they fold to numbers
            continue
        temp = sp.Symbol(f"{temp_prefix}{len(steps)}", real=True)
        renamed[sym] = temp
        if uses_x(sub):
            depends_on_x.add(temp)
        steps.append((temp.name, lower_expr(sub)))
    reduced = reduced.xreplace(renamed)
    return Program(tuple(steps), lower_expr(reduced), uses_x(reduced))


def lower_expr(e: sp.Basic) -> Node:
    """Translate one sympy expression, folding symbol-free parts into constants."""
    if isinstance(e, sp.logic.boolalg.BooleanAtom):
        return Node("bool", value=bool(e))
    if not e.free_symbols:
        return constant(e)
    if isinstance(e, sp.Symbol):
        return Node("var", value=e.name)
    if isinstance(e, sp.Add):
        return _add(e)
    if isinstance(e, sp.Mul):
        return _mul(e)
    if isinstance(e, sp.Pow):
        return _pow(e)
    if isinstance(e, sp.Piecewise):
        return _piecewise(e)
    if type(e) in _RELATIONS:
        return Node("cmp", (lower_expr(e.lhs), lower_expr(e.rhs)), value=_RELATIONS[type(e)])
    if isinstance(e, sp.And):
        return Node("and", tuple(lower_expr(a) for a in e.args))
    if isinstance(e, sp.Or):
        return Node("or", tuple(lower_expr(a) for a in e.args))
    if isinstance(e, sp.Not):
        return Node("not", (lower_expr(e.args[0]),))
    if isinstance(e, sp.Heaviside):
        return _step(e)
    if isinstance(e, sp.DiracDelta):
        return Node("zeros")
    if isinstance(e, (sp.Max, sp.Min)):
        op = "maximum" if isinstance(e, sp.Max) else "minimum"
        return Node(op, tuple(lower_expr(a) for a in _sorted_args(e)))
    key = CALLS.get(type(e))
    if key is not None:
        return Node("call", (lower_expr(e.args[0]),), value=key)
    raise FormulaError(f"actviz cannot compute {type(e).__name__}(...) with torch")


def _sorted_args(e: sp.Basic) -> list[sp.Basic]:
    """Symbolic arguments first, so ``max(x, 0)`` reads ``maximum(x, 0)``."""
    return sorted(e.args, key=lambda a: (not a.free_symbols, sp.default_sort_key(a)))


def _add(e: sp.Add) -> Node:
    terms = list(e.as_ordered_terms())
    first = next((t for t in terms if not t.could_extract_minus_sign()), terms[0])
    terms.remove(first)
    node = lower_expr(first)
    for term in terms:
        if term.could_extract_minus_sign():
            node = Node("sub", (node, lower_expr(-term)))
        else:
            node = Node("add", (node, lower_expr(term)))
    return node


def _mul(e: sp.Mul) -> Node:
    coeff, rest = e.as_coeff_Mul()
    if coeff.is_negative:
        node = _mul_positive(-coeff, rest)
        return _negate(node)
    return _mul_positive(coeff, rest)


def _mul_positive(coeff: sp.Number, rest: sp.Basic) -> Node:
    leading: list[sp.Basic] = []
    numer: list[sp.Basic] = []
    denom: list[sp.Basic] = []
    if coeff != 1:
        p, q = sp.fraction(coeff) if coeff.is_Rational else (coeff, sp.S.One)
        if p != 1:
            leading.append(p)
        if q != 1:
            denom.append(q)
    for factor in sp.Mul.make_args(rest):
        base, exponent = factor.as_base_exp()
        if exponent.is_number and exponent.is_negative:
            denom.append(base ** (-exponent))
        elif not factor.free_symbols:
            leading.append(factor)
        else:
            numer.append(factor)
    numer = leading + numer
    top = _product(numer) if numer else constant(sp.S.One)
    if not denom:
        return top
    return Node("div", (top, _product(denom)))


def _product(factors: list[sp.Basic]) -> Node:
    nodes = [lower_expr(f) for f in factors]
    node = nodes[0]
    for nxt in nodes[1:]:
        node = Node("mul", (node, nxt))
    return node


def _negate(node: Node) -> Node:
    """-node, pushed onto the first factor so ``-x * y / 2`` needs no brackets."""
    if node.op == "const":
        return constant(-node.value, _neg_text(node.text))
    if node.op in ("mul", "div"):
        return Node(node.op, (_negate(node.args[0]), node.args[1]))
    return Node("neg", (node,))


def _neg_text(text: str) -> str:
    return text[1:] if text.startswith("-") else f"-{text}"


def _pow(e: sp.Pow) -> Node:
    base, exponent = e.as_base_exp()
    if exponent.is_number and exponent.is_negative:
        return Node("div", (constant(sp.S.One), lower_expr(base ** (-exponent))))
    if exponent == sp.S.Half:
        return Node("call", (lower_expr(base),), value="sqrt")
    return Node("pow", (lower_expr(base), lower_expr(exponent)))


def _piecewise(e: sp.Piecewise) -> Node:
    pieces = [(expr, cond) for expr, cond in e.args if cond is not sp.false]
    otherwise: Node | None = None
    branches: list[tuple[Node, Node]] = []
    for expr, cond in pieces:
        if cond is sp.true:
            otherwise = lower_expr(expr)
            break
        branches.append((lower_expr(cond), lower_expr(expr)))
    if otherwise is None:  # no catch-all: sympy leaves such points undefined
        otherwise = constant(sp.nan, "math.nan")
    node = otherwise
    for cond, value in reversed(branches):
        node = Node("where", (cond, value, node))
    return node


def _step(e: sp.Heaviside) -> Node:
    arg = lower_expr(e.args[0])
    at_zero = e.args[1] if len(e.args) > 1 else sp.S.Half
    if at_zero == 0:
        return Node("step", (arg,), value=0.0)
    if at_zero == sp.S.Half:
        return Node("step", (arg,), value=0.5)
    if at_zero == 1:
        return Node("step", (arg,), value=1.0)
    raise FormulaError(f"actviz cannot compute a step with value {at_zero} at 0")


def constant(e: sp.Basic, text: str | None = None) -> Node:
    """A symbol-free expression as a float, with Python source that computes it."""
    if isinstance(e, float):
        value = e
    else:
        value = to_float(e)
    if text is None:
        text = _const_text(e) if isinstance(e, sp.Basic) else _float_text(value)
    return Node("const", value=value, text=text)


def to_float(e: sp.Basic) -> float:
    """Evaluate a constant; overflow gives +-inf, a non-real value is an error."""
    if e is sp.nan:
        return math.nan
    try:
        value = complex(sp.N(e, 20))
    except (OverflowError, TypeError, ValueError):
        sign = e.could_extract_minus_sign() if isinstance(e, sp.Basic) else False
        return -math.inf if sign else math.inf
    if value.imag != 0 and math.isfinite(value.imag):
        raise FormulaError(f"the constant {e} is not a real number")
    return value.real


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "math.nan"
    if math.isinf(value):
        return "math.inf" if value > 0 else "-math.inf"
    return repr(value)


def _const_text(e: sp.Basic) -> str:
    """Readable Python for a constant: ``2``, ``(1 / 3)``, ``math.sqrt(2)``, ``math.pi``."""
    if e is sp.pi:
        return "math.pi"
    if e is sp.E:
        return "math.e"
    if e is sp.nan:
        return "math.nan"
    if isinstance(e, sp.Integer):
        n = int(e)
        return str(n) if abs(n) < 2**53 else _float_text(to_float(e))
    if isinstance(e, sp.Rational):
        return f"({e.p} / {e.q})"
    if isinstance(e, sp.Float):
        return _float_text(float(e))
    if isinstance(e, sp.Pow) and e.exp == sp.S.Half:
        return f"math.sqrt({_const_text(e.base)})"
    if isinstance(e, sp.Pow):
        return f"({_const_text(e.base)} ** {_const_text(e.exp)})"
    if isinstance(e, sp.Mul):
        return "(" + " * ".join(_const_text(a) for a in e.args) + ")"
    if isinstance(e, sp.Add):
        return "(" + " + ".join(_const_text(a) for a in e.args) + ")"
    func = _MATH.get(type(e))
    if func is not None:
        return f"{func}({_const_text(e.args[0])})"
    return _float_text(to_float(e))

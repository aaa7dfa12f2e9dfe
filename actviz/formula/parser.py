"""Text -> sympy expression, by walking Python's syntax tree against a whitelist.

The text is only ever given to ``ast.parse`` (which builds a tree and runs
nothing); every node is then checked and translated by hand. Nothing is
passed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import operator
import warnings
from collections.abc import Iterable

import sympy as sp

from .errors import FormulaError
from .functions import CONSTANTS, FUNCTIONS, VARIABLE

MAX_LENGTH = 500
MAX_DEPTH = 60
MAX_NODES = 200
#: A numeric power whose result would need more bits than this is refused.
MAX_NUMBER_BITS = 4096

#: Characters a formula may contain; everything else is refused before parsing.
_ALLOWED = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ \t.+-*/(),<>=!"
)
_CHAR_HINTS = {
    "^": "use ** for powers ('^' is not allowed)",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "#": "comments are not allowed",
    "[": "indexing and lists are not allowed",
    "]": "indexing and lists are not allowed",
    "\n": "the formula must be on one line",
    "\r": "the formula must be on one line",
    "\\": "backslashes are not allowed",
    "|": "use abs(u) for absolute values ('|' is not allowed)",
    ":": "':' is not allowed (no lambdas, slices or ':=')",
    "%": "operator '%' is not supported",
    "&": "operator '&' is not supported; use a chained comparison like 0 < x < 1",
    "~": "operator '~' is not supported",
    "@": "operator '@' is not supported",
    ";": "only one expression is allowed (no ';')",
}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_OTHER_BINOPS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
}
_COMPARE = {
    ast.Lt: sp.StrictLessThan,
    ast.LtE: sp.LessThan,
    ast.Gt: sp.StrictGreaterThan,
    ast.GtE: sp.GreaterThan,
    ast.Eq: sp.Eq,
    ast.NotEq: sp.Ne,
}
_DECIDE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_NODE_WORDS = {
    ast.Subscript: "indexing is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.IfExp: "use where(cond, a, b) instead of 'a if cond else b'",
    ast.BoolOp: "'and'/'or' are not allowed; use a single comparison, e.g. where(x > 0, a, b)",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.List: "lists are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}
_BAD_VALUES = (sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity, sp.I)


def reserved_names() -> frozenset[str]:
    """Names a parameter may not take: the variable, functions, constants, code words."""
    return frozenset({VARIABLE, *FUNCTIONS, *CONSTANTS, "torch", "math", "F", "Activation"}) | {
        "Param",
        "hookimpl",
    }


def check_param_name(name: object) -> str:
    """Return ``name`` if it can be a formula parameter, else raise :class:`FormulaError`."""
    if not isinstance(name, str) or not name:
        raise FormulaError("a parameter needs a name", param=str(name))
    if not (name.isascii() and name.isidentifier()):
        raise FormulaError(
            f"parameter name {name!r} must be letters, digits and '_' (not starting with a digit)",
            param=name,
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise FormulaError(f"parameter name {name!r} is a Python keyword", param=name)
    if name.startswith("_"):
        raise FormulaError(f"parameter name {name!r} may not start with '_'", param=name)
    if name in reserved_names():
        what = "the input variable" if name == VARIABLE else "a reserved name"
        if name in FUNCTIONS:
            what = "a function name"
        elif name in CONSTANTS:
            what = "a constant"
        raise FormulaError(f"parameter name {name!r} is {what}; choose another", param=name)
    return name


def symbol(name: str) -> sp.Symbol:
    """The sympy symbol for ``x`` or a parameter: real, so derivatives stay real."""
    return sp.Symbol(name, real=True)


X = symbol(VARIABLE)


def parse_formula(text: str, params: Iterable[str] = ()) -> sp.Expr:
    """Parse ``text`` into a sympy expression in ``x`` and the named parameters.

    Raises :class:`FormulaError` with the column span of the first problem.
    """
    names = [check_param_name(p) for p in params]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise FormulaError(f"parameter {dup!r} is declared twice", param=dup)
    if not isinstance(text, str):
        raise FormulaError("a formula must be text")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is too long ({len(text)} characters; at most {MAX_LENGTH})",
            MAX_LENGTH,
            len(text),
        )
    for i, ch in enumerate(text):
        if ch not in _ALLOWED:
            hint = _CHAR_HINTS.get(ch, f"character {ch!r} is not allowed in a formula")
            raise FormulaError(hint, i, i + 1)
    body = text.lstrip()
    shift = len(text) - len(body)
    if not body.strip():
        raise FormulaError("type a formula in x, for example x * sigmoid(x)", 0, len(text))
    tree = _syntax_tree(body, shift, len(text))
    return _Builder({n: symbol(n) for n in names}, shift).build(tree)


def _syntax_tree(body: str, shift: int, length: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "invalid decimal literal" for "1e"
            return ast.parse(body, mode="eval")
    except SyntaxError as exc:
        msg = exc.msg or "invalid syntax"
        if exc.offset is None or exc.offset < 1:
            start = end = length
        else:
            start = shift + exc.offset - 1
            end = shift + exc.end_offset - 1 if exc.end_offset and exc.end_offset > 0 else start
            end = max(end, start + 1)
        start, end = min(start, length), min(end, length)
        raise FormulaError(f"syntax error: {msg}", start, end) from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise FormulaError(f"cannot read this formula: {exc}", 0, length) from None


class _Builder:
    """Translate a checked syntax tree into sympy, one whitelisted node at a time."""

    def __init__(self, params: dict[str, sp.Symbol], shift: int) -> None:
        self.params = params
        self.shift = shift
        self.nodes = 0

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = getattr(node, "col_offset", 0) + self.shift
        end = getattr(node, "end_col_offset", None)
        end = start + 1 if end is None else end + self.shift
        return start, max(end, start + 1)

    def fail(self, node: ast.AST, message: str) -> FormulaError:
        return FormulaError(message, *self.span(node))

    def build(self, tree: ast.Expression) -> sp.Expr:
        return self.expr(tree.body, 1)

    def expr(self, node: ast.AST, depth: int) -> sp.Expr:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise self.fail(node, f"the formula is nested too deeply (more than {MAX_DEPTH})")
        if self.nodes > MAX_NODES:
            raise self.fail(node, f"the formula is too long (more than {MAX_NODES} parts)")
        try:
            result = self._translate(node, depth)
        except FormulaError:
            raise
        except (RecursionError, MemoryError):
            raise self.fail(node, "this part is too complex to handle") from None
        except Exception as exc:  # sympy refusing a construct is the user's error to see
            raise self.fail(node, f"cannot use this here: {exc}") from None
        if isinstance(result, sp.Basic) and result.has(*_BAD_VALUES):
            raise self.fail(
                node, "this part is not a finite real number (division by zero, log of 0, ...)"
            )
        return result

    def _translate(self, node: ast.AST, depth: int) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.expr(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, depth + 1)
            word = "not" if isinstance(node.op, ast.Not) else "~"
            raise self.fail(node, f"'{word}' is not allowed")
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Compare):
            raise self.fail(node, "comparisons are only allowed as the condition of where(...)")
        if isinstance(node, ast.Attribute):
            raise self.fail(node, f"attributes ('.{node.attr}') are not allowed")
        for kind, message in _NODE_WORDS.items():
            if isinstance(node, kind):
                raise self.fail(node, message)
        raise self.fail(node, f"{type(node).__name__} is not allowed in a formula")

    def number(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if isinstance(value, complex):
                raise self.fail(node, "complex numbers are not allowed")
            raise self.fail(node, "only numbers are allowed here")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.fail(node, "this number is too large")
            return sp.Float(repr(value))
        if value.bit_length() > 1000:
            raise self.fail(node, "this number is too large")
        return sp.Integer(value)

    def name(self, node: ast.Name) -> sp.Expr:
        ident = node.id
        if ident == VARIABLE:
            return X
        if ident in self.params:
            return self.params[ident]
        if ident in CONSTANTS:
            return CONSTANTS[ident]
        if ident in FUNCTIONS:
            raise self.fail(node, f"{ident} is a function: call it, e.g. {ident}(x)")
        if ident.startswith("_"):
            raise self.fail(node, "names starting with '_' are not allowed")
        known = [VARIABLE, *self.params, *CONSTANTS]
        close = difflib.get_close_matches(ident, known, n=1)
        hint = f"did you mean {close[0]!r}, or " if close else ""
        raise self.fail(node, f"unknown name {ident!r}: {hint}declare it as a parameter")

    def binop(self, node: ast.BinOp, depth: int) -> sp.Expr:
        op = type(node.op)
        if op not in _BINOPS:
            symbol_text = _OTHER_BINOPS.get(op, op.__name__)
            raise self.fail(node, f"operator '{symbol_text}' is not supported")
        left = self.expr(node.left, depth + 1)
        right = self.expr(node.right, depth + 1)
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            if right.is_zero:
                raise self.fail(node, "division by zero")
            return left / right
        self.check_power(node, left, right)
        return left**right

    def check_power(self, node: ast.AST, base: sp.Expr, exponent: sp.Expr) -> None:
        """Refuse numeric powers too large to compute (``9**9**9``) before sympy tries."""
        if not (base.is_number and exponent.is_number):
            return
        try:
            b = abs(float(base))
            e = abs(float(exponent))
            bits = 0.0 if b in (0.0, 1.0) else e * abs(math.log2(b))
        except (OverflowError, TypeError, ValueError):
            bits = math.inf
        if not math.isfinite(bits) or bits > MAX_NUMBER_BITS:
            raise self.fail(node, "this power is too large to compute")

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.fail(func, "only calls to the listed functions are allowed")
        name = func.id
        spec = FUNCTIONS.get(name)
        if spec is None:
            if name in self.params or name == VARIABLE:
                raise self.fail(func, f"{name!r} is not a function; write {name} * (...)")
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise self.fail(func, f"unknown function {name!r}{hint} (allowed: {_listing()})")
        if node.keywords:
            raise self.fail(node.keywords[0], "keyword arguments are not allowed")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "'*' unpacking is not allowed")
        n = len(node.args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            raise self.fail(node, f"{name}() takes {spec.arity_text()}, got {n}")
        if name == "where":
            cond = self.condition(node.args[0], depth + 1)
            a = self.expr(node.args[1], depth + 1)
            b = self.expr(node.args[2], depth + 1)
            return spec.build(cond, a, b)
        args = [self.expr(a, depth + 1) for a in node.args]
        if name in ("max", "min"):
            args = self.extremum_args(node, args, largest=name == "max")
            if len(args) == 1:
                return args[0]
        return spec.build(*args)

    def extremum_args(self, node: ast.AST, args: list[sp.Expr], *, largest: bool) -> list[sp.Expr]:
        """Settle max/min among constant arguments numerically, before sympy tries to."""
        numbers = [a for a in args if not a.free_symbols]
        if len(numbers) < 2:
            return args
        pick = max if largest else min
        best = pick(numbers, key=lambda a: self.numeric(node, a))
        return [a for a in args if a.free_symbols] + [best]

    def numeric(self, node: ast.AST, value: sp.Expr) -> float:
        """A constant's value as a float; sympy's exact comparisons can run for minutes."""
        try:
            result = complex(sp.N(value, 30))
        except (TypeError, ValueError, OverflowError, ArithmeticError):
            raise self.fail(node, f"cannot evaluate the constant {value}") from None
        if result.imag != 0 or math.isnan(result.real):
            raise self.fail(node, f"the constant {value} is not a real number")
        return result.real

    def condition(self, node: ast.AST, depth: int) -> sp.Basic:
        self.nodes += 1
        if not isinstance(node, ast.Compare):
            raise self.fail(node, "the first argument of where() must be a comparison, e.g. x > 0")
        terms = [self.expr(node.left, depth + 1)]
        terms += [self.expr(c, depth + 1) for c in node.comparators]
        relations = []
        for op, left, right in zip(node.ops, terms[:-1], terms[1:], strict=True):
            relation = _COMPARE.get(type(op))
            if relation is None:
                raise self.fail(node, "only <, <=, >, >=, == and != are allowed in conditions")
            if not left.free_symbols and not right.free_symbols:
                decided = _DECIDE[type(op)](self.numeric(node, left), self.numeric(node, right))
                relations.append(sp.true if decided else sp.false)
                continue
            try:
                relations.append(relation(left, right))
            except TypeError as exc:
                raise self.fail(node, f"cannot compare these: {exc}") from None
        return sp.And(*relations) if len(relations) > 1 else relations[0]


def _listing() -> str:
    return ", ".join(FUNCTIONS)

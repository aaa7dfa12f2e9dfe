"""The whitelist: the functions and constants a typed formula may use.

Each entry maps the name a user types to a sympy builder. Functions sympy
lacks (sigmoid, softplus, relu, log1p) and a real-valued ``abs`` are defined
here as sympy functions with their derivatives, so ``sympy.diff`` needs no
complex-number detours and the result maps onto torch operations one to one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp


def _arg(printer, expr) -> str:
    return printer._print(expr)


def _power(exp: str | None, text: str) -> str:
    """``text`` raised to ``exp`` when the LaTeX printer asks for a power of a function."""
    return f"{{{text}}}^{{{exp}}}" if exp else text


class Sigmoid(sp.Function):
    """The logistic function 1 / (1 + exp(-u))."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.S.Half
        return None

    def _eval_evalf(self, prec):
        arg = self.args[0]
        return (1 / (1 + sp.exp(-arg)))._eval_evalf(prec)

    def fdiff(self, argindex=1):
        s = Sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _sympystr(self, printer) -> str:
        return f"sigmoid({_arg(printer, self.args[0])})"

    def _latex(self, printer, exp=None) -> str:
        return _power(exp, rf"\sigma\left({_arg(printer, self.args[0])}\right)")


class Softplus(sp.Function):
    """log(1 + exp(u)), a smooth ReLU."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.log(2)
        return None

    def _eval_evalf(self, prec):
        arg = self.args[0]
        return (sp.log(1 + sp.exp(arg)))._eval_evalf(prec)

    def fdiff(self, argindex=1):
        return Sigmoid(self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return sp.log(1 + sp.exp(arg))

    def _sympystr(self, printer) -> str:
        return f"softplus({_arg(printer, self.args[0])})"

    def _latex(self, printer, exp=None) -> str:
        return _power(exp, rf"\mathrm{{softplus}}\left({_arg(printer, self.args[0])}\right)")


class Relu(sp.Function):
    """max(0, u); its derivative is 0 at u = 0, as in ``torch.relu``."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_number and arg.is_extended_real:
            return sp.Max(arg, 0)
        if arg.is_nonnegative:
            return arg
        if arg.is_nonpositive:
            return sp.S.Zero
        return None

    def _eval_evalf(self, prec):
        arg = self.args[0]
        return (sp.Max(arg, 0))._eval_evalf(prec)

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_nonnegative(self):
        return True if self.args[0].is_real else None

    def _sympystr(self, printer) -> str:
        return f"relu({_arg(printer, self.args[0])})"

    def _latex(self, printer, exp=None) -> str:
        return _power(exp, rf"\mathrm{{ReLU}}\left({_arg(printer, self.args[0])}\right)")


class Log1p(sp.Function):
    """log(1 + u), kept whole so torch can use its accurate ``log1p``."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.S.Zero
        return None

    def _eval_evalf(self, prec):
        arg = self.args[0]
        return (sp.log(1 + arg))._eval_evalf(prec)

    def fdiff(self, argindex=1):
        return 1 / (1 + self.args[0])

    def _eval_rewrite_as_log(self, arg, **kwargs):
        return sp.log(1 + arg)

    def _sympystr(self, printer) -> str:
        return f"log1p({_arg(printer, self.args[0])})"

    def _latex(self, printer, exp=None) -> str:
        return _power(exp, rf"\log\left(1 + {_arg(printer, self.args[0])}\right)")


class RealAbs(sp.Function):
    """|u| for real u: d|u|/du = sign(u), without sympy's complex-valued ``Abs`` rules."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_number and arg.is_extended_real:
            return abs(arg)
        if arg.is_nonnegative:
            return arg
        if arg.is_nonpositive:
            return -arg
        if arg.could_extract_minus_sign():
            return cls(-arg)
        return None

    def _eval_evalf(self, prec):
        arg = self.args[0]
        return (sp.Abs(arg))._eval_evalf(prec)

    def fdiff(self, argindex=1):
        return sp.sign(self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_nonnegative(self):
        return True if self.args[0].is_real else None

    def _eval_power(self, exponent):
        if exponent.is_integer and exponent.is_even and self.args[0].is_real:
            return self.args[0] ** exponent
        return None

    def _sympystr(self, printer) -> str:
        return f"abs({_arg(printer, self.args[0])})"

    def _latex(self, printer, exp=None) -> str:
        return _power(exp, rf"\left|{_arg(printer, self.args[0])}\right|")


@dataclass(frozen=True)
class FunctionSpec:
    """One whitelisted function: how many arguments it takes and how to build it."""

    name: str
    min_args: int
    max_args: int | None  # None: any number from min_args up
    build: Callable[..., sp.Expr]
    summary: str

    def arity_text(self) -> str:
        if self.max_args == self.min_args:
            n = self.min_args
            return f"{n} argument" + ("s" if n != 1 else "")
        return f"at least {self.min_args} arguments"


def _where(cond, a, b):
    return sp.Piecewise((a, cond), (b, True))


_SPECS = [
    FunctionSpec("exp", 1, 1, sp.exp, "e to the power u"),
    FunctionSpec("log", 1, 1, sp.log, "natural logarithm"),
    FunctionSpec("log1p", 1, 1, Log1p, "log(1 + u), accurate near 0"),
    FunctionSpec("sqrt", 1, 1, sp.sqrt, "square root"),
    FunctionSpec("abs", 1, 1, RealAbs, "absolute value |u|"),
    FunctionSpec("sin", 1, 1, sp.sin, "sine"),
    FunctionSpec("cos", 1, 1, sp.cos, "cosine"),
    FunctionSpec("tan", 1, 1, sp.tan, "tangent"),
    FunctionSpec("tanh", 1, 1, sp.tanh, "hyperbolic tangent"),
    FunctionSpec("sinh", 1, 1, sp.sinh, "hyperbolic sine"),
    FunctionSpec("cosh", 1, 1, sp.cosh, "hyperbolic cosine"),
    FunctionSpec("atan", 1, 1, sp.atan, "inverse tangent"),
    FunctionSpec("sigmoid", 1, 1, Sigmoid, "logistic 1 / (1 + exp(-u))"),
    FunctionSpec("erf", 1, 1, sp.erf, "error function"),
    FunctionSpec("softplus", 1, 1, Softplus, "log(1 + exp(u))"),
    FunctionSpec("relu", 1, 1, Relu, "max(0, u), derivative 0 at u = 0"),
    FunctionSpec("max", 2, None, sp.Max, "largest argument"),
    FunctionSpec("min", 2, None, sp.Min, "smallest argument"),
    FunctionSpec("where", 3, 3, _where, "where(cond, a, b): a where cond holds, else b"),
]

#: Name a user types -> its spec, in the documented order.
FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in _SPECS}

#: Named constants a formula may use.
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}

#: The input variable.
VARIABLE = "x"

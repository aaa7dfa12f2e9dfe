"""Typed formula + parameters -> a checked, compiled :class:`Formula` or :class:`Activation`."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
import torch

from ..api import COMMAND_WORDS, Activation, Param, reserved_message
from .budget import check_size
from .calculus import candidates, derivative
from .codegen import program_lines
from .compiler import compile_program
from .errors import FormulaError
from .latex import to_latex
from .lowering import Program, lower
from .parser import X, check_param_name, parse_formula

FAMILY = "formula"
_NAME = re.compile(r"[a-z][a-z0-9_]*")

# Where a rearranged derivative is tried for overflow (in float32 and float64).
_PROBE = torch.tensor(
    [-1e4, -1e3, -100.0, -50.0, *[i / 4 for i in range(-80, 81)], 50.0, 100.0, 1e3, 1e4]
)


@dataclass(frozen=True)
class FormulaParts:
    """Everything sympy computes for a formula, as plain data (picklable).

    A child process computes this (where a runaway sympy call can be stopped) and
    the caller turns it into a :class:`Formula` with :func:`formula_from_parts`.
    ``f_lines``/``d_lines`` are the generated torch statements for a plugin file.
    """

    text: str
    params: tuple[Param, ...]
    expr_text: str
    derivative_text: str
    symbols: frozenset[str]
    latex: str
    derivative_latex: str
    program: Program
    derivative_program: Program
    f_lines: tuple[str, ...]
    d_lines: tuple[str, ...]


@dataclass(frozen=True)
class Formula(FormulaParts):
    """A parsed formula with its symbolic derivative, LaTeX and torch callables.

    ``fn(x, **params)`` and ``derivative(x, **params)`` take a tensor ``x`` (any
    device, dtype, shape) and parameters as floats or tensors.
    """

    fn: Callable[..., torch.Tensor] = None  # type: ignore[assignment]
    derivative: Callable[..., torch.Tensor] = None  # type: ignore[assignment]

    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}


def check_params(params: Sequence[Param]) -> tuple[Param, ...]:
    """Parameters usable in a formula: valid, unique names and finite values."""
    out = []
    for p in params:
        if not isinstance(p, Param):
            raise FormulaError(f"expected a Param, got {type(p).__name__}")
        check_param_name(p.name)
        for label, value in (("default", p.default), ("min", p.min), ("max", p.max)):
            if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise FormulaError(
                    f"parameter {p.name!r}: {label} must be a finite number", param=p.name
                )
        if (p.min is not None and p.default < p.min) or (p.max is not None and p.default > p.max):
            raise FormulaError(
                f"parameter {p.name!r}: default {p.default} is outside [{p.min}, {p.max}]",
                param=p.name,
            )
        out.append(p)
    names = [p.name for p in out]
    for n in names:
        if names.count(n) > 1:
            raise FormulaError(f"parameter {n!r} is declared twice", param=n)
    return tuple(out)


def check_name(name: object) -> str:
    """An activation name a formula plugin can use (also its file name)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise FormulaError(
            f"activation name {name!r} must start with a lower-case letter and use only "
            "a-z, 0-9 and '_'"
        )
    if name in COMMAND_WORDS:
        raise FormulaError(reserved_message(name))
    return name


def compile_formula(text: str, params: Sequence[Param] = (), *, budget_s: float = 0.5) -> Formula:
    """Parse, differentiate and compile ``text`` in this process; raises :class:`FormulaError`.

    ``budget_s`` bounds the time spent tidying the derivative. The size budget is
    checked first, but sympy itself cannot be stopped here: code that must stay
    responsive uses :func:`actviz.formula.sandbox.compile_bounded` instead.
    """
    return formula_from_parts(formula_parts(text, params, budget_s=budget_s))


def formula_parts(
    text: str, params: Sequence[Param] = (), *, budget_s: float = 0.5
) -> FormulaParts:
    """The sympy half of :func:`compile_formula`: parse, differentiate, tidy, generate code."""
    params = check_params(params)
    check_size(text)
    expr = parse_formula(text, [p.name for p in params])
    if X not in expr.free_symbols:
        raise FormulaError(
            f"the formula does not depend on x (it is {expr}); an activation needs x",
            0,
            len(text),
        )
    defaults = {p.name: float(p.default) for p in params}
    program = _lower(expr)
    fn = compile_program(program, defaults)
    _probe_runs(fn, defaults)
    d_expr, d_program, _ = _best_derivative(derivative(expr), fn, defaults, budget_s)
    return FormulaParts(
        text=text,
        params=params,
        expr_text=str(expr),
        derivative_text=str(d_expr),
        symbols=frozenset(str(s) for s in expr.free_symbols),
        latex=to_latex(expr),
        derivative_latex=to_latex(d_expr),
        program=program,
        derivative_program=d_program,
        f_lines=tuple(program_lines(program)),
        d_lines=tuple(program_lines(d_program)),
    )


def formula_from_parts(parts: FormulaParts) -> Formula:
    """Attach torch callables (closures over the lowered programs: cheap, no sympy)."""
    defaults = {p.name: float(p.default) for p in parts.params}
    fields = {f.name: getattr(parts, f.name) for f in dataclasses.fields(FormulaParts)}
    return Formula(
        **fields,
        fn=compile_program(parts.program, defaults),
        derivative=compile_program(parts.derivative_program, defaults),
    )


def build_activation(
    name: str, text: str, params: Sequence[Param] = (), *, description: str = ""
) -> Activation:
    """An :class:`actviz.Activation` (family ``"formula"``) computed from ``text``.

    Its ``derivative`` is the symbolic derivative compiled to torch; ``formula``
    is the LaTeX of f; ``extra`` keeps the typed text and the derivative's LaTeX.
    """
    name = check_name(name)
    formula = compile_formula(text, params)
    return activation_from(name, formula, description=description)


def activation_from(name: str, formula: Formula, *, description: str = "") -> Activation:
    """Wrap an already compiled :class:`Formula` as an activation."""
    return Activation(
        name=check_name(name),
        fn=formula.fn,
        derivative=formula.derivative,
        params=formula.params,
        formula=formula.latex,
        description=description or f"Built from the formula {formula.text.strip()}.",
        family=FAMILY,
        extra={
            "formula_text": formula.text,
            "derivative_text": formula.derivative_text,
            "derivative_latex": formula.derivative_latex,
        },
    )


def _lower(expr: sp.Expr) -> Program:
    try:
        return lower(expr)
    except FormulaError:
        raise
    except (RecursionError, MemoryError):
        raise FormulaError("the formula is too complex to compile") from None


def _probe_runs(fn: Callable[..., Any], defaults: dict[str, float]) -> None:
    try:
        fn(_PROBE, **defaults)
    except Exception as exc:  # a formula torch cannot evaluate is the user's to fix
        raise FormulaError(f"torch cannot evaluate this formula: {exc}") from None


def _best_derivative(
    d: sp.Expr, fn: Callable[..., Any], defaults: dict[str, float], budget_s: float
) -> tuple[sp.Expr, Program, Callable[..., Any]]:
    """The shortest tidy form of f' that is finite wherever f is, on a probe grid."""
    probes = (_PROBE, _PROBE.double())
    with torch.no_grad():
        f_finite = [torch.isfinite(fn(x, **defaults)) for x in probes]
    full = sum(len(x) for x in probes)
    best: tuple[int, sp.Expr, Program, Callable[..., Any]] | None = None
    first_error: Exception | None = None
    for form in candidates(d, budget_s):
        try:
            program = lower(form)
            compiled = compile_program(program, defaults)
            with torch.no_grad():
                values = [compiled(x, **defaults) for x in probes]
        except Exception as exc:  # try the next equivalent form
            first_error = first_error or exc
            continue
        score = sum(
            int((torch.isfinite(v) | ~ok).sum()) for v, ok in zip(values, f_finite, strict=True)
        )
        if best is None or score > best[0]:
            best = (score, form, program, compiled)
        if score == full:
            break
    if best is None:
        if isinstance(first_error, FormulaError):
            raise first_error
        raise FormulaError(f"torch cannot evaluate the derivative: {first_error}")
    return best[1], best[2], best[3]

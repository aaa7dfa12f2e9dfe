"""The symbolic derivative, tidied with cheap rewrites under a time budget.

``sympy.simplify`` can take seconds on a modest expression, so instead a few
rewrites that each cost milliseconds are tried and the shortest result kept,
preferring one that stays finite wherever f is finite (``x * exp(-x) / ...``
and its rearrangements overflow differently).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sympy as sp

from .errors import FormulaError
from .parser import X

#: Expansions that would create more terms than this are skipped.
MAX_EXPANDED_TERMS = 256
_BAD = (sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity, sp.I)


def derivative(expr: sp.Expr) -> sp.Expr:
    """d expr / dx, refused if it leaves the real numbers."""
    try:
        d = sp.diff(expr, X)
    except (RecursionError, MemoryError):
        raise FormulaError("the formula is too complex to differentiate") from None
    except Exception as exc:
        raise FormulaError(f"sympy could not differentiate the formula: {exc}") from None
    if d.has(*_BAD) or d.has(sp.Derivative, sp.Subs):
        raise FormulaError(
            "the derivative is not a finite real expression "
            "(a negative number to a variable power?)"
        )
    return d


def candidates(expr: sp.Expr, budget_s: float = 0.5) -> list[sp.Expr]:
    """Equivalent forms of ``expr``, shortest first (ties keep the order tried)."""
    deadline = time.monotonic() + budget_s
    forms = [expr]
    steps: list[Callable[[sp.Expr], sp.Expr]] = [
        sp.factor_terms,
        _combine,
        lambda e: sp.factor_terms(_combine(e)),
    ]
    for step in steps:
        if time.monotonic() > deadline:
            break
        try:
            form = step(expr)
        except Exception:  # a rewrite that fails is simply not offered
            continue
        if not form.has(*_BAD) and form not in forms:
            forms.append(form)
    order = {id(f): i for i, f in enumerate(forms)}
    return sorted(forms, key=lambda f: (sp.count_ops(f), order[id(f)]))


def _combine(expr: sp.Expr) -> sp.Expr:
    """Put ``expr`` over one denominator and multiply out the numerator, if that is small."""
    together = sp.together(expr)
    numer, denom = sp.fraction(together)
    if _expanded_terms(numer) > MAX_EXPANDED_TERMS:
        return together
    numer = sp.expand(numer, power_base=False, power_exp=False, multinomial=False, log=False)
    return numer / denom


def _expanded_terms(expr: sp.Basic) -> int:
    """How many terms ``expand`` (without multinomials) would produce, roughly."""
    if isinstance(expr, sp.Add):
        return sum(_expanded_terms(a) for a in expr.args)
    if isinstance(expr, sp.Mul):
        total = 1
        for a in expr.args:
            total *= _expanded_terms(a)
            if total > MAX_EXPANDED_TERMS:
                return total
        return total
    return 1

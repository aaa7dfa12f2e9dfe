"""Sympy -> LaTeX that matplotlib's mathtext can draw (no ``cases``, no ``\\operatorname``)."""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter


class _MathtextPrinter(LatexPrinter):
    """sympy's LaTeX, with the constructs mathtext lacks written another way."""

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        pieces = list(expr.args)
        text = None
        for value, cond in reversed(pieces):
            if text is None and cond is sp.true:
                text = self._print(value)
                continue
            other = text if text is not None else r"\mathrm{undefined}"
            cond_text, value_text = self._print(cond), self._print(value)
            text = rf"\mathrm{{where}}\left({cond_text},\ {value_text},\ {other}\right)"
        return text if text is not None else r"\mathrm{undefined}"

    def _print_Heaviside(self, expr: sp.Heaviside, exp: str | None = None) -> str:
        arg = self._print(expr.args[0])
        at_zero = expr.args[1] if len(expr.args) > 1 else sp.S.Half
        if at_zero == 0:
            text = rf"\left[{arg} > 0\right]"
        elif at_zero == 1:
            text = rf"\left[{arg} \geq 0\right]"
        else:
            text = rf"\theta\left({arg}\right)"
        return f"{text}^{{{exp}}}" if exp else text

    def _print_sign(self, expr: sp.sign, exp: str | None = None) -> str:
        text = rf"\mathrm{{sign}}\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text

    def _print_DiracDelta(self, expr: sp.DiracDelta, exp: str | None = None) -> str:
        text = rf"\delta\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text


def to_latex(expr: sp.Basic) -> str:
    """LaTeX for ``expr`` (without the surrounding ``$``) that mathtext renders."""
    try:
        text = _MathtextPrinter().doprint(expr)
    except Exception:  # sympy's printer simplifies internally and can fail on odd powers
        return plain_latex(expr)
    return text.replace(r"\operatorname{", r"\mathrm{").replace(r"\text{", r"\mathrm{")


def plain_latex(expr: sp.Basic) -> str:
    """The expression as typed text, escaped for mathtext: a fallback, not typesetting."""
    text = str(expr).replace("**", "^").replace("*", r"\cdot ").replace("_", r"\_")
    return r"\mathrm{" + text.replace(" ", r"\ ") + "}"

"""Activations from typed formulas: safe parsing, symbolic derivative, torch, plugin files.

The text a user types is parsed with ``ast.parse`` and translated node by node
against a whitelist (see :data:`FUNCTIONS`); it is never evaluated. Typical use::

    from actviz import Param
    from actviz.formula import FormulaError, build_activation

    try:
        act = build_activation("swishb", "x * sigmoid(beta * x)", [Param("beta", 1.0, 0.1, 5)])
    except FormulaError as err:
        print(err.message, err.span)  # span: (start, end) columns to underline

:func:`compile_formula` gives the intermediate :class:`Formula` (sympy
expressions, LaTeX of f and f', torch callables) for live previews;
:func:`write_formula_plugin` and :func:`write_template` write plugin files.
"""

from .budget import DEFAULT_BUDGET, SizeBudget, check_size
from .build import (
    Formula,
    FormulaParts,
    activation_from,
    build_activation,
    check_name,
    compile_formula,
)
from .errors import FormulaError
from .functions import CONSTANTS, FUNCTIONS, VARIABLE
from .parser import MAX_LENGTH, check_param_name, parse_formula
from .sandbox import DEFAULT_LIMIT_S, LIMIT_ENV, compile_bounded, shared_sandbox
from .writer import (
    PluginWriteError,
    formula_plugin_source,
    plugin_path,
    refuse_invalid,
    template_source,
    write_compiled_plugin,
    write_formula_plugin,
    write_template,
)

__all__ = [
    "CONSTANTS",
    "DEFAULT_BUDGET",
    "DEFAULT_LIMIT_S",
    "LIMIT_ENV",
    "FUNCTIONS",
    "MAX_LENGTH",
    "VARIABLE",
    "Formula",
    "FormulaParts",
    "SizeBudget",
    "FormulaError",
    "PluginWriteError",
    "activation_from",
    "build_activation",
    "check_name",
    "check_param_name",
    "check_size",
    "compile_bounded",
    "compile_formula",
    "formula_plugin_source",
    "parse_formula",
    "plugin_path",
    "refuse_invalid",
    "shared_sandbox",
    "template_source",
    "write_compiled_plugin",
    "write_formula_plugin",
    "write_template",
]

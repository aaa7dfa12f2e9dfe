"""A size budget checked on the syntax tree before sympy sees a formula.

sympy's cost is not linear in the text: ``max(x**1, ..., x**30)`` (175 characters)
runs for minutes in ``Max`` and ``diff``, and towers like ``exp(exp(...))`` blow up
derivatives. These limits refuse such input in microseconds with a reason; the
child-process time limit (:mod:`actviz.formula.sandbox`) is the backstop for the rest.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

from .errors import FormulaError

#: Calls that grow like a power tower when nested (with ``**``).
_TOWER_CALLS = frozenset({"exp", "sinh", "cosh", "softplus"})


@dataclass(frozen=True)
class SizeBudget:
    """How large a formula may be before it is refused as too complex."""

    max_length: int = 300
    max_nodes: int = 250
    max_tower: int = 6
    max_extremum_args: int = 8


DEFAULT_BUDGET = SizeBudget()


def check_size(text: str, budget: SizeBudget = DEFAULT_BUDGET) -> None:
    """Raise :class:`FormulaError` ("too complex: ...") when ``text`` exceeds ``budget``.

    Text that does not parse is left to the parser, which reports it with its column.
    """
    if not isinstance(text, str):
        return
    if len(text) > budget.max_length:
        raise FormulaError(
            f"too complex: {len(text)} characters (at most {budget.max_length})",
            budget.max_length,
            len(text),
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return
    shift = len(text) - len(text.lstrip())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node) in ("max", "min"):
            if len(node.args) > budget.max_extremum_args:
                raise FormulaError(
                    f"too complex: {_name(node)}() of {len(node.args)} arguments "
                    f"(at most {budget.max_extremum_args})",
                    *_span(node, shift),
                )
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > budget.max_nodes:
        raise FormulaError(
            f"too complex: {nodes} parts in the expression tree (at most {budget.max_nodes})",
            0,
            len(text),
        )
    deepest, where = _tower(tree.body)
    if deepest > budget.max_tower:
        raise FormulaError(
            f"too complex: exp/power nested {deepest} deep (at most {budget.max_tower})",
            *_span(where, shift),
        )


def _name(node: ast.Call) -> str:
    return node.func.id if isinstance(node.func, ast.Name) else ""


def _span(node: ast.AST, shift: int) -> tuple[int, int]:
    start = getattr(node, "col_offset", 0) + shift
    end = getattr(node, "end_col_offset", None)
    return start, (start + 1 if end is None else end + shift)


def _tower(root: ast.AST) -> tuple[int, ast.AST]:
    """The deepest nesting of exp-like calls and powers, and the outermost node of it."""
    best: tuple[int, ast.AST] = (0, root)
    stack: list[tuple[ast.AST, int, ast.AST]] = [(root, 0, root)]
    while stack:
        node, depth, top = stack.pop()
        grows = (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)) or (
            isinstance(node, ast.Call) and _name(node) in _TOWER_CALLS
        )
        if grows:
            if depth == 0:
                top = node
            depth += 1
            if depth > best[0]:
                best = (depth, top)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth, top))
    return best

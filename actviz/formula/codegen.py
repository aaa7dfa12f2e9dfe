"""A lowered formula -> readable Python/torch source for a plugin file."""

from __future__ import annotations

from .lowering import Node, Program
from .torch_ops import TORCH_CALLS

# Python operator precedence, higher binds tighter.
_ATOM, _POW, _UNARY, _MUL, _ADD, _BITAND, _BITOR, _CMP = 100, 60, 50, 40, 30, 25, 24, 20
_BINARY = {
    "add": (" + ", _ADD),
    "sub": (" - ", _ADD),
    "mul": (" * ", _MUL),
    "div": (" / ", _MUL),
    "and": (" & ", _BITAND),
    "or": (" | ", _BITOR),
}
_WRAP_AT = 88


def program_lines(program: Program, indent: str = "    ") -> list[str]:
    """Statements computing ``program``: temporaries, then ``return ...``."""
    lines = [f"{indent}{name} = {expression(node)}" for name, node in program.steps]
    result = program.result
    if not program.uses_x:
        if result.op == "const":
            text = f"torch.full_like(x, {result.text})"
        else:
            text = f"torch.ones_like(x) * {_paren(result, _MUL + 1)}"
        lines.append(f"{indent}return {text}")
        return lines
    lines.extend(_return(result, indent))
    return lines


def _return(node: Node, indent: str) -> list[str]:
    text = expression(node)
    if len(indent) + 7 + len(text) <= _WRAP_AT or node.op not in ("add", "sub"):
        return [f"{indent}return {text}"]
    terms: list[tuple[str, Node]] = []
    while node.op in ("add", "sub"):
        terms.append(("+" if node.op == "add" else "-", node.args[1]))
        node = node.args[0]
    out = [f"{indent}return (", f"{indent}    {expression(node)}"]
    for sign, term in reversed(terms):
        out.append(f"{indent}    {sign} {_paren(term, _ADD + 1)}")
    out.append(f"{indent})")
    return out


def expression(node: Node) -> str:
    return _code(node)[0]


def _paren(node: Node, need: int) -> str:
    text, prec = _code(node)
    return f"({text})" if prec < need else text


def _code(node: Node) -> tuple[str, int]:
    op = node.op
    if op == "const":
        text = node.text
        return text, (_UNARY if text.startswith("-") else _ATOM)
    if op == "bool":
        return (
            "torch.ones_like(x, dtype=torch.bool)"
            if node.value
            else "torch.zeros_like(x, dtype=torch.bool)"
        ), _ATOM
    if op == "var":
        return node.value, _ATOM
    if op in _BINARY:
        sep, prec = _BINARY[op]
        left, right = node.args
        if op in ("and", "or"):
            return f"{_paren(left, prec + 1)}{sep}{_paren(right, prec + 1)}", prec
        return f"{_paren(left, prec)}{sep}{_paren(right, prec + 1)}", prec
    if op == "pow":
        base, exponent = node.args
        return f"{_paren(base, _ATOM)} ** {_paren(exponent, _ATOM)}", _POW
    if op == "neg":
        return f"-{_paren(node.args[0], _UNARY)}", _UNARY
    if op == "not":
        return f"~{_paren(node.args[0], _ATOM)}", _UNARY
    if op == "cmp":
        left, right = node.args
        return f"{_paren(left, _CMP + 1)} {node.value} {_paren(right, _CMP + 1)}", _CMP
    if op == "call":
        return f"{TORCH_CALLS[node.value][1]}({expression(node.args[0])})", _ATOM
    if op in ("maximum", "minimum"):
        parts = [_tensor_arg(a) for a in node.args]
        text = parts[0]
        for part in parts[1:]:
            text = f"torch.{op}({text}, {part})"
        return text, _ATOM
    if op == "where":
        cond, a, b = node.args
        both_constant = a.op == "const" and b.op == "const"
        wrap = _tensor_arg if both_constant else expression
        return f"torch.where({expression(cond)}, {wrap(a)}, {wrap(b)})", _ATOM
    if op == "step":
        arg = node.args[0]
        if node.value == 0.0:
            return f"({_paren(arg, _CMP + 1)} > 0).to(x.dtype)", _ATOM
        if node.value == 1.0:
            return f"({_paren(arg, _CMP + 1)} >= 0).to(x.dtype)", _ATOM
        return f"(torch.sign({expression(arg)}) + 1) / 2", _MUL
    if op == "zeros":
        return "torch.zeros_like(x)", _ATOM
    raise ValueError(f"no source for operation {op!r}")


def _tensor_arg(node: Node) -> str:
    """Constants become tensors like ``x`` where torch needs tensors on both sides."""
    if node.op == "const":
        return f"x.new_tensor({node.text})"
    return expression(node)

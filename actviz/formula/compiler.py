"""A lowered formula -> a torch callable ``f(x, **params)``, by composing closures.

No source text is generated or executed here: each node becomes a small
Python function over tensors, so the result runs on any device and dtype and
keeps autograd intact for learnable (tensor) parameters.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from functools import reduce
from typing import Any

import torch

from .errors import FormulaError
from .lowering import Node, Program
from .torch_ops import TORCH_CALLS

Env = dict[str, Any]
Thunk = Callable[[Env], Any]

_BINARY = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
    "and": operator.and_,
    "or": operator.or_,
}
_COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def like_x(value: Any, x: torch.Tensor) -> torch.Tensor:
    """A float as a 0-d tensor with ``x``'s dtype and device; tensors pass through."""
    if isinstance(value, torch.Tensor):
        return value
    return torch.as_tensor(value, dtype=x.dtype, device=x.device)


def compile_program(program: Program, defaults: Mapping[str, float]) -> Callable[..., Any]:
    """Return ``f(x, **params)``; missing params take ``defaults``, unknown ones are refused."""
    steps = [(name, _thunk(node)) for name, node in program.steps]
    result = _thunk(program.result)
    uses_x = program.uses_x
    names = tuple(defaults)
    default_values = dict(defaults)

    def formula(x: torch.Tensor, **params: Any) -> torch.Tensor:
        unknown = set(params) - set(names)
        if unknown:
            raise TypeError(f"unexpected parameter(s): {', '.join(sorted(unknown))}")
        env: Env = {"x": x}
        for name in names:
            env[name] = like_x(params.get(name, default_values[name]), x)
        for name, thunk in steps:
            env[name] = thunk(env)
        out = result(env)
        if not uses_x:
            out = torch.ones_like(x) * out
        return out

    return formula


def _thunk(node: Node) -> Thunk:
    op = node.op
    if op == "const":
        value = node.value
        return lambda env: value
    if op == "bool":
        flag = node.value
        return lambda env: torch.full_like(env["x"], flag, dtype=torch.bool)
    if op == "var":
        name = node.value
        return lambda env: env[name]
    args = [_thunk(a) for a in node.args]
    if op in _BINARY:
        fn = _BINARY[op]
        a, b = args
        return lambda env: fn(a(env), b(env))
    if op == "neg":
        (a,) = args
        return lambda env: -a(env)
    if op == "not":
        (a,) = args
        return lambda env: ~a(env)
    if op == "cmp":
        fn = _COMPARE[node.value]
        a, b = args
        return lambda env: fn(a(env), b(env))
    if op == "call":
        fn = TORCH_CALLS[node.value][0]
        (a,) = args
        return lambda env: fn(a(env))
    if op in ("maximum", "minimum"):
        return _extremum(torch.maximum if op == "maximum" else torch.minimum, args)
    if op == "where":
        return _where(node, args)
    if op == "step":
        return _step(node.value, args[0])
    if op == "zeros":
        return lambda env: torch.zeros_like(env["x"])
    raise FormulaError(f"internal: no torch operation for {op!r}")


def _extremum(fn: Callable[..., Any], args: Sequence[Thunk]) -> Thunk:
    def run(env: Env) -> Any:
        x = env["x"]
        values = [like_x(a(env), x) for a in args]
        return reduce(fn, values)

    return run


def _where(node: Node, args: Sequence[Thunk]) -> Thunk:
    cond, a, b = args
    both_constant = node.args[1].op == "const" and node.args[2].op == "const"

    def run(env: Env) -> Any:
        va, vb = a(env), b(env)
        if both_constant:
            x = env["x"]
            va, vb = like_x(va, x), like_x(vb, x)
        return torch.where(cond(env), va, vb)

    return run


def _step(at_zero: float, arg: Thunk) -> Thunk:
    if at_zero == 0.0:
        return lambda env: (arg(env) > 0).to(env["x"].dtype)
    if at_zero == 1.0:
        return lambda env: (arg(env) >= 0).to(env["x"].dtype)
    return lambda env: (torch.sign(arg(env)) + 1) / 2

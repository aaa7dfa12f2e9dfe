"""The space of searched formulas: unary and binary primitives composed into small trees.

It follows Ramachandran, Zoph and Le (2017): a *core unit* is ``b(u1(x), u2(x))`` and a
candidate is one unit, a unit fed into another, or a lone unary. Every tree prints as a
formula string that ``actviz new-plugin --formula`` accepts (sympy-readable names) and
evaluates directly in torch, so duplicates are found by their curves before sympy runs.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import torch

UnaryFn = Callable[[torch.Tensor], torch.Tensor]

#: name -> (template with one ``{}``, torch function)
UNARY: dict[str, tuple[str, UnaryFn]] = {
    "x": ("{}", lambda u: u),
    "neg": ("-{}", lambda u: -u),
    "abs": ("abs({})", torch.abs),
    "square": ("{}**2", lambda u: u * u),
    "cube": ("{}**3", lambda u: u * u * u),
    "sqrtabs": ("sqrt(abs({}))", lambda u: torch.sqrt(torch.abs(u))),
    "exp": ("exp({})", torch.exp),
    "logabs": ("log(1 + abs({}))", lambda u: torch.log1p(torch.abs(u))),
    "sin": ("sin({})", torch.sin),
    "cos": ("cos({})", torch.cos),
    "sinh": ("sinh({})", torch.sinh),
    "tanh": ("tanh({})", torch.tanh),
    "sigmoid": ("sigmoid({})", torch.sigmoid),
    "erf": ("erf({})", torch.erf),
    "softplus": ("softplus({})", torch.nn.functional.softplus),
    "relu": ("max({}, 0)", torch.relu),
    "negrelu": ("min({}, 0)", lambda u: torch.clamp(u, max=0.0)),
}

#: name -> (template with ``{a}`` and ``{b}``, torch function)
BINARY: dict[str, tuple[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]]] = {
    "add": ("{a} + {b}", torch.add),
    "sub": ("{a} - {b}", torch.sub),
    "mul": ("{a}*{b}", torch.mul),
    "div": ("{a}/(1 + abs({b}))", lambda a, b: a / (1 + torch.abs(b))),
    "max": ("max({a}, {b})", torch.maximum),
    "min": ("min({a}, {b})", torch.minimum),
    "gate": ("{a}*sigmoid({b})", lambda a, b: a * torch.sigmoid(b)),
}

#: inner scales a unary may carry (the searched constant beta); 1 means none
BETAS = (1.0, 0.5, 2.0)
_ATOMIC_UNARY = {"x", "abs", "sqrtabs", "exp", "logabs", "sin", "cos", "sinh", "tanh"}
_ATOMIC_UNARY |= {"sigmoid", "erf", "softplus", "relu", "negrelu"}


@dataclass(frozen=True)
class Expr:
    """One node: ``X``, ``Unary(op, beta, child)`` or ``Binary(op, left, right)``."""

    kind: str  # "x", "unary", "binary"
    op: str = ""
    beta: float = 1.0
    left: Expr | None = None
    right: Expr | None = None

    def text(self, var: str = "x") -> str:
        """The formula string (sympy-readable names; ``actviz new-plugin --formula``);
        ``var`` replaces x (``"(2*x + 1)"`` gives f(2x + 1))."""
        if self.kind == "x":
            return var
        if self.kind == "unary":
            inner = self.left.text(var)  # type: ignore[union-attr]
            if self.beta != 1.0:
                inner = f"{_num(self.beta)}*{_wrap(inner)}"
            template = UNARY[self.op][0]
            if template.startswith("{}") or template.startswith("-{}"):
                if template == "{}":
                    return inner
                inner = _wrap(inner)
            return template.format(inner)
        a, b = self.left.text(var), self.right.text(var)  # type: ignore[union-attr]
        template = BINARY[self.op][0]
        if self.op in ("mul", "gate", "div", "sub"):
            a = _wrap(a)
        if self.op in ("mul", "sub"):
            b = _wrap(b)
        return template.format(a=a, b=b)

    def torch(self, x: torch.Tensor) -> torch.Tensor:
        """The formula's values at ``x``, computed straight from the tree (no sympy)."""
        if self.kind == "x":
            return x
        if self.kind == "unary":
            inner = self.left.torch(x)  # type: ignore[union-attr]
            return UNARY[self.op][1](inner * self.beta if self.beta != 1.0 else inner)
        return BINARY[self.op][1](self.left.torch(x), self.right.torch(x))  # type: ignore[union-attr]

    def nodes(self) -> list[Expr]:
        """Every node, this one first (pre-order)."""
        out = [self]
        for child in (self.left, self.right):
            if child is not None:
                out += child.nodes()
        return out

    def size(self) -> int:
        return len(self.nodes())


X = Expr("x")


def unary(op: str, child: Expr = X, beta: float = 1.0) -> Expr:
    return Expr("unary", op, beta, child)


def binary(op: str, left: Expr, right: Expr) -> Expr:
    return Expr("binary", op, 1.0, left, right)


def _num(value: float) -> str:
    return f"{value:g}"


def _wrap(text: str) -> str:
    simple = text.replace("_", "").isalnum() or (text.endswith(")") and _balanced_call(text))
    simple = simple or (text.startswith("(") and _balanced_call("f" + text))
    return text if simple else f"({text})"


def _balanced_call(text: str) -> bool:
    """``name(...)`` whose first parenthesis closes at the end (a single call)."""
    start = text.find("(")
    if start <= 0 or not text[:start].isalnum():
        return False
    depth = 0
    for i, ch in enumerate(text[start:], start):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(text) - 1
    return False


@dataclass(frozen=True)
class Grammar:
    """Which primitives a search may use and how big its trees grow."""

    unary: tuple[str, ...] = tuple(UNARY)
    binary: tuple[str, ...] = tuple(BINARY)
    betas: tuple[float, ...] = BETAS
    #: chance that a drawn unary is the identity x (Swish needs x twice)
    p_identity: float = 0.2
    #: chances of a lone unary, one core unit and two nested units
    p_shapes: tuple[float, float, float] = (0.25, 0.6, 0.15)
    p_beta: float = 0.15

    def problems(self) -> list[str]:
        out = [f"unknown unary primitive {u!r}" for u in self.unary if u not in UNARY]
        out += [f"unknown binary primitive {b!r}" for b in self.binary if b not in BINARY]
        if not self.unary:
            out.append("the grammar needs at least one unary primitive")
        return out

    def random_unary(self, rng: random.Random, child: Expr = X) -> Expr:
        others = [u for u in self.unary if u != "x"]
        if "x" in self.unary and (not others or rng.random() < self.p_identity):
            return child
        op = rng.choice(others)
        beta = 1.0
        if len(self.betas) > 1 and rng.random() < self.p_beta:
            beta = rng.choice(self.betas[1:])
        return unary(op, child, beta)

    def core_unit(self, rng: random.Random, inner: Expr = X) -> Expr:
        if not self.binary:
            return self.random_unary(rng, inner)
        return binary(
            rng.choice(self.binary), self.random_unary(rng, inner), self.random_unary(rng)
        )

    def random_expr(self, rng: random.Random) -> Expr:
        """One candidate tree (see the module docstring for its shapes)."""
        shape = rng.choices(range(3), weights=self.p_shapes)[0]
        if shape == 0 or not self.binary:
            tree = self.random_unary(rng)
            return tree if tree.kind != "x" else unary(rng.choice(self.unary), X)
        if shape == 1:
            return self.core_unit(rng)
        return self.core_unit(rng, self.core_unit(rng))

    def mutate(self, tree: Expr, rng: random.Random) -> Expr:
        """One random change: a primitive swapped, a beta changed, a subtree redrawn."""
        nodes = tree.nodes()
        target = rng.choice(nodes)
        choice = rng.random()
        if target.kind == "unary" and choice < 0.5:
            new = Expr("unary", rng.choice(self.unary), target.beta, target.left)
            if new.op == "x":
                new = target.left  # type: ignore[assignment]
        elif target.kind == "unary" and choice < 0.7 and len(self.betas) > 1:
            new = Expr("unary", target.op, rng.choice(self.betas), target.left)
        elif target.kind == "binary" and choice < 0.6 and self.binary:
            new = Expr("binary", rng.choice(self.binary), 1.0, target.left, target.right)
        elif target.kind == "binary" and choice < 0.8:
            new = Expr("binary", target.op, 1.0, target.right, target.left)
        elif target.kind == "x":
            new = self.random_unary(rng) if rng.random() < 0.5 else self.core_unit(rng)
        else:
            new = self.random_expr(rng)
        out = replace(tree, target, new)
        return out if out.size() <= 9 else new

    def crossover(self, a: Expr, b: Expr, rng: random.Random) -> Expr:
        """``a`` with one of its subtrees replaced by one of ``b``'s."""
        out = replace(a, rng.choice(a.nodes()), rng.choice(b.nodes()))
        return out if out.size() <= 9 else a


def replace(tree: Expr, target: Expr, new: Expr) -> Expr:
    """``tree`` with the node ``target`` (by identity) replaced by ``new``."""
    if tree is target:
        return new
    left = replace(tree.left, target, new) if tree.left is not None else None
    right = replace(tree.right, target, new) if tree.right is not None else None
    if left is tree.left and right is tree.right:
        return tree
    return Expr(tree.kind, tree.op, tree.beta, left, right)


def all_small_formulas(grammar: Grammar) -> list[Expr]:
    """Every lone unary and every core unit ``b(u1(x), u2(x))`` (betas 1): the dictionary
    the symbolic fit searches."""
    ops = [u for u in grammar.unary if u != "x"]
    out = [unary(u) for u in ops]
    units = [X, *out]
    for b in grammar.binary:
        for u1 in units:
            for u2 in units:
                out.append(binary(b, u1, u2))
    return out

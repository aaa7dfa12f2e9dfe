"""The candidates a search has seen: formula trees compiled, checked and de-duplicated.

A proposed tree is refused before any race when its text was seen, when its curve
equals a kept candidate's up to ``a*f(b*x)+d`` (see :mod:`.affine`), when it is flat
or not finite on [-4, 4], or when the formula compiler refuses it (symbolic
derivative, size and time budget, run in the sandbox child). Each refusal is counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..formula import FormulaError
from ..formula.build import FormulaParts
from .affine import CurveIndex
from .grammar import Expr


@dataclass
class Candidate:
    """One raced formula and what the search learnt about it."""

    id: int
    expr: Expr
    formula: str
    parts: FormulaParts
    parents: tuple[int, ...] = ()
    origin: str = "random"
    #: ``{level: score}`` where a level is ``"STEPSxSEEDS"``
    scores: dict[str, float | None] = field(default_factory=dict)
    seeds: dict[str, int] = field(default_factory=dict)
    status: str = "new"
    cost: float | None = None

    @property
    def name(self) -> str:
        return f"cand{self.id}"

    def measured_cost(self) -> float:
        """Forward+backward time per element relative to ReLU (``analysis.train_cost``),
        measured the first time it is asked for and kept in ``cost``."""
        if self.cost is None:
            from ..analysis.train_cost import training_cost
            from ..formula.build import activation_from, formula_from_parts

            act = activation_from(self.name, formula_from_parts(self.parts))
            self.cost = training_cost(act, elements=1 << 14, repeats=3)
        return self.cost

    def curve(self):
        """The compiled formula as ``t -> f(t)`` (the torch code the races used)."""
        from ..formula.build import formula_from_parts

        fn = formula_from_parts(self.parts).fn
        return lambda t: fn(t)


class CandidatePool:
    """Compiles and keeps candidates; ``propose`` returns a new one or ``None``."""

    def __init__(self, sandboxed: bool = True, compile_limit_s: float = 3.0) -> None:
        self.sandboxed = sandboxed
        self.compile_limit_s = compile_limit_s
        self.candidates: list[Candidate] = []
        self.refused: Counter[str] = Counter()
        self.proposed = 0
        self._texts: set[str] = set()
        self._index = CurveIndex()

    def propose(self, expr: Expr, parents: tuple[int, ...] = (), origin: str = "random"):
        """The new :class:`Candidate` for ``expr``, or ``None`` (and the reason counted)."""
        self.proposed += 1
        text = expr.text()
        if text in self._texts:
            self.refused["same text"] += 1
            return None
        self._texts.add(text)
        verdict, _ = self._index.check(expr.torch)
        if verdict != "ok":
            self.refused[verdict] += 1
            return None
        try:
            parts = self._compile(text)
        except FormulaError:
            self.refused["compile failed"] += 1
            return None
        candidate = Candidate(len(self.candidates), expr, text, parts, parents, origin)
        self.candidates.append(candidate)
        self._index.add(expr.torch, candidate.id)
        return candidate

    def _compile(self, text: str) -> FormulaParts:
        if self.sandboxed:
            from ..formula import shared_sandbox

            return shared_sandbox().parts(text, limit_s=self.compile_limit_s)
        from ..formula.build import formula_parts

        return formula_parts(text)

    def counts(self) -> dict[str, Any]:
        return {
            "proposed": self.proposed,
            "kept": len(self.candidates),
            "refused": dict(self.refused),
        }

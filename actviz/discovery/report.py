"""The search's report: ranked candidates with cost, the Pareto front, fresh-seed verdicts."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .affine import curve_error

if TYPE_CHECKING:
    from .run import Search

#: candidates whose training cost is measured (and which can be on the Pareto front)
COST_TOP = 20
#: how many of the best get their curve error to a teacher's activation
TEACHER_TOP = 10


def pareto_front(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries no other entry beats on both score (higher) and cost (lower)."""
    front = []
    for p in points:
        dominated = any(
            q is not p
            and q["score"] >= p["score"]
            and q["cost"] <= p["cost"]
            and (q["score"] > p["score"] or q["cost"] < p["cost"])
            for q in points
        )
        if not dominated:
            front.append(p)
    return sorted(front, key=lambda e: -e["score"])


def _teacher_curves(tasks: list[str]) -> dict[str, Any]:
    from ..formula import FormulaError, compile_formula
    from .teacher import PREFIX

    out = {}
    for task in tasks:
        if task.startswith(PREFIX):
            try:
                out[task] = compile_formula(task[len(PREFIX) :]).fn
            except FormulaError:
                continue
    return out


def build_report(search: Search) -> dict[str, Any]:
    from .verify import verify

    s = search.settings
    ranked = search.ranking()
    teachers = _teacher_curves(s.tasks)
    rows = []
    for i, c in enumerate(ranked):
        key = search.reported_level(c)
        score = c.scores[key] if key is not None else None
        if i < COST_TOP and score is not None:
            c.measured_cost()
        row: dict[str, Any] = {
            "formula": c.formula,
            "score": score,
            "cost": c.cost,
            "seeds": c.seeds.get(key, 0) if key is not None else 0,
            "level": key,
            "status": c.status if key is not None else "pruned",
            "id": c.id,
            "origin": c.origin,
            "parents": [search.pool.candidates[p].formula for p in c.parents],
            "scores": dict(c.scores),
        }
        if i < TEACHER_TOP and teachers:
            row["teacher_error"] = {t: curve_error(c.curve(), fn) for t, fn in teachers.items()}
        rows.append(row)
    full = search.full_level()  # the Pareto front compares everyone at one fidelity
    costed = [
        {"formula": r["formula"], "score": r["scores"][full], "cost": r["cost"]}
        for r in rows
        if r["cost"] is not None and _finite(r["scores"].get(full))
    ]
    rate = search.evaluations / search.race_seconds if search.race_seconds > 0 else None
    return {
        "settings": s.to_dict(),
        "search_id": search.search_id,
        "metric": "mean final test metric over seeds and tasks",
        "candidates": rows,
        "pareto": pareto_front(costed),
        "pareto_level": full,
        "verified": verify(search, ranked[: s.verify_top]),
        "counts": search.pool.counts(),
        "races": {"trained": search.trained, "reused": search.reused},
        "rate": {
            "evaluations": search.evaluations,
            "race_seconds": search.race_seconds,
            "per_second": rate,
            "unit": "candidate x seed x step updates per second of racing",
        },
        "elapsed_s": search.elapsed(),
    }


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)

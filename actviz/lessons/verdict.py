"""A lesson's verdict: whether its claim held in one run, and the numbers behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .jsonable import jsonable


@dataclass
class Verdict:
    """Whether the claim held in this run, in one sentence, with the numbers behind it."""

    holds: bool
    summary: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "holds": bool(self.holds),
            "summary": self.summary,
            "numbers": {k: jsonable(v) for k, v in self.numbers.items()},
        }

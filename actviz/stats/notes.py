"""What a summary's numbers cannot promise, in words: one source for the command line's
notes and the notebook API's warnings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .intervals import MIN_ASSURED_N
from .sequential import STOPPING_BIAS


def reliability_notes(summary: Sequence[Mapping[str, Any]]) -> list[str]:
    """Too few seeds for the intervals to cover (measured below :data:`MIN_ASSURED_N`),
    and what a sequential verdict does not correct; ``[]`` when neither applies."""
    notes = []
    pairs = [e["vs_baseline"]["n"] for e in summary if "vs_baseline" in e]
    if pairs and max(pairs) < MIN_ASSURED_N:
        notes.append(
            f"with {max(pairs)} paired seeds the 95% intervals cover less than 95% "
            f"(measured); use at least {MIN_ASSURED_N} seeds, or --until-decided"
        )
    if any("sequential" in e.get("vs_baseline", {}) for e in summary):
        notes.append(f"seeds until decided is group-sequential; {STOPPING_BIAS}")
    return notes

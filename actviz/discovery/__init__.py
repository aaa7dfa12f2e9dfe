"""Discovering activations: search formulas with batched races, verify on fresh seeds.

:func:`run_search` runs a search (``actviz search``, ``actviz.search(...)``);
:mod:`.grammar` is the formula space, :mod:`.affine` the behavioural duplicates and the
affine fit, :mod:`.teacher` the ``teacher:SPEC`` tasks, :mod:`.symbolic` the fit of
grammar formulas to a learned curve. Nothing here imports Qt.
"""

from __future__ import annotations

from typing import Any

from .settings import STRATEGIES, SearchSettings

__all__ = ["STRATEGIES", "Search", "SearchSettings", "run_search"]


def __getattr__(name: str) -> Any:
    """``run_search`` and ``Search`` load on first use: they bring the formula compiler
    (sympy), which a task plugin importing :mod:`.teacher` should not pay for."""
    if name == "run_search":
        from .driver import run_search

        return run_search
    if name == "Search":
        from .run import Search

        return Search
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

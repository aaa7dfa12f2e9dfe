"""Discovering activations: search formulas with batched races, verify on fresh seeds.

:func:`run_search` runs a search (``actviz search``, ``actviz.search(...)``);
:mod:`.grammar` is the formula space, :mod:`.affine` the behavioural duplicates and the
affine fit, :mod:`.teacher` the ``teacher:SPEC`` tasks, :mod:`.symbolic` the fit of
grammar formulas to a learned curve. Nothing here imports Qt.
"""

from .driver import run_search
from .run import Search
from .settings import STRATEGIES, SearchSettings

__all__ = ["STRATEGIES", "Search", "SearchSettings", "run_search"]

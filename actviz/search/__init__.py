"""Discover activations: search formulas with batched races, verify on fresh seeds.

:func:`run_search` runs a search (``actviz search``, ``actviz.search(...)``);
:mod:`.grammar` is the formula space, :mod:`.affine` the behavioural duplicates and the
affine fit, :mod:`.teacher` the ``teacher:SPEC`` tasks, :mod:`.symbolic` the fit of
grammar formulas to a learned curve. Nothing here imports Qt.
"""

import sys
import types
from typing import Any

from .run import Search, run_search
from .settings import STRATEGIES, SearchSettings

__all__ = ["STRATEGIES", "Search", "SearchSettings", "run_search"]


class _CallablePackage(types.ModuleType):
    """``actviz.search(...)`` stays the notebook function once this package is imported
    (importing a subpackage makes it the parent's attribute of that name)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from ..notebook import search

        return search(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage

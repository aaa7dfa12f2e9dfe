"""What a hook returned, checked like any other input before anything uses it.

A hook may return a list, a tuple or any iterable (a generator included); items are
taken one at a time so that an error part-way keeps the items before it. Each
activation is then checked on its own (:func:`activation_problem`): a bad ``Param`` or
a non-finite default refuses that activation only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..api import Activation
from ..deferred_errors import collecting, contract_error
from ..plugin_trace import located

#: More items than this from one hook is a runaway generator, not a catalogue.
MAX_ITEMS = 10_000


@dataclass
class HookOutcome:
    """The items a hook gave and the problems met while reading them."""

    items: list[Any]
    problems: list[str]
    exception: BaseException | None = None


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def call_hook(hook_name: str, function: Callable[[], Any]) -> HookOutcome:
    """Call a hook implementation and read its result, item by item.

    ``SystemExit`` and other ``BaseException`` from the plugin are reported, never
    passed on (only ``KeyboardInterrupt`` is).
    """
    try:
        with collecting():
            result = function()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit in a plugin must not end the app
        return HookOutcome([], [f"{hook_name}() raised {describe(exc)}{located(exc)}"], exc)
    if result is None:
        return HookOutcome([], [f"{hook_name}() returned None: did the hook forget `return`?"])
    if isinstance(result, (str, bytes, dict, Activation)) or not _iterable(result):
        hint = ": wrap it in [ ]" if isinstance(result, Activation) else ""
        return HookOutcome(
            [], [f"{hook_name}() returned {type(result).__name__}, expected a list{hint}"]
        )
    return _read_items(hook_name, result)


def _iterable(value: Any) -> bool:
    """Whether ``value`` claims to be iterable (a list, a generator...). One whose
    ``__iter__`` then raises is read by :func:`_read_items`, which says that iterating
    it failed, not that it was no list."""
    kind = type(value)
    return getattr(kind, "__iter__", None) is not None or hasattr(kind, "__getitem__")


def _read_items(hook_name: str, result: Any) -> HookOutcome:
    items: list[Any] = []
    outcome = HookOutcome(items, [])
    try:
        with collecting():
            iterator: Iterator[Any] = iter(result)
            for item in iterator:
                if len(items) == MAX_ITEMS:
                    outcome.problems.append(
                        f"{hook_name}() gave more than {MAX_ITEMS} items; the rest are ignored"
                    )
                    break
                items.append(item)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001
        kept = f"the {len(items)} before it are kept" if items else "nothing was kept"
        outcome.problems.append(
            f"iterating what {hook_name}() returned (a {type(result).__name__}) raised "
            f"{describe(exc)} after {len(items)} item(s); {kept}"
        )
        outcome.exception = exc
    return outcome


def _param_problem(param: Any) -> str | None:
    recorded = contract_error(param)
    if recorded:
        return recorded
    name = getattr(param, "name", "?")
    for field in ("default", "min", "max"):
        value = getattr(param, field, None)
        if field != "default" and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue  # non-numbers (shaped or choice params) are checked by validation
        if math.isnan(value) or (field == "default" and math.isinf(value)):
            return f"parameter {name!r}: {field} {value} is not a finite number"
    return None


def activation_problem(item: Activation) -> str | None:
    """Why an activation a hook returned cannot be used as it is, or ``None``."""
    recorded = contract_error(item)
    if recorded:
        return recorded
    for param in getattr(item, "params", ()):
        problem = _param_problem(param)
        if problem:
            return problem
    return None


def item_label(item: Any, index: int) -> str:
    """How to name an item in a message even when its ``name`` is unusable."""
    name = getattr(item, "name", None)
    return repr(name) if isinstance(name, str) and name else f"item {index + 1}"

"""Contract errors that can wait: one bad ``Param`` must not sink the list it is in.

A hook builds its whole list in one expression, so a ``Param(min > max)`` raising inside
it would lose every sound activation beside it. While the plugin host calls a hook
(inside :func:`collecting`), the constructors of the contract types record their error
on the object instead of raising; the host then refuses just that object, by name.
Outside the host (a plugin author's own script, the tests) they raise as usual.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

_COLLECTING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "actviz_collecting_contract_errors", default=False
)
ATTRIBUTE = "_actviz_contract_error"
T = TypeVar("T", bound=Callable[[Any], None])


def deferrable(post_init: T) -> T:
    """Decorate a dataclass ``__post_init__`` whose ``ValueError``/``TypeError`` may wait."""

    @functools.wraps(post_init)
    def wrapper(self: Any) -> None:
        if not _COLLECTING.get():
            post_init(self)
            return
        try:
            post_init(self)
        except (ValueError, TypeError) as exc:
            object.__setattr__(self, ATTRIBUTE, str(exc))

    return wrapper  # type: ignore[return-value]


@contextmanager
def collecting() -> Iterator[None]:
    """Within this block (this thread or task only), contract errors are recorded, not raised."""
    token = _COLLECTING.set(True)
    try:
        yield
    finally:
        _COLLECTING.reset(token)


def contract_error(obj: object) -> str | None:
    """The error a constructor recorded on ``obj`` under :func:`collecting`, if any."""
    return getattr(obj, ATTRIBUTE, None)

"""Point a plugin error at the line to fix: the plugin's own frames, and a one-line hint.

A traceback through validation shows mostly actviz and torch; the author needs the
frames in their own file (:func:`trimmed_traceback`, :func:`plugin_line`) and, for the
mistakes torch makes easy, what to write instead (:func:`hint`).
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

_ACTVIZ = str(Path(__file__).resolve().parent) + os.sep
_STDLIB = os.path.dirname(os.__file__) + os.sep

#: One-line hints, keyed by what ends up in the exception's message.
IF_ON_TENSOR = (
    "hint: `if`, `and`, `or` and `not` need one True/False, but x holds many values; "
    "write torch.where(x > 0, a, b) instead"
)
VECTOR_INDEX = (
    "hint: in a race a vector parameter p is shaped [models, 1, 1, k]: take its i-th "
    "coefficient with p[..., i], not p[i]"
)
FIXED_DEVICE = (
    "hint: make new tensors from x so they follow its device and dtype: "
    "torch.full_like(x, v), torch.zeros_like(x) or x.new_full(shape, v), or pass "
    "device=x.device, dtype=x.dtype"
)


def _is_torch(filename: str) -> bool:
    return f"{os.sep}torch{os.sep}" in filename or f"{os.sep}functorch{os.sep}" in filename


def is_plugin_file(filename: str) -> bool:
    """True for frames in an author's code: not actviz itself, torch or the standard library."""
    if filename.startswith("<"):
        return False
    return not (filename.startswith(_ACTVIZ) or filename.startswith(_STDLIB) or _is_torch(filename))


def plugin_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The frames of ``exc``'s traceback that run plugin code, outermost first."""
    return [f for f in traceback.extract_tb(exc.__traceback__) if is_plugin_file(f.filename)]


def describe_frame(frame: traceback.FrameSummary) -> str:
    """``/path/plug.py line 4 in f: "if x > 0:"``."""
    code = f': "{frame.line.strip()}"' if frame.line else ""
    return f"{frame.filename} line {frame.lineno} in {frame.name}{code}"


def plugin_line(exc: BaseException) -> str | None:
    """Where in the plugin ``exc`` was raised (the innermost plugin frame), or ``None``."""
    frames = plugin_frames(exc)
    return describe_frame(frames[-1]) if frames else None


def trimmed_traceback(exc: BaseException) -> str:
    """The traceback with only the plugin's frames, then the exception line."""
    frames = plugin_frames(exc)
    lines = ["Traceback (plugin frames only):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def hint(exc: BaseException) -> str | None:
    """A one-line fix for a known torch pitfall behind ``exc``, or ``None``."""
    text = str(exc)
    if "Boolean value of Tensor with more than one value is ambiguous" in text:
        return IF_ON_TENSOR
    if "on the same device" in text or "is not on the expected device" in text:
        return FIXED_DEVICE
    return None


def located(exc: BaseException) -> str:
    """``" at FILE line N in f: code; hint: ..."``, whatever of it is known ('' if nothing)."""
    parts = []
    where = plugin_line(exc)
    if where:
        parts.append(f" at {where}")
    tip = hint(exc)
    if tip:
        parts.append(f"; {tip}")
    return "".join(parts)


def defined_at(fn: object) -> str | None:
    """``/path/plug.py line 12`` where a plugin function is defined, or ``None``."""
    import inspect

    try:
        code = inspect.unwrap(fn).__code__  # type: ignore[arg-type, attr-defined]
    except (AttributeError, ValueError):
        return None
    if not is_plugin_file(code.co_filename):
        return None
    return f"{code.co_filename} line {code.co_firstlineno}"

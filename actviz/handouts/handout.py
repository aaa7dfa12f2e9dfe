"""Handout files (``*.actviz-handout``): a Playground setup a teacher hands to a class.

Earlier versions called these "lesson files" (``*.actviz-lesson``, format tag
``actviz-lesson``); they open unchanged. "Lesson" now means only a claim run as an
experiment (:mod:`actviz.lessons`).

A handout file is JSON: a format tag and version, a title and notes, the race the
Playground's form describes (``setup``: a :meth:`RaceConfig.to_dict`), what the views
show (``view``) and which form controls students may not change (``locked``).

Qt-free, so it can be checked and written without a screen. Reading is forgiving where
it can be and honest where it cannot: a file that is not a handout at all raises
:class:`HandoutFileError` with one clear message; a handout with some bad values opens
with everything else restored and each value left out named in ``problems``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..training.config import RaceConfig

FORMAT = "actviz-handout"
VERSION = 1
SUFFIX = ".actviz-handout"
#: What earlier versions wrote (same content under the old name): read, never written.
OLD_FORMAT = "actviz-lesson"
OLD_SUFFIX = ".actviz-lesson"
SUFFIXES = (SUFFIX, OLD_SUFFIX)
#: Race settings with no control in the Playground's form: kept in the file, restored
#: only where they hold their default (else named as not restored). The architecture
#: and its options have controls (the Playground's architecture chooser).
NOT_IN_FORM = ("eval_every", "boundary_grid", "strategy", "threads", "inits_per_draw")


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_number(lo: float, hi: float) -> Callable[[Any], bool]:
    return lambda v: (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and math.isfinite(v)
        and lo <= v <= hi
    )


#: What the views remember, and what a valid value of each is.
VIEW_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "tab": (lambda v: isinstance(v, str) and bool(v), "a panel name"),
    "playground_view": (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 32,
        "a view index",
    ),
    "log_loss": (_is_bool, "true or false"),
    "show_train": (_is_bool, "true or false"),
    "smoothing": (_is_number(0.0, 0.99), "a number in [0, 0.99]"),
    "threshold": (_is_number(-10.0, 1.0), "a number in [-10, 1]"),
}


class HandoutFileError(Exception):
    """The file cannot be used as a handout at all; the message says why."""


@dataclass
class Handout:
    """One handout: see the module docstring."""

    title: str = ""
    notes: str = ""
    setup: dict[str, Any] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)
    locked: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "title": self.title,
            "notes": self.notes,
            "setup": self.setup,
            "view": self.view,
            "locked": list(self.locked),
        }


@dataclass
class OpenedHandout:
    """A handout as read: only what can be restored, and every value left out, named."""

    handout: Handout
    problems: list[str] = field(default_factory=list)


def handout_path(path: str | os.PathLike[str]) -> Path:
    """``path`` with the handout suffix added when it has none (an old ``.actviz-lesson``
    name is kept: saving over an old file replaces it rather than writing a twin)."""
    p = Path(path)
    return p if p.name.endswith(SUFFIXES) else p.with_name(p.name + SUFFIX)


def write_handout(path: str | os.PathLike[str], handout: Handout) -> Path:
    """Write ``handout`` (atomically: a crash never leaves half a file); returns the path."""
    target = handout_path(path)
    text = json.dumps(handout.to_json(), indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".handout-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_handout(
    path: str | os.PathLike[str],
    activations: Mapping[str, Any] | None = None,
    tasks: Mapping[str, Any] | None = None,
    lockable: Collection[str] | None = None,
) -> OpenedHandout:
    """Read and check a handout file (see :func:`check_handout`)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise HandoutFileError(f"cannot read {p.name}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HandoutFileError(f"{p.name} is not a handout file: it is not valid JSON") from exc
    return check_handout(data, activations, tasks, lockable, name=p.name)


def check_handout(
    data: Any,
    activations: Mapping[str, Any] | None = None,
    tasks: Mapping[str, Any] | None = None,
    lockable: Collection[str] | None = None,
    name: str = "the file",
) -> OpenedHandout:
    """The restorable part of a parsed handout file. ``activations`` and ``tasks`` (the
    loaded ones) and ``lockable`` (the form's control names) are checked when given."""
    if not isinstance(data, dict):
        raise HandoutFileError(f"{name} is not a handout file: it holds no JSON object")
    tag = data.get("format")
    if tag not in (FORMAT, OLD_FORMAT):
        raise HandoutFileError(
            f"{name} is not a handout file: its format is {tag!r}, not {FORMAT!r}"
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise HandoutFileError(f"{name}: the handout version {version!r} is not a version number")
    if version > VERSION:
        raise HandoutFileError(
            f"{name} was written by a newer actviz (handout version {version}; this one "
            f"reads up to {VERSION}): update actviz to open it"
        )
    setup = data.get("setup", {})
    if not isinstance(setup, dict):
        raise HandoutFileError(f"{name}: 'setup' must be an object, got {type(setup).__name__}")
    problems: list[str] = []
    title = _text(data, "title", problems)
    notes = _text(data, "notes", problems)
    clean_setup = check_setup(setup, activations, tasks, problems)
    view = _check_view(data.get("view", {}), problems)
    locked = _check_locked(data.get("locked", []), lockable, problems)
    return OpenedHandout(Handout(title, notes, clean_setup, view, locked), problems)


def _text(data: Mapping[str, Any], key: str, problems: list[str]) -> str:
    value = data.get(key, "")
    if isinstance(value, str):
        return value
    problems.append(f"{key}: must be text, got {type(value).__name__}; left empty")
    return ""


def check_setup(
    setup: Mapping[str, Any],
    activations: Mapping[str, Any] | None,
    tasks: Mapping[str, Any] | None,
    problems: list[str],
) -> dict[str, Any]:
    """The fields of ``setup`` that make a valid race, one field at a time; each field
    left out (and each unknown activation) is added to ``problems``."""
    known = {f.name for f in fields(RaceConfig)}
    clean: dict[str, Any] = {}
    for key in setup:
        if key not in known:
            problems.append(f"{key}: not a setting this version of actviz knows; ignored")
    if "activations" in setup:
        names = setup["activations"]
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            unknown = [n for n in names if not _activation_ok(n, activations)]
            for n in unknown:
                problems.append(
                    f"activations: unknown activation {n!r} (not loaded here); left out"
                )
            clean["activations"] = [n for n in names if n not in unknown]
        else:
            problems.append(f"activations: must be a list of names, got {names!r}; not restored")
    if "params" in setup:
        clean["params"] = _check_params(setup["params"], clean, activations, problems)
    for key in sorted(known - {"activations", "params"}):
        if key not in setup:
            continue
        value = setup[key]
        reason = _field_problem(key, value, activations, tasks)
        if reason is None:
            clean[key] = value
        else:
            problems.append(f"{key}: {reason}; not restored")
    return clean


def _activation_ok(name: str, activations: Mapping[str, Any] | None) -> bool:
    """Whether ``name`` can be raced here (``RaceConfig.validate`` decides, so any
    spelling it accepts is accepted)."""
    problems = RaceConfig(activations=[name]).validate(activations)
    return not any(p.startswith("activations:") for p in problems)


def _field_problem(
    key: str, value: Any, activations: Mapping[str, Any] | None, tasks: Mapping[str, Any] | None
) -> str | None:
    """Why ``key = value`` cannot be part of a race (``None`` when it can)."""
    base = RaceConfig().to_dict()
    base[key] = value
    try:
        config = RaceConfig.from_dict(base)
    except (TypeError, ValueError) as exc:
        return f"{value!r} is not usable ({exc})"
    for problem in config.validate(activations, tasks):
        name, _, reason = problem.partition(":")
        if name.strip() == key:
            return reason.strip()
    return None


def _check_params(
    params: Any,
    clean: Mapping[str, Any],
    activations: Mapping[str, Any] | None,
    problems: list[str],
) -> dict[str, dict[str, Any]]:
    if not isinstance(params, dict):
        problems.append(f"params: must be an object, got {type(params).__name__}; not restored")
        return {}
    raced = set(clean.get("activations", []))
    out: dict[str, dict[str, Any]] = {}
    for act, values in params.items():
        if act not in raced:
            problems.append(f"params: {act!r} is not among the restored activations; left out")
            continue
        if not isinstance(values, dict):
            problems.append(f"params: {act} must map names to values; left out")
            continue
        for pname, value in values.items():
            config = RaceConfig(activations=[act], params={act: {pname: value}})
            bad = [p for p in config.validate(activations) if p.startswith("params:")]
            if bad:
                problems.append(f"{bad[0].partition(':')[2].strip()}; left out")
            else:
                out.setdefault(act, {})[pname] = value
    return out


def _check_view(view: Any, problems: list[str]) -> dict[str, Any]:
    if not isinstance(view, dict):
        problems.append(f"view: must be an object, got {type(view).__name__}; not restored")
        return {}
    out: dict[str, Any] = {}
    for key, value in view.items():
        check = VIEW_FIELDS.get(key)
        if check is None:
            problems.append(f"view.{key}: not a view setting this version knows; ignored")
        elif check[0](value):
            out[key] = value
        else:
            problems.append(f"view.{key}: must be {check[1]}, got {value!r}; not restored")
    return out


def _check_locked(locked: Any, lockable: Collection[str] | None, problems: list[str]) -> list[str]:
    if not isinstance(locked, list):
        problems.append(f"locked: must be a list of control names, got {locked!r}; none locked")
        return []
    out: list[str] = []
    for name in locked:
        if not isinstance(name, str) or (lockable is not None and name not in lockable):
            problems.append(f"locked: there is no control {name!r} to lock")
        elif name not in out:
            out.append(name)
    return out


def summary(problems: list[str], limit: int = 8) -> str:
    """The problems as one message (the first ``limit``, then a count)."""
    shown = problems[:limit]
    more = len(problems) - len(shown)
    text = "\n".join(f"• {p}" for p in shown)
    return text + (f"\n… and {more} more" if more > 0 else "")

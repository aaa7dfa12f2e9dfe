"""The user's own data: a CSV file with a header row becomes a task (``--task csv:PATH``).

The first row names the columns; one of them is the target, every other column is an
input and must be numeric. A bad file is refused with :class:`CsvTaskError`, whose
message is one line saying what is wrong and where. Imported files are copied into
the user's data folder (``datasets/``) with a small JSON note of their target and kind,
and are listed as tasks from then on.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import user_data_dir
from .tabular import table_task
from .task import Task

KINDS = ("auto", "classification", "regression")
#: Cells read as missing (as pandas reads them by default, the common ones).
MISSING = {"", "na", "nan", "n/a", "null", "none", "?", "-nan", "#n/a"}
#: An integer target with at most this many distinct values is read as classes (auto kind).
MAX_AUTO_CLASSES = 20
MIN_ROWS = 4


class CsvTaskError(ValueError):
    """A CSV file that cannot be a task; the message is one line."""


@dataclass
class CsvTable:
    """The parsed file: column names and the cells of every data row, as text."""

    path: Path
    columns: list[str]
    rows: list[list[str]]


def read_csv_table(path: str | Path) -> CsvTable:
    """Parse ``path`` (comma-separated, header row first); refuse what is not a table."""
    path = Path(path)
    if not path.is_file():
        raise CsvTaskError(f"{path}: no such file")
    raw = path.read_bytes()
    if not raw.strip():
        raise CsvTaskError(f"{path}: the file is empty")
    if b"\0" in raw[:4096]:
        raise CsvTaskError(f"{path}: not a CSV text file (it holds binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvTaskError(f"{path}: not a CSV text file (not UTF-8 text)") from None
    try:
        records = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise CsvTaskError(f"{path}: not a CSV file ({exc})") from None
    columns = [c.strip() for c in records[0]]
    if len(columns) < 2:
        raise CsvTaskError(
            f"{path}: found 1 column; a task needs a target and at least one input, "
            "separated by commas"
        )
    if len(set(columns)) != len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise CsvTaskError(f"{path}: column names appear twice: {', '.join(twice)}")
    for line, record in enumerate(records[1:], start=2):
        if len(record) != len(columns):
            raise CsvTaskError(
                f"{path}: line {line} has {len(record)} fields, the header has {len(columns)}"
            )
    return CsvTable(path, columns, [[c.strip() for c in r] for r in records[1:]])


def csv_task(path: str | Path, target: str, kind: str = "auto", name: str | None = None) -> Task:
    """A task from a CSV file: ``target`` is predicted from every other column.

    :param kind: ``classification``, ``regression`` or ``auto`` (text labels, or whole
        numbers with at most 20 distinct values, are classes; anything else is regressed).
    :param name: the task's name (default ``csv:PATH``).
    """
    if kind not in KINDS:
        raise CsvTaskError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    table = read_csv_table(path)
    where = table.path
    if target not in table.columns:
        raise CsvTaskError(
            f"{where}: no column {target!r}; the columns are {', '.join(table.columns)}"
        )
    if len(table.rows) < MIN_ROWS:
        rows = len(table.rows)
        raise CsvTaskError(
            f"{where}: {rows} data row{'s' if rows != 1 else ''}; a task needs at least {MIN_ROWS}"
        )
    _refuse_missing(table)
    t = table.columns.index(target)
    inputs = [i for i in range(len(table.columns)) if i != t]
    _refuse_text(table, inputs)
    x = np.array([[float(r[i]) for i in inputs] for r in table.rows], dtype=float)
    if not np.isfinite(x).all():
        raise CsvTaskError(f"{where}: an input is infinite or too large for a float")
    labels = [r[t] for r in table.rows]
    kind = _kind(labels) if kind == "auto" else kind
    extras: dict = {"rows": len(x), "source": str(where), "target": target}
    if kind == "regression":
        y = _numbers(labels, where, target)
        classes, what = 0, "regression"
    else:
        names, y = _classes(labels)
        if len(names) < 2:
            raise CsvTaskError(
                f"{where}: the target {target!r} has a single class ({names[0]!r}): "
                "nothing to classify"
            )
        classes, what = len(names), f"{len(names)} classes"
        extras["class_names"] = names
    description = f"{where.name}: {len(x)} rows, {len(inputs)} inputs, target {target} ({what})"
    return table_task(
        name or f"csv:{path}",
        lambda: (x, y),
        input_dim=len(inputs),
        classes=classes,
        description=description,
        extras=extras,
    )


def _refuse_missing(table: CsvTable) -> None:
    counts: dict[str, int] = {}
    first: tuple[int, str] | None = None
    for line, row in enumerate(table.rows, start=2):
        for name, cell in zip(table.columns, row, strict=True):
            if cell.lower() in MISSING:
                counts[name] = counts.get(name, 0) + 1
                first = first or (line, name)
    if counts:
        total = sum(counts.values())
        per = ", ".join(f"{n} in {c!r}" for c, n in counts.items())
        raise CsvTaskError(
            f"{table.path}: {total} missing value{'s' if total != 1 else ''} ({per}; first on "
            f"line {first[0]}); fill or drop them"
        )


def _refuse_text(table: CsvTable, columns: list[int]) -> None:
    bad: list[str] = []
    example = ""
    for i in columns:
        for line, row in enumerate(table.rows, start=2):
            if not _is_number(row[i]):
                bad.append(repr(table.columns[i]))
                example = example or f"{row[i]!r} on line {line}"
                break
    if bad:
        raise CsvTaskError(
            f"{table.path}: non-numeric input column{'s' if len(bad) > 1 else ''} "
            f"{', '.join(bad)} (e.g. {example}); drop or encode them as numbers"
        )


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _kind(labels: list[str]) -> str:
    if not all(_is_number(v) for v in labels):
        return "classification"
    values = {float(v) for v in labels}
    whole = all(math.isfinite(v) and v == int(v) for v in values)
    return "classification" if whole and len(values) <= MAX_AUTO_CLASSES else "regression"


def _numbers(labels: list[str], where: Path, target: str) -> np.ndarray:
    for line, v in enumerate(labels, start=2):
        if not _is_number(v) or not math.isfinite(float(v)):
            raise CsvTaskError(
                f"{where}: regression needs a numeric target; {target!r} has {v!r} on line {line}"
            )
    return np.array([float(v) for v in labels])


def _classes(labels: list[str]) -> tuple[list[str], np.ndarray]:
    """Class names in sorted order (numerically when they are numbers) and the indices."""
    numeric = all(_is_number(v) for v in labels)
    key = (lambda v: float(v)) if numeric else (lambda v: v)
    by_value: dict = {}
    for v in labels:
        by_value.setdefault(key(v), v)
    ordered = sorted(by_value)
    index = {value: i for i, value in enumerate(ordered)}
    return [by_value[v] for v in ordered], np.array([index[key(v)] for v in labels])


# -- the user's imported files ---------------------------------------------------------


def datasets_dir() -> Path:
    """Where imported CSV files are kept (in the user's data folder)."""
    return user_data_dir() / "datasets"


def import_csv(path: str | Path, target: str, kind: str = "auto") -> Task:
    """Check ``path`` as a task, copy it into :func:`datasets_dir` and return the task.

    The copy is named after the file (``data.csv`` -> task ``csv:data``); a later
    import of a file with the same name replaces it.
    """
    source = Path(path)
    stem = _safe_stem(source)
    csv_task(source, target, kind)  # refuse a bad file before copying anything
    folder = datasets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{stem}.csv"
    if source.resolve() != copy.resolve():
        shutil.copyfile(source, copy)
    copy.with_suffix(".json").write_text(json.dumps({"target": target, "kind": kind}))
    return csv_task(copy, target, kind, name=f"csv:{stem}")


def imported_csv_tasks(folder: Path | None = None) -> tuple[list[Task], list[str]]:
    """The imported files as tasks, and a one-line problem for each file that is not one."""
    folder = datasets_dir() if folder is None else folder
    tasks, problems = [], []
    for note in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        data = folder / f"{note.stem}.csv"
        try:
            meta = json.loads(note.read_text())
            tasks.append(
                csv_task(data, meta["target"], meta.get("kind", "auto"), f"csv:{note.stem}")
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{data}: {exc}")
    return tasks, problems


def _safe_stem(path: Path) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in path.stem.lower())
    return stem.strip("_") or "data"

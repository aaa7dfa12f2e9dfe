"""Writing export files without Qt: format by suffix, early checks, atomic writes, CSV.

Kept apart from :mod:`actviz.gui.plot_image` so ``actviz plot -o f.csv`` and
``actviz train --json`` work where Qt is not installed.
All failures raise :class:`ExportError` with a message fit for a dialog.
"""

from __future__ import annotations

import csv
import errno
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

FORMATS = ("png", "svg", "pdf", "csv")


def _known() -> str:
    return ", ".join("." + f for f in FORMATS)


class ExportError(OSError):
    """An export that could not be written, with a message for the user."""


def format_for(path: Path) -> str:
    """The export format named by a file's suffix, or :class:`ExportError`."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        raise ExportError(f"{Path(path).name} has no file type: add an extension: {_known()}")
    if suffix not in FORMATS:
        raise ExportError(f"unknown file type '.{suffix}': use {_known()}")
    return suffix


def check_writable(path: Path) -> Path:
    """Fail early, with a clear reason, when ``path`` cannot be written."""
    path = Path(path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if not folder.exists():
        raise ExportError(f"the folder {folder} does not exist: create it first")
    if not folder.is_dir():
        raise ExportError(f"{folder} is a file, not a folder")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ExportError(f"no permission to write {path}")
    return path


def write_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file so a failed write never leaves half a file."""
    path = check_writable(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise ExportError(f"the disk is full: {path} was not written") from exc
        raise ExportError(f"could not write {path}: {exc.strerror or exc}") from exc


def csv_text(columns: Mapping[str, Sequence[float] | np.ndarray]) -> str:
    """CSV with a header row and one row per sample; floats keep full precision."""
    if not columns:
        raise ExportError("there is no data to export")
    names = list(columns)
    arrays = [np.asarray(columns[n], dtype=np.float64).reshape(-1) for n in names]
    length = len(arrays[0])
    if any(len(a) != length for a in arrays):
        raise ExportError("the columns to export have different lengths")
    lines = [",".join(_csv_field(n) for n in names)]
    for row in zip(*arrays, strict=True):
        lines.append(",".join(repr(float(v)) for v in row))
    return "\n".join(lines) + "\n"


def _csv_field(name: str) -> str:
    if any(c in name for c in ',"\n'):
        return '"' + name.replace('"', '""') + '"'
    return name


def export_csv(columns: Mapping[str, Sequence[float] | np.ndarray], path: str | Path) -> Path:
    """Write columns of numbers as CSV (``nan`` marks undefined values)."""
    path = Path(path)
    write_bytes(path, csv_text(columns).encode("utf-8"))
    return path


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    return str(value)


def export_table(columns: Mapping[str, Sequence[object]], path: str | Path) -> Path:
    """Write a table with text and numeric columns as CSV (full precision numbers)."""
    path = Path(path).expanduser()
    if not columns:
        raise ExportError("there is no data to export yet")
    names = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in zip(*(columns[n] for n in names), strict=True):
        writer.writerow([_cell(v) for v in row])
    write_bytes(path, buffer.getvalue().encode("utf-8"))
    return path

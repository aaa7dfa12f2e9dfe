"""Import CSV... in the Playground's task list: pick a file, pick the target column, and
the file becomes a task (copied into the user's data folder, listed from then on).

A file that cannot be a task is refused with the one-line reason from
:mod:`actviz.training.csv_task`; nothing is copied then.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from ...training.csv_task import CsvTaskError, import_csv, read_csv_table

#: The task combo's item data for the "Import CSV..." entry.
IMPORT_ITEM = "__import_csv__"


def ask_and_import(parent: QWidget) -> str | None:
    """Ask for a CSV file and its target column, import it; the new task's name or ``None``."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Import a CSV file as a task", "", "CSV files (*.csv);;All files (*)"
    )
    if not path:
        return None
    try:
        columns = read_csv_table(path).columns
    except CsvTaskError as exc:
        QMessageBox.warning(parent, "Cannot import this file", str(exc))
        return None
    target, ok = QInputDialog.getItem(
        parent,
        "Target column",
        f"The column of {Path(path).name} to predict (the others are the inputs):",
        columns,
        len(columns) - 1,
        False,
    )
    if not ok:
        return None
    return import_file(parent, path, target)


def import_file(parent: QWidget | None, path: str | Path, target: str) -> str | None:
    """Import ``path`` with ``target``; a refusal is shown, not raised."""
    try:
        return import_csv(path, target).name
    except (CsvTaskError, OSError) as exc:
        QMessageBox.warning(parent, "Cannot import this file", str(exc))
        return None

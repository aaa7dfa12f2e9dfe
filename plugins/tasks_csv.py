"""The user's imported CSV files (in the data folder's ``datasets/``) as tasks ``csv:NAME``.

A file that no longer reads as a task is left out with a warning; the rest load.
"""

from __future__ import annotations

import warnings

from actviz import hookimpl, imported_csv_tasks


@hookimpl
def actviz_tasks():
    tasks, problems = imported_csv_tasks()
    for problem in problems:
        warnings.warn(f"imported dataset left out: {problem}", stacklevel=2)
    return tasks

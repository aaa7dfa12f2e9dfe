"""actviz: a workbench for neural-network activation functions.

Plugin authors need only the names re-exported here::

    from actviz import hookimpl, Activation, Param

In a notebook, ``actviz.race(...)`` and ``actviz.bench(...)`` (see ``actviz.notebook``).
"""

from __future__ import annotations

from typing import Any

from .api import Activation, Param, hookimpl, hookspec

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "Param",
    "hookimpl",
    "hookspec",
    "Task",
    "Lesson",
    "Architecture",
    "race",
    "bench",
    "plan",
    "search",
    "table_task",
    "csv_task",
    "imported_csv_tasks",
    "__version__",
]

_LAZY = {
    "Task": ("actviz.training.task", "Task"),
    "Lesson": ("actviz.lessons.lesson", "Lesson"),
    "Architecture": ("actviz.architectures.base", "Architecture"),
    "race": ("actviz.notebook", "race"),
    "bench": ("actviz.notebook", "bench"),
    "plan": ("actviz.notebook", "plan"),
    "search": ("actviz.notebook", "search"),
    "table_task": ("actviz.training.tabular", "table_task"),
    "csv_task": ("actviz.training.csv_task", "csv_task"),
    "imported_csv_tasks": ("actviz.training.csv_task", "imported_csv_tasks"),
}


def __getattr__(name: str) -> Any:
    """Import the task and lesson types and the notebook API (``actviz.race``,
    ``actviz.bench``) on first use, keeping ``import actviz`` light (no torch)."""
    if name in _LAZY:
        import importlib

        module_name, attr = _LAZY[name]
        return getattr(importlib.import_module(module_name), attr)
    raise AttributeError(f"module 'actviz' has no attribute {name!r}")

"""House rules that keep the project livable: the Qt-free core, and a ruff-clean tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORE = ["actviz", "actviz.api", "actviz.host", "actviz.analysis.curves", "actviz.cli"]


def test_core_imports_no_qt_at_runtime():
    """Training, analysis and the CLI must run on a machine with torch and no Qt."""
    extra = [
        m
        for m in ("actviz.training", "actviz.storage", "actviz.formula", "actviz.lessons")
        if (REPO / m.replace(".", "/")).is_dir()
    ]
    code = (
        "import sys, importlib\n"
        f"for m in {CORE + extra!r}: importlib.import_module(m)\n"
        "from actviz.cli import build_parser; build_parser()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'superqt', 'shiboken6'))\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_import_contracts():
    proc = subprocess.run(["lint-imports"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:]


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff not installed")
def test_ruff_clean():
    lint = subprocess.run(["ruff", "check", "."], capture_output=True, text=True, cwd=REPO)
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = subprocess.run(
        ["ruff", "format", "--check", "."], capture_output=True, text=True, cwd=REPO
    )
    assert fmt.returncode == 0, fmt.stdout[-3000:]

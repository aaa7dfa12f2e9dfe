"""House rules that keep the project livable: the Qt-free core, and a ruff-clean tree.

The tools run from this interpreter's environment (``python -m ruff``, import-linter's
own entry function), so the checks run wherever the test dependencies are installed,
whatever is on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
QT = ("PySide6", "pyqtgraph", "superqt", "shiboken6")
LINT_IMPORTS = "from importlinter.cli import lint_imports; raise SystemExit(lint_imports())"


def test_every_module_outside_the_gui_imports_without_qt():
    """Training, analysis, the CLI and every feature package run with torch and no Qt:
    every module file outside ``actviz/gui/`` is imported (found on disk, none listed by
    hand; ``pkgutil.walk_packages`` would import the gui package itself to walk it) and
    no Qt module may be loaded afterwards."""
    names = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in (REPO / "actviz").rglob("*.py")
        if "gui" not in path.relative_to(REPO).parts[:2] and path.stem != "__main__"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {names!r}: importlib.import_module(m)\n"
        "from actviz.cli import build_parser; build_parser()\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT!r})\n"
        "print(len(sys.modules), bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert len(names) > 100  # the walk found the package, not an empty folder
    assert out.stdout.strip().split(" ", 1)[1] == "[]"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip(
        "importlinter", reason="import-linter is not installed (pip install .[test])"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS], capture_output=True, text=True, cwd=root, env=env
    )


def test_import_contracts():
    proc = _lint_imports(REPO)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "2 kept, 0 broken" in proc.stdout


@pytest.mark.parametrize(
    "where, line",
    [
        ("actviz/paths.py", "import PySide6.QtCore  # noqa"),
        ("actviz/newfeature/__init__.py", "from actviz.gui import theme  # noqa"),
        ("actviz/newfeature/__init__.py", "def later():\n    import pyqtgraph  # noqa"),
    ],
    ids=["core-imports-qt", "new-package-imports-gui", "new-package-imports-pyqtgraph-lazily"],
)
def test_the_contracts_break_when_a_core_module_reaches_qt(tmp_path, where, line):
    """The contract names no module, so a package added tomorrow is covered too."""
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copytree(REPO / "actviz", copy / "actviz", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    target = copy / where
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a") as fh:
        fh.write("\n" + line + "\n")
    proc = _lint_imports(copy)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "1 kept, 1 broken" in proc.stdout


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("ruff", reason="ruff is not installed (pip install .[test])")
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=REPO
    )


def test_ruff_clean():
    lint = _ruff("check", ".")
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = _ruff("format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout[-3000:]

"""scripts/install.sh on a system python that refuses pip (PEP 668) makes and uses a .venv.

The script runs for real in a copy of the scripts folder; only pip is replaced (through
ACTVIZ_INSTALL_PIP) by a stand-in that refuses the system python as Debian's pip does,
and records what it was asked to install.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

REFUSING_PIP = """#!/usr/bin/env bash
py=$1; shift
case "$py" in
  */.venv/bin/python) echo "$py $*" >> "$PIP_LOG"; exit 0 ;;
esac
if [ -n "${REFUSE:-}" ]; then
  echo "error: externally-managed-environment" >&2; exit 1
fi
echo "$py $*" >> "$PIP_LOG"
"""

# A base python whose venvs come without pip (the stand-in pip needs none; this keeps it fast).
BASE_PYTHON = """#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then shift 2; exec {real} -m venv --without-pip "$@"; fi
exec {real} "$@"
"""


def _executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def copy(tmp_path):
    if (
        shutil.which("dpkg")
        and subprocess.run(["dpkg", "-s", "xvfb"], capture_output=True).returncode
    ):
        pytest.skip("would install system packages on this machine")
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("install.sh", "python", "test", "launch"):
        shutil.copy2(REPO / "scripts" / name, repo / "scripts" / name)
    real = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    base = _executable(tmp_path / "base-python", BASE_PYTHON.format(real=real))
    pip = _executable(tmp_path / "pip", REFUSING_PIP)
    env = dict(os.environ, ACTVIZ_INSTALL_PIP=str(pip), PIP_LOG=str(tmp_path / "pip.log"))
    return repo, base, env, tmp_path / "pip.log"


def _install(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(repo / "scripts" / "install.sh"), *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_python_that_refuses_pip_gets_a_project_venv(copy):
    repo, base, env, log = copy
    done = _install(repo, dict(env, PYTHON=str(base), REFUSE="1"), "--test")
    assert done.returncode == 0, done.stdout + done.stderr
    venv_python = repo / ".venv" / "bin" / "python"
    assert venv_python.exists()
    config = (repo / ".venv" / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in config
    calls = log.read_text().splitlines()
    assert calls[-1] == f"{repo}/.venv/bin/python install --quiet -e .[data,test]"
    assert "not available here" not in done.stdout + done.stderr
    assert "PEP 668" in done.stdout
    # scripts/launch and scripts/test run through scripts/python: the venv from now on
    prefix = subprocess.run(
        [str(repo / "scripts" / "python"), "-c", "import sys; print(sys.prefix)"],
        env=env, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    assert Path(prefix) == repo / ".venv"


def test_a_python_that_accepts_pip_is_used_as_it_is(copy):
    repo, _base, env, log = copy
    done = _install(repo, dict(env, PYTHON=sys.executable))
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (repo / ".venv").exists()
    assert log.read_text().splitlines()[-1] == f"{sys.executable} install --quiet -e .[data]"


def test_scripts_test_keeps_pytests_no_tests_exit_code(copy, tmp_path):
    repo, _base, env, _log = copy
    (repo / "tests").mkdir()
    done = subprocess.run(
        [str(repo / "scripts" / "test"), "-q", "-p", "no:cacheprovider", "tests"],
        env=dict(env, PYTHON=sys.executable), capture_output=True, text=True, timeout=120,
        cwd=repo,
    )  # fmt: skip
    assert done.returncode == 5, done.stdout + done.stderr

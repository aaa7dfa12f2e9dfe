"""Bare ``actviz`` on a machine without a screen: a virtual screen or one line, never an abort."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from actviz.display import HOW_TO, has_display

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env_without_display(path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["PATH"] = path
    env["ACTVIZ_EXIT_AFTER_PAINT"] = "1"
    return env


def test_what_counts_as_a_display():
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert has_display({}, "darwin")


def test_without_xvfb_it_says_how_to_run_it_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "actviz.cli"],
        env=_env_without_display(str(tmp_path)),  # no xvfb-run on this PATH
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [HOW_TO]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run")
def test_with_xvfb_it_opens_the_window_on_a_virtual_screen():
    done = subprocess.run(
        [sys.executable, "-m", "actviz.cli"],
        env=_env_without_display(os.environ["PATH"]),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "virtual screen" in done.stderr
    assert "first paint after" in done.stdout

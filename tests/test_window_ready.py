"""The start-up probe ``bench/bench_window_ready.py`` reads: the app quits once it is
usable (plugins loaded, activations listed, painted) and says when."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import REPO


def test_the_app_reports_when_it_is_ready_with_every_activation_listed(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTVIZ_")}
    env.update(
        ACTVIZ_DATA_DIR=str(tmp_path / "data"),
        ACTVIZ_CACHE_DIR=str(tmp_path / "cache"),
        ACTVIZ_EXIT_WHEN_READY="1",
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(REPO),
    )
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--no-user-plugins"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = re.search(
        r"first paint after ([\d.]+) s; ready after ([\d.]+) s with (\d+) activations",
        done.stdout,
    )
    assert found, done.stdout + done.stderr
    first, ready, listed = float(found[1]), float(found[2]), int(found[3])
    assert 0 < first <= ready
    listed_by_cli = subprocess.run(
        [sys.executable, "-m", "actviz.cli", "list", "--no-user-plugins"],
        env={k: v for k, v in env.items() if k != "ACTVIZ_EXIT_WHEN_READY"},
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    assert f"{listed} activations ok" in listed_by_cli


def test_starting_the_app_or_a_command_does_not_import_matplotlib():
    """matplotlib (about a second of imports) loads with the first figure drawn, not with
    the command-line parser or the window's modules."""
    code = (
        "import sys, actviz.cli, actviz.figures, actviz.gui.launch; actviz.cli.build_parser(); "
        "print('matplotlib' in sys.modules)"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.stdout.strip() == "False", done.stdout + done.stderr

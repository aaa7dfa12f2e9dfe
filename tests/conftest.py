"""Shared test set-up: no screen, one torch thread, and user folders kept in tmp."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config, items):
    """Slow-marked tests (full budgets, the published tables, searches of minutes) run
    only with ACTVIZ_SLOW=1, so the README's test command stays within minutes."""
    if os.environ.get("ACTVIZ_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow (minutes on a CPU): run with ACTVIZ_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _plugin_check_cache(tmp_path_factory):
    """One validation cache for the session: built-ins are checked once, not per test."""
    return tmp_path_factory.mktemp("actviz-cache")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch, _plugin_check_cache):
    """Every test gets its own data and plugin folders and no ACTVIZ_PLUGIN_PATH."""
    monkeypatch.setenv("ACTVIZ_CACHE_DIR", str(_plugin_check_cache))
    home = tmp_path_factory.mktemp("actviz-home")
    monkeypatch.setenv("ACTVIZ_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("ACTVIZ_USER_PLUGIN_DIR", str(home / "plugins"))
    monkeypatch.setenv("ACTVIZ_SETTINGS_DIR", str(home / "settings"))
    monkeypatch.delenv("ACTVIZ_PLUGIN_PATH", raising=False)
    yield


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def builtin_catalogue():
    """The built-in plugins only, loaded once for the session."""
    from actviz.host import load_catalogue

    return load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)


@pytest.fixture
def open_playground(qtbot, monkeypatch):
    """Open the main window (built-in plugins, plus ``plugin_dirs``) on the Playground
    with ``select`` checked: ``open_playground(select) -> (window, panel)``."""
    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost

    for var in ("ACTVIZ_SELECT", "ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)

    def open_(select=("relu", "tanh"), plugin_dirs=()):
        monkeypatch.setenv("ACTVIZ_SELECT", ",".join(select))
        w = MainWindow(
            PluginHost(list(plugin_dirs), use_entry_points=False, use_env=False), watch=False
        )
        qtbot.addWidget(w)
        w.resize(1400, 900)
        w.show()
        w.show_panel("playground")
        qtbot.waitExposed(w)
        return w, w.panel("playground")

    return open_


@pytest.fixture
def run_cli(capsys):
    """Run ``actviz ARGS`` in-process; returns (exit code, stdout, stderr)."""
    from actviz.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse errors
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return code, out, err

    return run


def pytest_report_header(config):
    return f"actviz tests from {REPO} with Python {sys.version.split()[0]}"

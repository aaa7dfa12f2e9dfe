"""The example plugin package: valid as a plugin, and found through its entry point once
installed with pip into a fresh virtual environment, where its own tests pass too."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from actviz.host import PluginHost

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "actviz-isru"
NAMES = {"isru", "isrlu"}


def test_example_plugin_validates_and_its_declarations_hold():
    from actviz.analysis.properties import measure

    host = PluginHost(
        [EXAMPLE / "actviz_isru"],
        use_user_dir=False,
        use_entry_points=False,
        use_env=False,
        include_builtins=False,
    )
    catalogue = host.load()
    assert not catalogue.errors, [e.summary() for e in catalogue.errors]
    assert set(catalogue.activations) == NAMES
    for name in NAMES:
        assert catalogue.entry(name).report.ok
        assert measure(catalogue.get(name)).flags == []


def test_example_declares_the_actviz_entry_point():
    import tomllib

    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["actviz"] == {"isru": "actviz_isru.plugin"}
    # actviz imports the plugin, so it is there already; declaring it would send pip to
    # the package index in a fresh environment (issue 26).
    assert not any(dep.startswith(("actviz", "torch")) for dep in project["dependencies"])


def _copy_tree(src: Path, dst: Path, names: list[str]) -> Path:
    """Copy what a build needs, so pip's in-tree build never writes into the checkout."""
    dst.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".*")
    for name in names:
        path = src / name
        if path.is_dir():
            shutil.copytree(path, dst / name, ignore=ignore)
        else:
            shutil.copy2(path, dst / name)
    return dst


def _run(cmd: list, env: dict, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


def test_installed_example_is_discovered_through_its_entry_point(tmp_path):
    root = _copy_tree(REPO, tmp_path / "actviz-src", ["pyproject.toml", "setup.py", "README.md",
                                                        "actviz", "plugins"])  # fmt: skip
    example = _copy_tree(EXAMPLE, tmp_path / "actviz-isru", ["pyproject.toml", "README.md",
                                                               "actviz_isru", "tests"])  # fmt: skip
    venv = tmp_path / "venv"
    # No pip inside: the system pip (visible through --system-site-packages) installs into it.
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
    )
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    # When this interpreter is itself a venv, --system-site-packages reaches only the base
    # interpreter's packages: point the new venv at ours too (after its own, so the fresh
    # install of actviz still comes first).
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "_parent_site.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    # Keep PYTHONPATH entries that supply dependencies, drop any that would shadow the install.
    keep = [
        p
        for p in env.pop("PYTHONPATH", "").split(os.pathsep)
        if p and not any((Path(p) / pkg).exists() for pkg in ("actviz", "actviz_isru"))
    ]
    if keep:
        env["PYTHONPATH"] = os.pathsep.join(keep)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1")
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    pip = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    _run([*pip, root, example], env, tmp_path)

    where = _run([python, "-c", "import actviz; print(actviz.__file__)"], env, tmp_path)
    assert Path(where.stdout.strip()).resolve().is_relative_to(venv.resolve())

    listing = _run([bindir / "actviz", "list", "--json"], env, tmp_path)
    data = json.loads(listing.stdout)
    found = {a["name"]: a for a in data["activations"] if a["name"] in NAMES}
    assert set(found) == NAMES
    for entry in found.values():
        assert entry["source"] == "entry point"
        assert entry["status"] == "ok", entry["error"]
        assert entry["location"].startswith("actviz-isru 0.1.0")
    assert "relu" in {a["name"] for a in data["activations"]}  # built-ins ship too
    assert not data["errors"]

    # The template is package data: new-plugin must work from the installed package.
    made = _run([bindir / "actviz", "new-plugin", "tpl", "--dir", tmp_path / "made"], env, tmp_path)
    assert Path(made.stdout.strip()) == tmp_path / "made" / "tpl.py"

    # The example's own test suite passes against the installed packages.
    tests = _run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", example / "tests"], env, tmp_path
    )
    assert " passed" in tests.stdout and "failed" not in tests.stdout


@pytest.fixture(autouse=True)
def _no_build_litter():
    yield
    assert not (EXAMPLE / "build").exists()
    assert not list(EXAMPLE.glob("*.egg-info"))

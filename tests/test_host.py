"""The plugin host: discovery from every source, and guarded loading of broken plugins."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from actviz.host import PluginHost, load_catalogue
from actviz.host.sources import builtin_dir

GOOD = """
import torch
from actviz import hookimpl, Activation, Param

@hookimpl
def actviz_activations():
    return [Activation(
        name="{name}",
        fn=lambda x, a: x / (1 + a * x * x).sqrt(),
        derivative=lambda x, a: (1 + a * x * x) ** -1.5,
        params=[Param("a", default=1.0, min=0.01, max=10.0)],
        family="sigmoid-like",
    )]
"""

BROKEN = {
    "import_error": "import actviz_no_such_module_xyz\n",
    "system_exit": "raise SystemExit(3)\n",
    "hook_raises": """
from actviz import hookimpl
@hookimpl
def actviz_activations():
    raise RuntimeError("the hook blew up")
""",
    "fn_raises": """
from actviz import hookimpl, Activation
def fn(x):
    raise ValueError("fn is broken")
@hookimpl
def actviz_activations():
    return [Activation(name="fn_raises_act", fn=fn)]
""",
    "wrong_shape": """
from actviz import hookimpl, Activation
@hookimpl
def actviz_activations():
    return [Activation(name="wrong_shape_act", fn=lambda x: x.sum())]
""",
    "not_finite": """
import torch
from actviz import hookimpl, Activation
@hookimpl
def actviz_activations():
    return [Activation(name="naive_softplus", fn=lambda x: torch.log(1 + torch.exp(x)))]
""",
    "bad_derivative": """
import torch
from actviz import hookimpl, Activation
@hookimpl
def actviz_activations():
    return [Activation(name="bad_deriv", fn=torch.tanh, derivative=lambda x: 1 - torch.tanh(x))]
""",
    "wrong_dtype": """
from actviz import hookimpl, Activation
@hookimpl
def actviz_activations():
    return [Activation(name="double_tanh", fn=lambda x: x.double().tanh())]
""",
    "duplicate": """
import torch
from actviz import hookimpl, Activation
@hookimpl
def actviz_activations():
    return [Activation(name="relu", fn=lambda x: x * 2)]
""",
    "not_an_activation": """
from actviz import hookimpl
@hookimpl
def actviz_activations():
    return ["relu"]
""",
    "typo_hook": """
from actviz import hookimpl
@hookimpl
def actviz_activation():
    return []
""",
}


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def broken_dir(tmp_path):
    folder = tmp_path / "broken"
    for name, text in BROKEN.items():
        write(folder, name, text)
    write(folder, "good", GOOD.format(name="isru_test"))
    return folder


@pytest.fixture
def loaded(broken_dir):
    return PluginHost([broken_dir], use_user_dir=False, use_entry_points=False).load()


def errors_of(catalogue, plugin):
    return [e for e in catalogue.errors if e.plugin == plugin]


def test_builtins_load_without_errors(builtin_catalogue):
    assert builtin_catalogue.errors == []
    assert len(builtin_catalogue.activations) >= 32
    assert {"relu", "gelu", "softmax", "glu", "step"} <= set(builtin_catalogue.activations)
    assert all(e.source == "built-in" for e in builtin_catalogue.entries)


def test_good_plugin_loads_next_to_broken_ones(loaded):
    assert "isru_test" in loaded.activations
    assert "relu" in loaded.activations  # built-ins unaffected


@pytest.mark.parametrize(
    ("plugin", "stage", "needle"),
    [
        ("import_error", "import", "No module named 'actviz_no_such_module_xyz'"),
        ("system_exit", "import", "SystemExit"),
        ("hook_raises", "hook", "the hook blew up"),
        ("fn_raises", "validate", "fn is broken"),
        ("wrong_shape", "validate", "output shape ()"),
        ("not_finite", "validate", "NaN/inf output for finite input"),
        ("wrong_dtype", "validate", "returns float64 for float32 input"),
        ("bad_derivative", "validate", "declared derivative disagrees with autograd at x="),
        ("duplicate", "duplicate", "'relu' is already taken by plugin 'relu_family'"),
        ("not_an_activation", "hook", "expected actviz.Activation"),
        ("typo_hook", "register", "unknown hook actviz_activation"),
    ],
)
def test_each_broken_plugin_is_reported(loaded, plugin, stage, needle):
    errors = errors_of(loaded, plugin)
    assert errors, f"no error recorded for {plugin}"
    assert errors[0].stage == stage
    assert needle in errors[0].message
    assert str(Path(errors[0].source.split(": ", 1)[1]).name) == f"{plugin}.py"


def test_import_error_keeps_traceback(loaded):
    (error,) = errors_of(loaded, "import_error")
    assert "Traceback" in error.traceback
    assert "import_error.py" in error.traceback


def test_derivative_mismatch_says_where_and_by_how_much(loaded):
    (error,) = errors_of(loaded, "bad_derivative")
    assert "declared" in error.message and "autograd" in error.message
    assert "|diff|" in error.message and "points disagree" in error.message
    entry = next(e for e in loaded.entries if e.name == "bad_deriv")
    assert not entry.ok and "bad_deriv" not in loaded.activations


def test_duplicate_keeps_the_first(loaded):
    relu = loaded.entry("relu")
    assert relu.plugin == "relu_family" and relu.ok
    dupes = [e for e in loaded.entries if e.name == "relu" and not e.ok]
    assert dupes and dupes[0].plugin == "duplicate"


def test_plugin_status(loaded):
    status = {p.name: p.status for p in loaded.plugins}
    assert status["good"] == "ok"
    assert status["import_error"] == "error"
    assert status["relu_family"] == "ok"


def test_user_folder_env_path_and_order(tmp_path, monkeypatch):
    user = tmp_path / "user"
    extra = tmp_path / "extra"
    env = tmp_path / "env"
    write(user, "mine", GOOD.format(name="from_user"))
    write(extra, "mine", GOOD.format(name="from_extra"))
    write(env, "envplug", GOOD.format(name="from_env"))
    monkeypatch.setenv("ACTVIZ_USER_PLUGIN_DIR", str(user))
    monkeypatch.setenv("ACTVIZ_PLUGIN_PATH", str(env))
    cat = load_catalogue([extra], use_entry_points=False)
    assert {"from_user", "from_extra", "from_env"} <= set(cat.activations)
    sources = [p.location for p in cat.plugins if p.source == "folder"]
    assert sources == [str(user / "mine.py"), str(extra / "mine.py"), str(env / "envplug.py")]
    # two files with the same stem in different folders are both kept, under distinct names
    assert len({p.name for p in cat.plugins}) == len(cat.plugins)


def test_reload_sees_new_changed_and_removed_files(tmp_path):
    folder = tmp_path / "live"
    host = PluginHost([folder], use_user_dir=False, use_entry_points=False)
    assert "live_one" not in host.load().activations
    path = write(folder, "live", GOOD.format(name="live_one"))
    assert "live_one" in host.load().activations
    path.write_text(textwrap.dedent(GOOD.format(name="live_two")))
    cat = host.load()
    assert "live_two" in cat.activations and "live_one" not in cat.activations
    path.unlink()
    assert "live_two" not in host.load().activations


def test_entry_point_discovery_with_fake_distribution(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "fakeacts").mkdir(parents=True)
    (site / "fakeacts" / "__init__.py").write_text(textwrap.dedent(GOOD.format(name="from_ep")))
    info = site / "fakeacts-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeacts\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text("[actviz]\nfakeacts = fakeacts\n")
    monkeypatch.syspath_prepend(str(site))
    cat = load_catalogue(use_user_dir=False)
    record = next(p for p in cat.plugins if p.name == "fakeacts")
    assert record.source == "entry point"
    assert record.version == "1.2.3"
    assert record.activations == ["from_ep"]
    assert cat.entry("from_ep").source == "entry point"


def test_an_explicit_plugin_path_that_is_no_folder_is_reported(tmp_path):
    missing = tmp_path / "no_such_folder"
    single = write(tmp_path / "loose", "single", GOOD.format(name="isru_single"))
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a plugin")
    cat = PluginHost(
        [missing, single, text_file], use_user_dir=False, use_entry_points=False
    ).load()
    assert "isru_single" in cat.activations  # a .py file loads as a one-file plugin
    errors = {e.message: e for e in cat.errors}
    for path in (missing, text_file):
        error = errors[f"plugin folder not found: {path}"]
        assert error.stage == "import"
    assert len(cat.errors) == 2


def test_builtin_dir_is_the_checkout_plugins_folder():
    assert builtin_dir() == Path(__file__).resolve().parents[1] / "plugins"


def test_non_editable_install_loads_the_same_builtins(tmp_path, builtin_catalogue):
    """``pip install .`` (not editable) must ship and find the same built-in plugins."""
    repo = Path(__file__).resolve().parents[1]
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(repo)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    code = (
        "import json, actviz, actviz.host as h;"
        "c = h.load_catalogue(use_user_dir=False, use_entry_points=False);"
        "print(json.dumps({'file': actviz.__file__, 'names': sorted(c.activations),"
        " 'errors': len(c.errors)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True, capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    data = json.loads(out.stdout)
    assert data["file"].startswith(str(target))
    assert data["errors"] == 0
    assert data["names"] == sorted(builtin_catalogue.activations)

"""``actviz new-plugin``: formula plugins and the template, written where the host looks."""

from __future__ import annotations

import dataclasses
import importlib.util
import re

import pytest

from actviz import Activation, Param
from actviz.cli.new_plugin import parse_param
from actviz.formula import template_source, write_template
from actviz.host import PluginHost
from actviz.paths import user_plugin_dir


def user_catalogue():
    host = PluginHost(use_entry_points=False, use_env=False, include_builtins=False)
    return host.load()


def test_formula_plugin_lands_in_the_user_folder_and_loads(run_cli):
    code, out, err = run_cli(
        "new-plugin",
        "swishb",
        "--formula",
        "x*sigmoid(beta*x)",
        "--param",
        "beta=1.0:0.1:5:learnable",
        "--description",
        "Swish with a learnable beta.",
    )
    assert code == 0, err
    path = user_plugin_dir() / "swishb.py"
    assert out.strip() == str(path)
    assert path.is_file()
    catalogue = user_catalogue()
    assert not catalogue.errors, [e.summary() for e in catalogue.errors]
    act = catalogue.get("swishb")
    assert act.family == "formula" and act.description == "Swish with a learnable beta."
    assert act.params == (Param("beta", 1.0, 0.1, 5.0, learnable=True),)
    assert catalogue.entry("swishb").report.ok


def test_refuses_to_overwrite_without_force(run_cli, tmp_path):
    assert run_cli("new-plugin", "sq", "--formula", "x**2", "--dir", str(tmp_path))[0] == 0
    path = tmp_path / "sq.py"
    before = path.read_text()
    code, _, err = run_cli("new-plugin", "sq", "--formula", "x**3", "--dir", str(tmp_path))
    assert code == 1
    assert "already exists" in err and "--force" in err
    assert path.read_text() == before
    code, _, _ = run_cli("new-plugin", "sq", "--formula", "x**3", "--dir", str(tmp_path), "--force")
    assert code == 0 and "x ** 3" in path.read_text()


def test_bad_formula_shows_a_caret_and_exits_2(run_cli, tmp_path):
    text = "x * sigmoid(x) + x.__class__"
    code, out, err = run_cli("new-plugin", "evil", "--formula", text, "--dir", str(tmp_path))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert "attributes" in lines[0]
    shown = next(i for i, line in enumerate(lines) if line.strip() == text)
    caret_line = lines[shown + 1]
    offset = lines[shown].index(text)
    assert caret_line.index("^") - offset == text.index("x.__class__")
    assert caret_line.count("^") == len("x.__class__")
    assert not list(tmp_path.iterdir())


def test_undeclared_name_suggests_a_param(run_cli, tmp_path):
    code, _, err = run_cli(
        "new-plugin", "s2", "--formula", "x*sigmoid(k*x)", "--dir", str(tmp_path)
    )
    assert code == 2
    assert "unknown name 'k'" in err and "--param k=1.0" in err


@pytest.mark.parametrize(
    "args, words",
    [
        (["Bad-Name"], "activation name"),
        (["ok", "--param", "a=1"], "--param needs --formula"),
        (["ok", "--formula", "a*x", "--param", "a"], "NAME=DEFAULT"),
        (["ok", "--formula", "a*x", "--param", "a=one"], "not a number"),
        (["ok", "--formula", "a*x", "--param", "a=5:0:1"], "outside"),
        (["ok", "--formula", "x*x", "--param", "x=1"], "input variable"),
    ],
)
def test_usage_errors_exit_2(run_cli, tmp_path, args, words):
    code, _, err = run_cli("new-plugin", *args, "--dir", str(tmp_path))
    assert code == 2
    assert words in err
    assert not list(tmp_path.iterdir())


def test_unwritable_folder_exits_1(run_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run_cli("new-plugin", "nope", "--dir", str(blocker / "sub"))
    assert code == 1 and "cannot write" in err


def test_parse_param_forms():
    assert parse_param("a=1.5") == Param("a", 1.5)
    assert parse_param("a=1:0:2") == Param("a", 1.0, 0.0, 2.0)
    assert parse_param("a=1::2") == Param("a", 1.0, None, 2.0)
    assert parse_param("a=1:0::learnable") == Param("a", 1.0, 0.0, None, learnable=True)
    with pytest.raises(ValueError):
        parse_param("a=1:2:3:4:learnable")


# -- the template ------------------------------------------------------------------------


def test_template_is_written_and_validates_as_is(run_cli):
    code, out, _ = run_cli("new-plugin", "mine")
    assert code == 0
    path = user_plugin_dir() / "mine.py"
    assert out.strip() == str(path)
    catalogue = user_catalogue()
    assert not catalogue.errors, [e.summary() for e in catalogue.errors]
    entry = catalogue.entry("mine")
    assert entry.ok and entry.report.ok
    assert {c.name for c in entry.report.checks} >= {"fn", "shape", "finite", "derivative"}


def test_template_explains_every_field():
    text = template_source("mine")
    for f in dataclasses.fields(Activation):
        assert re.search(rf"^\s+{f.name}=", text, re.M), f"Activation field {f.name} missing"
    for f in dataclasses.fields(Param):
        assert f.name in text, f"Param field {f.name} missing"
    for word in ("elementwise", "vector", "gated", "learnable", "actviz check", "autograd"):
        assert word in text
    assert "{{" not in text and 'name="mine"' in text


def test_template_declared_facts_hold(tmp_path):
    """The template's declared range, monotonicity, smoothness are what actviz measures."""
    from actviz.analysis.properties import measure

    path = write_template(tmp_path, "facts")
    spec = importlib.util.spec_from_file_location("facts_template", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (act,) = module.actviz_activations()
    props = measure(act)
    assert props.flags == []
    assert act.output_range[0] == pytest.approx(props.range_lo, abs=1e-3)


def test_write_template_refuses_to_overwrite(tmp_path):
    path = write_template(tmp_path, "once")
    path.write_text("# my edits\n")
    with pytest.raises(FileExistsError):
        write_template(tmp_path, "once")
    assert path.read_text() == "# my edits\n"
    write_template(tmp_path, "once", overwrite=True)
    assert "def actviz_activations" in path.read_text()

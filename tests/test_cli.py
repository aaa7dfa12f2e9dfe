"""The command line as a user drives it: list, check and plot, outputs parsed and checked."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtGui import QImage
from tools import pdf_pages_and_text

GOOD_PLUGIN = """
import torch
from actviz import hookimpl, Activation, Param

@hookimpl
def actviz_activations():
    return [Activation(
        name="isru_cli",
        fn=lambda x, a: x / (1 + a * x * x).sqrt(),
        derivative=lambda x, a: (1 + a * x * x) ** -1.5,
        params=[Param("a", default=1.0, min=0.01, max=10.0)],
    )]
"""

BAD_DERIVATIVE = """
import torch
from actviz import hookimpl, Activation

@hookimpl
def actviz_activations():
    return [Activation(name="wrong_sig", fn=torch.sigmoid, derivative=lambda x: torch.sigmoid(x))]
"""


@pytest.fixture
def plugin_file(tmp_path):
    def make(text: str, name: str = "plug") -> str:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(text))
        return str(path)

    return make


def test_list_table(run_cli):
    code, out, _ = run_cli("list", "--no-user-plugins")
    assert code == 0
    assert re.search(r"^relu\s+relu-like\s+relu_family\s+built-in\s+ok$", out, re.M)
    assert "activations ok, 0 with errors" in out


def test_list_json_reports_plugin_errors(run_cli, plugin_file, tmp_path):
    plugin_file(BAD_DERIVATIVE, "wrongsig")
    code, out, _ = run_cli("list", "--json", "--plugins", str(tmp_path))
    assert code == 0
    data = json.loads(out)
    by_name = {a["name"]: a for a in data["activations"]}
    relu = by_name["relu"]
    assert {"name", "plugin", "source", "status", "error", "params", "formula"} <= set(relu)
    assert relu["status"] == "ok" and relu["error"] is None and relu["source"] == "built-in"
    assert by_name["prelu"]["params"][0] == {
        "name": "a", "default": 0.25, "min": -1.0, "max": 1.0, "learnable": True,
        "description": by_name["prelu"]["params"][0]["description"],
        "shape": [], "bounds": None, "kind": "real", "choices": [],
        "lr": None, "weight_decay": None,
    }  # fmt: skip
    assert by_name["apl"]["params"][1]["shape"] == ["per_unit", 2]
    assert by_name["apl"]["params"][1]["default"] is None  # drawn per seed
    assert by_name["bspline"]["params"][1]["kind"] == "integer"
    bad = by_name["wrong_sig"]
    assert bad["status"] == "error" and "disagrees with autograd" in bad["error"]
    assert data["errors"][0]["plugin"] == "wrongsig"
    assert data["errors"][0]["stage"] == "validate"


def test_plugins_before_and_after_the_command_both_count(run_cli, tmp_path):
    for folder, name in (("one", "isru_one"), ("two", "isru_two")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{name}.py").write_text(
            textwrap.dedent(GOOD_PLUGIN).replace("isru_cli", name)
        )
    code, out, _ = run_cli(
        "--plugins", str(tmp_path / "one"), "list", "--json", "--plugins", str(tmp_path / "two")
    )
    assert code == 0
    names = {a["name"] for a in json.loads(out)["activations"]}
    assert {"isru_one", "isru_two"} <= names


def test_check_good_file(run_cli, plugin_file):
    code, out, _ = run_cli("check", plugin_file(GOOD_PLUGIN))
    assert code == 0
    assert "isru_cli: ok" in out and "[x] derivative" in out


def test_check_bad_file_explains(run_cli, plugin_file):
    code, out, _ = run_cli("check", plugin_file(BAD_DERIVATIVE))
    assert code == 1
    assert "wrong_sig: FAILED" in out
    assert "declared derivative disagrees with autograd at x=" in out


def test_check_reports_clash_with_builtin(run_cli, plugin_file):
    text = GOOD_PLUGIN.replace('"isru_cli"', '"relu"')
    code, out, _ = run_cli("check", plugin_file(text))
    assert code == 1 and "already taken by plugin 'relu_family'" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("import nope_no_module\n", "No module named 'nope_no_module'"),
        ("x = 1\n", "defines no actviz hook"),
    ],
)
def test_check_unusable_files(run_cli, plugin_file, text, message):
    code, out, _ = run_cli("check", plugin_file(text))
    assert code == 1 and message in out


def test_check_missing_file(run_cli, tmp_path):
    code, _, err = run_cli("check", str(tmp_path / "nope.py"))
    assert code == 1 and "no such file" in err


def test_plot_csv_columns_and_values(run_cli, tmp_path):
    path = tmp_path / "fig.csv"
    code, _, err = run_cli(
        "plot", "relu,sigmoid", "--derivative", "--second-derivative",
        "--range", "-2", "2", "--points", "5", "-o", str(path),
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["x", "relu", "relu'", "relu''", "sigmoid", "sigmoid'", "sigmoid''"]
    assert len(rows) == 6
    last = [float(v) for v in rows[-1]]
    assert last[0] == 2.0 and last[1] == 2.0 and last[2] == 1.0
    middle = [float(v) for v in rows[3]]
    assert middle[0] == 0.0 and middle[4] == 0.5 and abs(middle[5] - 0.25) < 1e-12


def test_plot_only_requested_columns_and_params(run_cli, tmp_path):
    path = tmp_path / "p.csv"
    code, _, _ = run_cli(
        "plot", "leaky_relu", "--param", "leaky_relu.negative_slope=0.5",
        "--range", "-2", "2", "--points", "3", "-o", str(path),
    )  # fmt: skip
    assert code == 0
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["x", "leaky_relu"]
    assert float(rows[1][1]) == -1.0


def test_plot_png_is_not_blank_and_has_the_size(run_cli, tmp_path):
    path = tmp_path / "fig.png"
    code, _, err = run_cli(
        "plot", "relu,gelu,silu", "--derivative", "--size", "640x480", "-o", str(path)
    )
    assert code == 0, err
    image = QImage(str(path))
    assert (image.width(), image.height()) == (640, 480)
    colours = {image.pixel(x, y) for x in range(0, 640, 4) for y in range(0, 480, 4)}
    assert len(colours) > 20  # background, axes, text and three curve colours with antialiasing
    assert image.pixelColor(2, 2).name() == "#ffffff"  # the light theme's background


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "no activation named 'nosuch'"),
        (["relux"], "did you mean relu"),
        (["relu", "--param", "relu.k=1"], "relu has no parameter k"),
        (["relu", "--param", "oops"], "--param must look like NAME.PARAM=VALUE"),
        (["relu", "--param", " .a=1"], "--param must look like NAME.PARAM=VALUE"),
        (["relu", "--range", "2", "1"], "the x range is empty"),
        (["relu", "--size", "big"], "--size must look like 800x600"),
        (["relu", "--size", "0x600"], "--size must be between 16 and 20000"),
        (["relu", "--size=-800x600"], "--size must look like 800x600"),
        (["relu", "--points", "nan"], "--points must be a whole number"),
        (["relu", "--points", "-5"], "--points must be between 2 and 200000"),
        (["relu", "--points", "0"], "--points must be between 2 and 200000"),
        (["relu", "--points", "100000000"], "--points must be between 2 and 200000"),
        (["relu", "--dpi", "nan"], "--dpi must be between 10 and 1200"),
        (["relu", "--dpi", "-3"], "--dpi must be between 10 and 1200"),
        (["relu", "--dpi", "0"], "--dpi must be between 10 and 1200"),
        (["relu", "--dpi", "100000"], "--dpi must be between 10 and 1200"),
        (["relu", "--width", "85"], "--width must be a length like 85mm"),
        (["relu", "--width", "0mm"], "--width must be more than zero"),
        (["relu", "--width", "5000mm"], "the width is too large"),
        (["relu", "--size", "800x600", "--width", "85mm"], "give either --size"),
        (["relu", "--style", "poster"], "unknown style 'poster': use paper, slides"),
    ],
)
def test_plot_bad_input_messages(run_cli, tmp_path, args, message):
    code, _, err = run_cli("plot", *args, "-o", str(tmp_path / "f.png"))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "f.png").exists()


def test_plot_unwritable_path(run_cli, tmp_path):
    code, _, err = run_cli("plot", "relu", "-o", str(tmp_path / "missing" / "f.png"))
    assert code == 2 and "does not exist: create it first" in err
    code, _, err = run_cli("plot", "relu", "-o", str(tmp_path / "f.gif"))
    assert code == 2 and "unknown file type '.gif': use .png, .svg, .pdf, .csv" in err
    code, _, err = run_cli("plot", "relu", "-o", str(tmp_path / "figure"))
    assert code == 2 and "add an extension: .png, .svg, .pdf, .csv" in err
    (tmp_path / "out.png").mkdir()
    code, _, err = run_cli("plot", "relu", "-o", str(tmp_path / "out.png"))
    assert code == 2 and "is a folder; give a file name" in err
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if not os.access(locked, os.W_OK):  # root may write anywhere
        code, _, err = run_cli("plot", "relu", "-o", str(locked / "f.svg"))
        assert code == 2 and "no permission to write" in err


def test_plot_csv_and_figures_need_no_qt(tmp_path):
    out = tmp_path / "f.csv"
    pdf = tmp_path / "f.pdf"
    script = (
        "import sys; sys.modules['PySide6'] = None; sys.modules['pyqtgraph'] = None\n"
        "from actviz.cli import main\n"
        f"assert main(['plot', 'relu', '--no-user-plugins', '-o', {str(out)!r}]) == 0\n"
        f"sys.exit(main(['plot', 'relu', '-d', '--no-user-plugins', '-o', {str(pdf)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    header = out.read_text().splitlines()[0]
    assert header == "x,relu"
    pages, text = pdf_pages_and_text(pdf)  # poppler reads the page and its labels
    assert pages == 1 and "relu" in text and "f′(x)" in text

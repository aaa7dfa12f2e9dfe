"""The plugin author's loop: edit, check, race (issue 26).

Name clashes with installed packages say which copy wins, an unknown name points at
``--plugins``, ``actviz check --watch`` re-checks on save, and the template, guide and
example package say what actually works.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "plugin-guide.md"
TEMPLATE = REPO / "actviz" / "templates" / "plugin_template.txt"
EXAMPLE = REPO / "examples" / "actviz-isru"

PLUGIN = textwrap.dedent(
    """
    import torch
    from actviz import hookimpl, Activation

    @hookimpl
    def actviz_activations():
        return [Activation(name="{name}", fn=lambda x: torch.tanh({scale} * x))]
    """
)


def _fake_installed_package(site: Path) -> None:
    """A distribution with an ``actviz`` entry point, found by importlib.metadata on sys.path."""
    info = site / "fake_tanh-1.2.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-tanh\nVersion: 1.2\n")
    (info / "entry_points.txt").write_text("[actviz]\nfaketanh = fakeplug_clash.plugin\n")
    package = site / "fakeplug_clash"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(PLUGIN.format(name="clashing_tanh", scale=1))


def _cli(args: list[str], env_path: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if env_path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(env_path), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "actviz.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_check_and_list_report_a_clash_with_an_installed_package(tmp_path):
    site = tmp_path / "site"
    _fake_installed_package(site)
    folder = tmp_path / "mine"
    folder.mkdir()
    mine = folder / "clashing.py"
    mine.write_text(PLUGIN.format(name="clashing_tanh", scale=2))

    checked = _cli(["check", str(mine)], site)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    text = " ".join(checked.stdout.split())
    assert "already taken by plugin 'faketanh' (entry point: fake-tanh 1.2" in text
    assert "that copy wins, this one is ignored" in text
    assert "pip uninstall fake-tanh" in text

    listed = _cli(["--plugins", str(folder), "list"], site)
    text = " ".join(listed.stdout.split())
    assert "that copy wins, this one is ignored" in text and "fake-tanh" in text


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--activations", "my_new_act", "--steps", "1"],
        ["plot", "my_new_act", "-o", "{tmp}/f.png"],
        ["bench", "--activations", "relu,my_new_act", "--tasks", "moons", "--steps", "1"],
    ],
)
def test_unknown_activation_points_at_plugins_and_the_path_variable(run_cli, args, tmp_path):
    code, out, err = run_cli(*[a.format(tmp=tmp_path) for a in args])
    assert code != 0
    message = out + err
    assert "my_new_act" in message
    assert "--plugins" in message and "ACTVIZ_PLUGIN_PATH" in message


def test_notebook_unknown_activation_points_at_plugins():
    import actviz

    with pytest.raises(ValueError, match=r"plugins=\[DIR\].*ACTVIZ_PLUGIN_PATH"):
        actviz.race(activations=["relu", "my_new_act"], seeds=2, steps=2)


def test_check_watch_rechecks_after_a_save(tmp_path):
    path = tmp_path / "watched.py"
    path.write_text(PLUGIN.format(name="watched_act", scale=1).replace("torch.tanh", "tanh"))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "actviz.cli", "check", "-q", str(path), "--watch"]
    cmd += ["--interval", "0.2", "--watch-polls", "600"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("watching"):
                break
        assert any("0 ok, 1 failed" in line for line in lines), lines
        time.sleep(0.5)  # a new mtime even on coarse file systems
        path.write_text(PLUGIN.format(name="watched_act", scale=1))
        for line in proc.stdout:
            lines.append(line)
            if "1 ok, 0 failed" in line:
                break
    finally:
        proc.kill()
        proc.wait()
    text = "".join(lines)
    assert "changed: checking again" in text
    assert text.rstrip().endswith("1 ok, 0 failed"), text


def test_template_names_the_real_reload_key_and_per_unit_use():
    text = TEMPLATE.read_text()
    assert "Ctrl+Shift+R" in text and "F5" not in text
    per_unit = next(line for line in text.splitlines() if 'shape="per_unit"' in line)
    assert "p[..., i]" not in per_unit


def test_guide_states_penalties_skip_activation_parameters():
    text = " ".join(GUIDE.read_text().split())
    assert "learnable activation parameters are never penalised" in text


def test_guide_learned_shapes_example_runs():
    text = GUIDE.read_text()
    pattern = r"```python\n(import actviz\nfrom actviz.analysis.learned_shapes.*?)```"
    block = re.search(pattern, text, re.S)
    assert block, "the learned_shapes example is missing"
    assert "learned_shapes(act, race, step=None" in block.group(1)
    exec(compile(block.group(1), "plugin-guide.md", "exec"), {})


def test_learned_shapes_refuses_one_run_in_its_own_words():
    from actviz.analysis.learned_shapes import learned_shapes
    from actviz.host import load_catalogue

    act = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False).get("prelu")
    one_run = {"activation": "prelu", "seed": 0, "history": []}
    with pytest.raises(TypeError, match="whole race.*not one entry of its 'runs'"):
        learned_shapes(act, one_run)


def test_example_package_installs_without_the_package_index(tmp_path):
    """`pip install ./actviz-isru` must not look anything up on the index."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--ignore-installed",
         "--no-build-isolation", "--report", str(tmp_path / "r.json"), str(EXAMPLE)],
        capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_runs_show_lists_learned_parameters(run_cli, tmp_path):
    db = str(tmp_path / "runs.db")
    code, _, err = run_cli("train", "--activations", "prelu,pade", "--steps", "10", "--seeds",
                           "1", "--db", db)  # fmt: skip
    assert code == 0, err
    code, out, _ = run_cli("runs", "show", "1", "--db", db)
    assert code == 0
    assert "learned activation parameters" in out
    learned = out.split("learned activation parameters")[1]
    prelu = next(line for line in learned.splitlines() if line.strip().startswith("prelu "))
    assert re.search(r"step 10: a = -?\d\S* \| -?\d", prelu), prelu  # one value per layer
    pade = next(line for line in learned.splitlines() if line.strip().startswith("pade "))
    assert "p = [" in pade and "q = [" in pade


def test_param_takes_a_vector_in_train_and_plot(run_cli, tmp_path):
    import json

    out_json = tmp_path / "race.json"
    code, _, err = run_cli("train", "--activations", "pade", "--steps", "2", "--seeds", "1",
                           "--no-store", "--param", "pade.q=0.1,0.2,0.3,0.4",
                           "--json", str(out_json))  # fmt: skip
    assert code == 0, err
    first = json.loads(out_json.read_text())["runs"][0]["history"][0]["param_arrays"]["q"]
    assert first[0] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    code, _, err = run_cli("train", "--activations", "pade", "--steps", "2", "--seeds", "1",
                           "--no-store", "--param", "pade.q=0.1,0.2")  # fmt: skip
    assert code != 0 and "pade.q takes 4 values, got 2" in err

    svg = tmp_path / "pade.svg"
    code, _, err = run_cli("plot", "pade", "--param", "pade.q=0.1,0.2,0.3,0.4", "-o", str(svg))
    assert code == 0, err
    assert "pade (q=[0.1, 0.2, 0.3, 0.4])" in svg.read_text()


def test_plot_legend_shows_parameter_values(run_cli, tmp_path):
    svg = tmp_path / "elu.svg"
    code, _, err = run_cli("plot", "elu,relu", "--param", "elu.alpha=0.5", "-o", str(svg))
    assert code == 0, err
    text = svg.read_text()
    assert "elu (alpha=0.5)" in text and ">relu<" in text.replace(" ", "")


def test_checking_the_installed_plugins_own_file_is_no_clash(tmp_path):
    site = tmp_path / "site"
    _fake_installed_package(site)
    checked = _cli(["check", "-q", str(site / "fakeplug_clash" / "plugin.py")], site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 ok, 0 failed" in checked.stdout

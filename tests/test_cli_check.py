"""``actviz check FILE``: measured properties, the short race against relu, and the JSON."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

PLUGIN = """
import torch
from actviz import hookimpl, Activation, Param

@hookimpl
def actviz_activations():
    return [
        Activation(
            name="isru_chk",
            fn=lambda x, a: x / (1 + a * x * x).sqrt(),
            derivative=lambda x, a: (1 + a * x * x) ** -1.5,
            params=[Param("a", default=1.0, min=0.01, max=10.0)],
            smoothness="C0",
        ),
        Activation(name="double_chk", fn=lambda x: 2 * x, output_range=(float("-inf"), 5.0)),
        Activation(name="dead_chk", fn=lambda x: 0.0 * x),
    ]
"""

BROKEN = """
import torch
from actviz import hookimpl, Activation

@hookimpl
def actviz_activations():
    return [Activation(name="nan_chk", fn=lambda x: torch.log(x))]
"""


@pytest.fixture
def plugin_file(tmp_path):
    def make(text: str, name: str = "plug") -> str:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(text))
        return str(path)

    return make


def _block(out: str, name: str) -> str:
    """The lines printed for one activation (up to the next activation or the race)."""
    match = re.search(rf"^  {name}: .*?(?=^  \S|\Z)", out, re.M | re.S)
    assert match, out
    return match.group(0)


def test_properties_are_printed_for_each_activation(run_cli, plugin_file):
    code, out, _ = run_cli("check", plugin_file(PLUGIN))
    assert code == 0
    isru = _block(out, "isru_chk")
    assert "measured properties (at a=1):" in isru
    assert re.search(r"range\s+\[-1, 1\]", isru)
    assert re.search(r"f'\(0\)\s+1$", isru, re.M)
    assert re.search(r"max\|f'\|\s+1 at x=0", isru)
    assert re.search(r"monotonic\s+yes \(increasing\)", isru)
    assert re.search(r"continuity\s+C2\+", isru)
    assert re.search(r"E\[f\(z\)\]\s+0\s+zero-centred", isru)
    assert "declared vs measured: smoothness: declared C0, measured C2+" in isru

    double = _block(out, "double_chk")
    assert re.search(r"range\s+\[-inf, inf\]", double)
    assert re.search(r"f'\(0\)\s+2$", double, re.M)
    assert re.search(r"Var\[f\(z\)\]\s+4$", double, re.M)  # Var[2z] = 4
    assert re.search(r"E\[f'\(z\)\^2\]\s+4$", double, re.M)
    assert "output exceeds the declared upper bound 5" in double
    assert "race on" not in out  # only with --race


def test_a_failing_activation_has_no_properties_and_fails(run_cli, plugin_file):
    code, out, _ = run_cli("check", plugin_file(BROKEN), "--race")
    assert code == 1
    assert "nan_chk: FAILED" in out
    assert "measured properties" not in out
    assert "race: skipped (no activation passed validation)" in out


def test_race_against_relu(run_cli, plugin_file):
    code, out, _ = run_cli(
        "check", plugin_file(PLUGIN), "--race", "--race-seeds", "1", "--race-steps", "150"
    )
    assert code == 0  # the race informs; it does not change the exit code
    assert "race on moons (1 seed, 150 steps, hidden 8,8, adam lr 0.01)" in out
    rows = dict(re.findall(r"^    (\w+)\s+([\d.]+)\s", out, re.M))
    assert set(rows) == {"relu", "isru_chk", "double_chk", "dead_chk"}
    relu = float(rows["relu"])
    assert relu > 0.8
    assert re.search(r"^    relu\s+[\d.]+\s+reference$", out, re.M)
    assert re.search(
        rf"^    isru_chk\s+[\d.]+\s+reaches relu - 0.05 \({relu - 0.05:.4f}\)", out, re.M
    )
    # A network whose hidden units output 0 cannot beat chance on moons.
    assert float(rows["dead_chk"]) < 0.7
    assert re.search(r"^    dead_chk\s+[\d.]+\s+BELOW relu - 0.05", out, re.M)


def _strict(text: str) -> dict:
    def refuse(token: str) -> None:
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_json_is_a_superset_with_properties_and_race(run_cli, plugin_file):
    path = plugin_file(PLUGIN)
    code, out, _ = run_cli("check", path, "--json")
    assert code == 0
    data = _strict(out)
    assert {"path", "ok", "activations", "errors", "race"} <= set(data)
    assert data["ok"] is True and data["race"] is None
    by_name = {a["name"]: a for a in data["activations"]}
    isru = by_name["isru_chk"]
    assert {"name", "params", "status", "error", "checks", "properties", "race"} <= set(isru)
    names = [c["name"] for c in isru["checks"]]
    assert names == [
        "fn",
        "race",
        "shape",
        "dtype",
        "finite",
        "autograd",
        "deterministic",
        "device",
        "gradient",
        "derivative",
    ]
    props = isru["properties"]
    assert props["range"] == pytest.approx([-1.0, 1.0], abs=1e-6)
    assert props["f'(0)"] == pytest.approx(1.0)
    assert props["continuity"] == "C2+" and props["monotonic"] is True
    assert props["flags"] == ["smoothness: declared C0, measured C2+"]
    assert by_name["double_chk"]["properties"]["range"] == ["-inf", "inf"]

    code, out, _ = run_cli(
        "check", path, "--json", "--race", "--race-seeds", "1", "--race-steps", "50"
    )
    data = _strict(out)
    race = data["race"]
    assert race["task"] == "moons" and race["reference"] == "relu" and race["steps"] == 50
    names = [row["activation"] for row in race["results"]]
    assert names == ["relu", "isru_chk", "double_chk", "dead_chk"]
    row = next(r for r in race["results"] if r["activation"] == "isru_chk")
    assert data["activations"][0]["race"] == row
    assert 0.0 <= row["test_accuracy_mean"] <= 1.0 and len(row["test_accuracy"]) == 1
    expected = row["test_accuracy_mean"] >= race["reference_accuracy"] - 0.05 - 1e-6
    assert row["reaches_reference"] is expected

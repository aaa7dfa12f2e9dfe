"""The architecture from the command line and the notebook: bad input in one line, runs
stored with their architecture and shown in `runs diff`, the reproduction table."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("mnist1d")
TINY = ("--points", "300", "--steps", "3", "--batch-size", "50", "--seeds", "2", "-q")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--task", "iris", "--arch", "cnn2d"), "cnn2d needs an image as input"),
        (("--task", "mnist1d", "--arch", "resmlp", "--depth", "0"), "depth must be in [1, 64]"),
        (("--task", "mnist1d", "--arch", "cnnn"), "unknown architecture 'cnnn' (did you mean"),
        (("--task", "mnist1d", "--arch", "gru", "--arch-option", "hidden"), "KEY=VALUE"),
        (("--task", "mnist1d", "--arch", "gru", "--channels", "4"), "gru has no option"),
        (("--task", "mnist1d", "--arch", "cnn1d", "--init", "he"), "--init is for the mlp"),
    ],
)
def test_bad_architecture_input_is_one_line(run_cli, args, expected):
    code, out, err = run_cli("train", *args, "--no-store", *TINY)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], err


def test_not_enough_memory_says_how_many_fit(run_cli, monkeypatch):
    from actviz.architectures import memory

    monkeypatch.setattr(memory, "free_bytes", lambda device: 200_000_000)
    code, _, err = run_cli(
        "train", "--task", "mnist1d", "--arch", "cnn1d", "--channels", "256",
        "--batch-size", "1000", "--seeds", "40", "--activations", "relu,tanh", "--no-store",
    )  # fmt: skip
    assert code == 2
    line = err.strip()
    assert "memory: 80 cnn1d models need about" in line and "fit" in line
    fit = int(line.split("about ")[-1].split(" fit")[0])
    each = memory.estimate(
        _arch("cnn1d"),
        {"channels": 256},
        _task("mnist1d"),
        _act("relu"),
        1000,
    ).per_model
    assert fit == int(0.8 * 200_000_000 // each) and fit < 80


def _cat():
    from actviz.host import load_catalogue

    return load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)


def _arch(name):
    return _cat().architectures[name]


def _task(name):
    return _cat().tasks[name]


def _act(name):
    return _cat().activations[name]


def test_stored_with_its_architecture_and_diffed(run_cli, tmp_path):
    db = str(tmp_path / "runs.db")
    code, _, err = run_cli("train", "--task", "mnist1d", "--activations", "relu", "--db", db, *TINY)
    assert code == 0, err
    code, _, err = run_cli(
        "train", "--task", "mnist1d", "--activations", "relu", "--arch", "cnn1d",
        "--channels", "4", "--db", db, *TINY,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run_cli("runs", "diff", "1", "2", "--db", db)
    assert code == 0, err
    assert 'arch: "mlp" -> "cnn1d"' in out
    assert 'arch_options: {} -> {"channels": 4}' in out
    code, out, _ = run_cli("runs", "diff", "1", "2", "--db", db, "--json")
    rows = {r["field"]: r for r in json.loads(out)}
    assert rows["arch"]["2"] == "cnn1d"


def test_old_runs_read_as_mlp():
    from actviz.training.runinfo import config_diff, describe_config

    old = {"task": "moons", "config": {"hidden": [8, 8]}}
    new = {"task": "moons", "config": {"hidden": [8, 8], "arch": "mlp", "arch_options": {}}}
    assert config_diff(old, new) == []
    text = describe_config({"arch": "gru", "arch_options": {"hidden": 6}, "hidden": [8, 8]})
    assert "gru hidden 6" in text


def test_reproduce_prints_published_beside_actviz(run_cli, tmp_path):
    from scipy import stats

    out_json = tmp_path / "cells.json"
    code, out, err = run_cli(
        "reproduce", "mnist1d", "--rows", "logistic,cnn", "--tasks", "mnist1d",
        "--steps", "3", "--seeds", "3", "--json", str(out_json),
    )  # fmt: skip
    assert code == 0, err
    assert "| logistic regression | 3 | 32 |" in out
    assert "| CNN 3x25 ch, kernels 5,3,3, stride 2 | 3 | 94 |" in out
    for cell in json.loads(out_json.read_text()):
        low, high = cell["ci95"]
        want = stats.ttest_1samp(cell["accuracies"], 0.0).confidence_interval(0.95)
        assert low == pytest.approx(want.low) and high == pytest.approx(want.high)
    code, _, err = run_cli("reproduce", "mnist1d", "--rows", "cnm")
    assert code == 2 and "unknown row 'cnm'" in err


def test_notebook_race_and_bench_take_an_architecture(run_cli):
    import actviz

    outcome = actviz.race(
        task="mnist1d", activations=["relu"], seeds=2, steps=3, points=300, batch_size=50,
        arch="resmlp", arch_options={"depth": 2, "width": 16}, plugins=[],
    )  # fmt: skip
    assert outcome.data["config"]["arch"] == "resmlp"
    assert len(outcome.runs) == 2
    with pytest.raises(ValueError, match="cnn2d needs an image"):
        actviz.race(task="moons", activations=["relu"], arch="cnn2d", steps=2)
    code, out, err = run_cli(
        "bench", "--activations", "relu,tanh", "--tasks", "mnist1d", "--arch", "gru",
        "--arch-option", "hidden=3", "--seeds", "1", "--steps", "2", "--points", "300",
        "--no-store", "--json", "-", "-q",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["options"]["arch"] == "gru"


def test_list_architectures(run_cli):
    code, out, _ = run_cli("list", "--architectures", "--no-user-plugins")
    assert code == 0
    assert "cnn1d:" in out and "channels = 25 in [1, 512]" in out
    assert "gru:" in out and "candidate state" in out
    code, out, _ = run_cli("list", "--architectures", "--json", "--no-user-plugins")
    names = [a["name"] for a in json.loads(out)]
    assert {"mlp", "resmlp", "cnn1d", "cnn2d", "gru", "transformer", "linear"} <= set(names)

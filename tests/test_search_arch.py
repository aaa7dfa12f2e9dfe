"""``actviz search --arch NAME``: the search's races train the named architecture; what
does not fit is one line before any race; teacher tasks are registered like any task."""

from __future__ import annotations

import json

import pytest
import torch

from actviz.discovery.races import RaceJob, run_job
from actviz.discovery.settings import SearchSettings
from actviz.discovery.teacher import teacher_task
from actviz.formula.build import formula_parts

SEARCH = ("--steps", "20", "--seeds", "1", "--batch", "4", "--max-races", "2")
VERIFY = ("--verify-top", "1", "--verify-seeds", "2", "--no-store")


def test_a_search_races_the_named_architecture(run_cli, tmp_path):
    out = tmp_path / "s.json"
    code, _, err = run_cli(
        "search", "--tasks", "teacher_swish", "--arch", "resmlp", "--width", "8",
        "--arch-option", "norm=layer", *SEARCH, *VERIFY, "--json", str(out), "-q",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out.read_text())
    assert data["settings"]["arch"] == "resmlp"
    assert data["settings"]["arch_options"] == {"width": 8, "norm": "layer"}
    assert data["candidates"] and data["verified"]
    assert all(c["score"] is not None for c in data["candidates"][:2])


def test_a_race_job_trains_the_architecture_it_names():
    swish = formula_parts("x*sigmoid(x)")
    job = RaceJob(
        task="teacher_swish",
        formulas={"c1": swish},
        seeds=(0,),
        steps=5,
        options={"arch": "resmlp", "arch_options": {"width": 6, "depth": 2}},
    )
    result = run_job(job)
    assert result["race"]["config"]["arch"] == "resmlp"
    assert result["race"]["config"]["arch_options"] == {"width": 6, "depth": 2}
    plain = run_job(RaceJob(task="teacher_swish", formulas={"c1": swish}, seeds=(0,), steps=5))
    assert plain["race"]["config"]["arch"] == "mlp"
    assert plain["scores"]["c1"] != result["scores"]["c1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--arch", "cnn1d"), "cnn1d needs a 1-D signal as input, and task 'teacher_swish'"),
        (("--arch", "resmlpp"), "unknown architecture 'resmlpp' (did you mean resmlp"),
        (("--arch", "8,8", "--depth", "2"), "need an architecture name (e.g. --arch resmlp)"),
        (("--arch", "resmlp", "--depth", "0"), "resmlp depth must be in [1, 64], got 0"),
        (("--arch", "gru", "--channels", "4"), "gru has no option 'channels'"),
        (("--arch", "res mlp"), "--arch must be hidden widths like 8,8 or an architecture name"),
    ],
)
def test_what_does_not_fit_is_one_line_before_any_race(run_cli, args, message):
    code, _, err = run_cli("search", "--tasks", "teacher_swish", *args, *SEARCH, *VERIFY)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err


def test_an_mlp_search_keeps_its_identity_so_stored_searches_resume():
    plain = SearchSettings()
    assert "arch" not in plain.identity() and "arch_options" not in plain.identity()
    assert plain.race_options() == {"hidden": (8, 8), "lr": 0.01}
    other = SearchSettings(arch="resmlp", arch_options={"depth": 2})
    assert other.identity()["arch"] == "resmlp"
    assert other.race_options()["arch_options"] == {"depth": 2}
    assert SearchSettings(**other.to_dict()) == other  # stored settings read back


def test_teacher_tasks_are_registered_through_the_task_hook(builtin_catalogue):
    tasks = builtin_catalogue.tasks
    for name, formula in (("teacher_swish", "x*sigmoid(x)"), ("teacher_tanh", "tanh(x)")):
        task = tasks[name]
        assert task.loss == "mse" and task.input_dim == 4
        same = teacher_task(f"teacher:{formula}")
        a, b = task.generate(64, 0.0, 3), same.generate(64, 0.0, 3)
        assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_train, b.y_train)
    a, b = tasks["teacher_swish"].generate(64, 0.0, 3), tasks["teacher_tanh"].generate(64, 0.0, 3)
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.y_train, b.y_train)

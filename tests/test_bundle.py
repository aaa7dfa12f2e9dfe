"""Comparison bundles and sweeps without a screen: the summary numbers, the plain-torch
forms of the built-ins, and reproduce.py training the same numbers as the engine."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import pytest
import torch

from actviz.figures.comparison import (
    TORCH_FORMS,
    Member,
    best_member,
    summarise,
    torch_form,
    write_bundle,
)
from actviz.stats import mean_std
from actviz.training import RaceConfig, run_race
from actviz.training.sweep import (
    check_sweep,
    member_name,
    parse_sweep,
    sweep_points,
    sweep_race,
    sweep_values,
    value_tag,
)


def _compile(name, act):
    params = [p.name for p in act.params]
    body = "\n".join("    " + line for line in TORCH_FORMS[name].splitlines())
    source = f"def activation(x{''.join(', ' + p for p in params)}):\n{body}\n"
    scope = {"torch": torch, "math": math}
    exec(source, scope)  # noqa: S102 - our own table, not user text
    return scope["activation"]


def test_every_torch_form_matches_its_plugin(builtin_catalogue):
    acts = builtin_catalogue.activations
    replayable = {
        n for n, a in acts.items() if a.train_fn is None and all(p.is_scalar for p in a.params)
    }
    missing = sorted(replayable - set(TORCH_FORMS))
    assert missing == []  # every built-in that can be replayed has a form
    assert torch_form(acts["pade"]) is None  # vector parameters are not replayed
    x = torch.linspace(-8, 8, 2001).reshape(1, -1)
    gen = torch.Generator().manual_seed(0)
    for name, body in TORCH_FORMS.items():
        act = acts[name]
        fn = _compile(name, act)
        for trial in range(3):
            values = {}
            for p in act.params:
                lo = p.min if p.min is not None else p.default - 1
                hi = p.max if p.max is not None else p.default + 1
                u = float(torch.rand(1, generator=gen))
                values[p.name] = p.default if trial == 0 else lo + (hi - lo) * u
            wide = x.repeat(1, 2) if act.kind == "gated" else x
            expected = act.fn(wide.clone(), **values)
            got = fn(wide.clone(), **values)
            assert torch.allclose(got, expected, atol=1e-6, equal_nan=True), (name, values)
        assert body


def test_summary_is_mean_std_over_seeds_and_steps_to_threshold():
    run = {
        "metric": "accuracy",
        "train_seconds": 2.5,
        "runs": [
            {
                "activation": "relu",
                "seed": 0,
                "status": "finished",
                "test_accuracy": 0.9,
                "best_test_accuracy": 0.95,
                "history": [
                    {"step": 0, "seconds": 0.0, "test_metric": 0.5},
                    {"step": 10, "seconds": 0.1, "test_metric": 0.95},
                    {"step": 20, "seconds": 0.2, "test_metric": 0.9},
                ],
            },
            {
                "activation": "relu",
                "seed": 1,
                "status": "finished",
                "test_accuracy": 0.8,
                "best_test_accuracy": 0.8,
                "history": [{"step": 20, "seconds": 0.2, "test_metric": 0.8}],
            },
            {
                "activation": "tanh",
                "seed": 0,
                "status": "diverged",
                "test_accuracy": None,
                "best_test_accuracy": None,
                "history": [],
            },
        ],
    }
    relu, tanh = summarise(run, threshold=0.9)
    assert relu["final_mean"] == pytest.approx(0.85)
    assert relu["final_std"] == pytest.approx(math.sqrt(0.005))
    assert relu["best_mean"] == pytest.approx(0.875)
    # 0.5 at step 0, 0.95 at step 10: 0.9 is crossed 8/9 of the way, at step 80/9
    assert relu["reached"] == 1 and relu["steps_to_threshold"] == pytest.approx(80 / 9)
    assert relu["seed_steps_to_threshold"] == [pytest.approx(80 / 9), None]
    assert (tanh["final_mean"], tanh["diverged"], tanh["reached"]) == (None, 1, 0)
    assert mean_std([]) == (None, None) and mean_std([2.0]) == (2.0, 0.0)


def _run(catalogue, **kwargs):
    config = RaceConfig(seeds=2, steps=24, points=80, hidden=(6, 5), **kwargs)
    result = run_race(config, catalogue.activations, catalogue.tasks[config.task])
    data = result.to_dict()
    data.update(id=7, name="test run")
    return data


@pytest.mark.parametrize(
    ("settings", "member"),
    [
        # learnable PReLU slope, minibatches, Adam
        ({"task": "moons", "activations": ["relu", "prelu"], "batch_size": 16}, 3),
        # gated activation, three classes, He init, momentum SGD
        (
            {
                "task": "spiral3",
                "activations": ["glu"],
                "init": "he",
                "optimizer": "momentum",
                "lr": 0.05,
            },
            1,
        ),
    ],
)
def test_reproduce_script_trains_the_same_numbers_as_the_engine(
    builtin_catalogue, tmp_path, settings, member
):
    run = _run(builtin_catalogue, **settings)
    written = write_bundle(
        tmp_path,
        [run],
        activations=builtin_catalogue.activations,
        tasks=builtin_catalogue.tasks,
        reproduce=Member(0, member),
    )
    assert {p.name for p in written} >= {"reproduce.py", "data.npz", "metrics.csv", "README.md"}
    script = (tmp_path / "reproduce.py").read_text()
    imports = re.findall(r"^(?:import|from) (\w+)", script, re.MULTILINE)
    assert set(imports) <= {"argparse", "json", "math", "pathlib", "numpy", "torch"}
    out = subprocess.run(
        [sys.executable, "reproduce.py", "--steps", "15"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.split("RESULT ", 1)[1])
    recorded = {h["step"]: h for h in run["runs"][member]["history"]}[15]  # on the eval grid
    assert got["step"] == 15
    assert got["train_loss"] == pytest.approx(recorded["train_loss"], rel=1e-4, abs=1e-6)
    assert got["test_metric"] == pytest.approx(recorded["test_metric"], abs=1e-6)


def test_bundle_without_a_replayable_activation_says_so(builtin_catalogue, tmp_path):
    run = _run(builtin_catalogue, task="moons", activations=["rrelu"])
    assert torch_form(builtin_catalogue.activations["rrelu"]) is None  # random training form
    assert best_member([run], builtin_catalogue.activations) is None
    written = write_bundle(
        tmp_path, [run], activations=builtin_catalogue.activations, tasks=builtin_catalogue.tasks
    )
    assert not (tmp_path / "reproduce.py").exists()
    assert "no reproduce.py" in (tmp_path / "README.md").read_text()
    assert (tmp_path / "metrics.csv") in written
    header = (tmp_path / "metrics.csv").read_text().splitlines()[0].split(",")
    assert header[:5] == ["run_id", "run_name", "task", "metric", "activation"]


def test_sweep_names_values_and_round_trip(builtin_catalogue):
    assert sweep_values(0, 0.3, 6) == pytest.approx([0, 0.06, 0.12, 0.18, 0.24, 0.3])
    assert sweep_values(1.0, 2.0, 1) == [1.0]
    assert [value_tag(v) for v in (0.06, -1.5, 1e-5)] == ["0p06", "m1p5", "1em05"]
    leaky = builtin_catalogue.activations["leaky_relu"]
    assert "outside" in check_sweep(leaky, "negative_slope", [0.5, 2.0])[0]
    assert "no parameter" in check_sweep(leaky, "alpha", [0.1])[0]
    assert "equal" in check_sweep(leaky, "negative_slope", [0.1, 0.1000000001])[0]
    config, acts, sweep = sweep_race(
        RaceConfig(task="moons", seeds=1, steps=10, points=60, hidden=(4,)),
        leaky,
        "negative_slope",
        [0.0, 0.2],
    )
    assert config.activations == [
        member_name("leaky_relu", "negative_slope", 0.0),
        "leaky_relu_negative_slope_0p2",
    ]
    assert config.params["leaky_relu_negative_slope_0p2"] == {"negative_slope": 0.2}
    assert config.validate(acts, builtin_catalogue.tasks) == []
    result = run_race(config, acts, builtin_catalogue.tasks["moons"]).to_dict()
    assert parse_sweep(result["config"]) == sweep
    assert parse_sweep(RaceConfig(activations=["relu", "tanh"]).to_dict()) is None
    points = sweep_points(result, sweep)
    assert [p["value"] for p in points] == [0.0, 0.2]
    assert [p["mean"] for p in points] == pytest.approx(
        [r["test_accuracy"] for r in result["runs"]]
    )

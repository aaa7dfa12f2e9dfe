"""Race configurations: JSON round trip and problems reported field by field."""

from __future__ import annotations

import json

import torch

from actviz import Activation, Param
from actviz.training import RaceConfig
from actviz.training.device import choose_strategy, choose_threads


def test_round_trip_through_json():
    cfg = RaceConfig(
        task="spiral",
        activations=["relu", "prelu"],
        params={"prelu": {"a": 0.1}},
        seeds=[1, 4],
        steps=300,
        hidden=(16, 16, 8),
        init="he",
        optimizer="rmsprop",
        lr=0.003,
        batch_size=64,
        device="cpu",
    )
    again = RaceConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg
    assert again.hidden == (16, 16, 8) and again.seed_list() == [1, 4]
    assert RaceConfig.from_dict({**cfg.to_dict(), "from_a_newer_version": 1}) == cfg


def test_defaults_are_valid_and_evaluate_on_the_fixed_grid():
    cfg = RaceConfig()
    assert cfg.validate() == []
    assert cfg.seed_list() == [0, 1, 2]
    # every 5 steps up to 500, every 25 up to 2,500: 100 + 20 evaluations in 1,000 steps
    assert sum(cfg.is_eval_step(s) for s in range(1, 1001)) == 120
    assert cfg.eval_interval() == 25
    assert RaceConfig(steps=10).eval_interval() == 5
    assert RaceConfig(eval_every=7).eval_interval() == 7


def test_every_problem_is_reported_with_its_field():
    acts = {"relu": Activation(name="relu", fn=torch.relu)}
    acts["prelu"] = Activation(
        name="prelu", fn=lambda x, a=0.25: torch.where(x > 0, x, a * x), params=[Param("a", 0.25)]
    )
    cfg = RaceConfig(
        task="nope",
        activations=["relu", "relu", "gone"],
        params={"prelu": {"a": 1.0}, "relu": {"slope": float("nan")}},
        seeds=0,
        steps=0,
        hidden=(8, 0),
        init="orthogonal",
        optimizer="lbfgs",
        lr=float("inf"),
        batch_size=0,
        points=2,
        noise=-1.0,
        test_fraction=1.0,
        device="tpu",
        boundary_grid=-1,
        strategy="fast",
    )
    problems = cfg.validate(acts, {"moons": object()})
    fields = {p.split(":", 1)[0] for p in problems}
    assert fields == {
        "task",
        "activations",
        "params",
        "seeds",
        "steps",
        "hidden",
        "init",
        "optimizer",
        "lr",
        "batch_size",
        "points",
        "noise",
        "test_fraction",
        "device",
        "boundary_grid",
        "strategy",
    }
    text = "\n".join(problems)
    assert "'gone'" in text and "listed twice" in text and "has no parameter 'slope'" in text
    assert "'prelu' is not one of the raced activations" in text


def test_strategy_and_threads_follow_the_model_size():
    cpu = torch.device("cpu")
    assert choose_strategy("auto", [2, 8, 8, 1], 200, cpu) == "batched"
    assert choose_strategy("auto", [2, 256, 256, 1], 1000, cpu) == "loop"
    assert choose_strategy("batched", [2, 256, 256, 1], 1000, cpu) == "batched"
    assert choose_strategy("auto", [2, 256, 256, 1], 1000, torch.device("cuda")) == "batched"
    assert choose_threads(None, 32 * 200 * 90, cpu) == 1
    assert choose_threads(None, 10**10, cpu) is None
    assert choose_threads(3, 10, cpu) == 3

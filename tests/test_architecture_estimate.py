"""The race's time and memory before it runs (actviz.architectures.estimate): the
evaluation count is the engine's own, the probe measures the race it is given, and the
memory figures come from the documented model (MLP) or the measured probe batch."""

from __future__ import annotations

import dataclasses

import pytest

from actviz.architectures.estimate import (
    MemoryEstimate,
    TimeEstimate,
    count_evaluations,
    memory_estimate,
    probe_time,
)
from actviz.architectures.memory import estimate
from actviz.training.config import RaceConfig
from actviz.training.engine import race
from actviz.training.events import Evaluation


@pytest.fixture(scope="module")
def cat(builtin_catalogue):
    return builtin_catalogue


def config(**kw) -> RaceConfig:
    base = dict(
        task="moons", activations=["relu", "tanh"], seeds=2, steps=30, points=60, hidden=(6,)
    )
    return RaceConfig(**(base | kw))


@pytest.mark.parametrize("steps, every", [(30, None), (30, 7), (28, 7), (1, None)])
def test_the_evaluation_count_is_the_engines(cat, steps, every):
    cfg = config(steps=steps, eval_every=every)
    events = race(cfg, cat.activations, cat.tasks["moons"])
    seen = sorted({e.step for e in events if isinstance(e, Evaluation)})
    assert count_evaluations(cfg) == len(seen)


@pytest.mark.parametrize("arch, options", [("mlp", {}), ("resmlp", {"width": 8, "depth": 2})])
def test_the_probe_times_the_race_and_scales_to_its_steps(cat, arch, options):
    cfg = config(steps=5000, arch=arch, arch_options=options)
    architecture = cat.architectures.get(arch)
    found = probe_time(cfg, cat.activations, cat.tasks["moons"], architecture, probe_steps=2)
    assert isinstance(found, TimeEstimate)
    assert found.steps == 5000 and found.evaluations == count_evaluations(cfg)
    assert found.step_s > 0 and found.eval_s > 0 and found.setup_s > 0
    assert found.seconds == pytest.approx(
        found.setup_s + 5000 * found.step_s + found.evaluations * found.eval_s
    )
    assert found.probe_s < found.seconds  # three steps cost less than five thousand
    assert "5,000 steps" in found.text() and "probe of this race" in found.text()


def test_a_stopped_probe_gives_no_estimate(cat):
    found = probe_time(config(), cat.activations, cat.tasks["moons"], should_stop=lambda: True)
    assert found is None


def test_memory_of_the_mlp_is_the_documented_model(cat):
    cfg = config(hidden=(6, 4))
    found = memory_estimate(cfg, None, cat.tasks["moons"], cat.activations)
    params = (2 * 6 + 6) + (6 * 4 + 4) + (4 * 1 + 1)
    assert found.models == 4 and found.method == "modelled"
    assert found.per_model == 4 * (4 * params + 3 * (6 + 4 + 1) * 60)


def test_memory_of_an_architecture_is_measured_on_a_probe_batch(cat):
    arch = cat.architectures["resmlp"]
    cfg = config(arch="resmlp", arch_options={"width": 12}, batch_size=32)
    found = memory_estimate(cfg, arch, cat.tasks["moons"], cat.activations)
    one = estimate(arch, {"width": 12}, cat.tasks["moons"], cat.activations["relu"], 32)
    assert found.per_model == one.per_model and found.total == 4 * one.per_model
    wider = memory_estimate(
        dataclasses.replace(cfg, arch_options={"width": 48}),
        arch,
        cat.tasks["moons"],
        cat.activations,
    )
    assert wider.per_model > found.per_model


def test_how_many_fit_and_when_it_does_not(cat):
    small = MemoryEstimate(models=10, per_model=1_000_000, free=5_000_000, method="modelled")
    assert small.fit == 4 and not small.fits and "about 4 fit" in small.text()
    roomy = MemoryEstimate(models=2, per_model=1_000, free=10**9, method="modelled")
    assert roomy.fits


def test_nothing_to_estimate_without_activations_or_seeds(cat):
    assert (
        memory_estimate(config(activations=[]), None, cat.tasks["moons"], cat.activations) is None
    )
    assert memory_estimate(config(seeds="x"), None, cat.tasks["moons"], cat.activations) is None

"""Races of every architecture keep their initial networks, so "same start again" works
beyond the MLP; the transformer races GLU-family activations as gated MLPs."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from actviz.architectures.build import problems
from actviz.architectures.race import stacks
from actviz.storage import RunStore
from actviz.training.config import RaceConfig
from actviz.training.engine import race
from actviz.training.events import Evaluation

pytest.importorskip("mnist1d")
TINY = ("--steps", "3", "--batch-size", "50", "--seeds", "2", "--activations", "relu,tanh")


def _finals(store, run_id):
    return [r["final_loss"] for r in store.load_run(run_id)["runs"]]


@pytest.mark.parametrize(
    ("arch", "task", "points"),
    [
        ("resmlp", "moons", "80"),
        ("cnn1d", "mnist1d", "300"),
        ("gru", "mnist1d", "300"),
        ("transformer", "mnist1d", "300"),
        ("cnn2d", "digits8x8", "300"),
    ],
)
def test_every_architecture_reruns_from_its_stored_start(run_cli, tmp_path, arch, task, points):
    db = str(tmp_path / "runs.sqlite")
    args = ("--task", task, "--arch", arch, "--points", points, *TINY, "--db", db, "-q")
    assert run_cli("train", *args)[0] == 0
    code, _, err = run_cli("train", "--same-start", "1", "--db", db, "-q")
    assert code == 0, err
    code, _, err = run_cli("train", "--same-start", "1", "--lr", "0.2", "--db", db, "-q")
    assert code == 0, err
    with RunStore(db) as store:
        first, again, faster = (store.initial_states(i) for i in (1, 2, 3))
        assert set(first) == {(a, s) for a in ("relu", "tanh") for s in (0, 1)}
        for key, values in first.items():
            for other in (again, faster):
                got = other[key]
                assert len(got.weights) == len(values.weights) > 0
                for a, b in zip(
                    values.weights + values.biases, got.weights + got.biases, strict=True
                ):
                    assert torch.equal(a, b)
        # the same seed starts every activation from the same network
        for a, b in zip(first[("relu", 0)].weights, first[("tanh", 0)].weights, strict=True):
            assert torch.equal(a, b)
        assert _finals(store, 2) == _finals(store, 1)  # nothing changed: the same race
        assert _finals(store, 3) != _finals(store, 1)  # the learning rate did
        assert store.load_run(3)["config"]["arch"] == arch


def test_an_architecture_snapshot_rebuilds_the_races_own_models(builtin_catalogue):
    cat = builtin_catalogue
    cfg = RaceConfig(
        task="moons", activations=["relu", "prelu"], seeds=2, steps=6, points=60,
        arch="resmlp", arch_options={"width": 6, "depth": 2},
    )  # fmt: skip
    current = race(
        cfg, cat.activations, cat.tasks["moons"], snapshots=True,
        architecture=cat.architectures["resmlp"],
    )  # fmt: skip
    last = [e for e in current if isinstance(e, Evaluation)][-1]
    assert last.step == 6 and last.snapshot is not None
    x = torch.randn(2, 25)
    checked = []
    with torch.no_grad():
        for stack in current.stacks:  # one per seed: each seed draws its own data
            live, _ = stack.forward(x, train=False)
            for seg in stack.segments:
                for within, run in enumerate(seg.run_ids):
                    alone, _ = last.snapshot.model(run).forward(x, train=False)
                    torch.testing.assert_close(alone[0], live[seg.start + within])
                    checked.append(run)
    assert sorted(checked) == [0, 1, 2, 3]


def test_glu_races_in_the_transformer_as_a_gated_mlp(builtin_catalogue):
    cat = builtin_catalogue
    task = cat.tasks["mnist1d"]
    glu = {"glu": cat.activations["glu"]}
    assert problems(cat.architectures["transformer"], {}, task, glu) == []
    refused = problems(cat.architectures["cnn1d"], {}, task, glu)
    assert refused == [
        "activations: glu is gated (it halves a layer's width); cnn1d takes elementwise "
        "and vector activations"
    ]
    cfg = RaceConfig(task="mnist1d", activations=["relu", "glu"], seeds=2, arch="transformer")
    plain, gated = stacks(
        cfg, cat.architectures["transformer"], cat.activations, task, torch.device("cpu"), 100
    )
    assert [s.segments[0].activation.name for s in (plain, gated)] == ["relu", "glu"]
    hidden = 32 * 2
    for name, tensor in plain.groups[0].items():
        other = gated.groups[0][name]
        if name.startswith(("w_1#", "b_1#")):
            assert other.shape[1] == 2 * hidden and tensor.shape[1] == hidden
            assert torch.equal(other[:, :hidden], tensor)  # values: the plain draw
        else:
            assert torch.equal(other, tensor)  # every other weight shared per seed
    x = torch.randn(40, 12)
    with torch.no_grad():
        out, layers = gated.forward(x, train=False, record=True)
    assert out.shape == (2, 10, 12)
    for z, h in layers:
        assert z.shape[1] == 2 * hidden and h.shape[1] == hidden
        torch.testing.assert_close(h, F.glu(z, dim=1))  # values first, gates second


def test_a_race_with_glu_in_the_transformer_trains_and_records(builtin_catalogue):
    cat = builtin_catalogue
    cfg = RaceConfig(
        task="mnist1d", activations=["gelu", "glu"], seeds=1, steps=4, points=200,
        batch_size=50, arch="transformer", arch_options={"width": 8, "heads": 2, "blocks": 1},
    )  # fmt: skip
    events = list(
        race(
            cfg,
            cat.activations,
            cat.tasks["mnist1d"],
            architecture=cat.architectures["transformer"],
        )
    )
    last = [e for e in events if isinstance(e, Evaluation)][-1]
    assert last.step == 4
    for row in last.metrics:
        assert row is not None and row["test_loss"] == pytest.approx(row["test_loss"])  # finite

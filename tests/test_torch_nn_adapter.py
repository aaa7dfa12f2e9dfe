"""The torch.nn adapter example: code nobody here wrote, exposed through the public
contract, found by real folder discovery, validated and raced."""

from __future__ import annotations

import torch
from conftest import REPO
from torch import nn

from actviz.host import load_catalogue
from actviz.training import RaceConfig, run_race

FOLDER = REPO / "examples" / "torch_nn_adapter"
SKIPPED = {"MultiheadAttention", "Softmax2d"}


def _catalogue():
    return load_catalogue([FOLDER], use_user_dir=False, use_entry_points=False, use_env=False)


def test_every_torch_nn_activation_loads_and_validates():
    cat = _catalogue()
    expected = {
        "torch_" + name.lower() for name in nn.modules.activation.__all__ if name not in SKIPPED
    }
    found = {e.name: e for e in cat.entries if e.name.startswith("torch_")}
    assert set(found) == expected
    bad = {n: e.error.message for n, e in found.items() if not e.ok}
    assert not bad
    acts = cat.activations
    assert acts["torch_softmax"].kind == "vector" and acts["torch_glu"].kind == "gated"
    assert [p.name for p in acts["torch_softplus"].params] == ["beta", "threshold"]
    (weight,) = acts["torch_prelu"].params
    assert weight.per_unit and weight.learnable and weight.default == 0.25
    assert acts["torch_rrelu"].train_fn is not None  # random slope only while training


def test_adapted_functions_agree_with_the_modules():
    acts = _catalogue().activations
    x = torch.linspace(-6, 6, 301)
    assert torch.equal(acts["torch_elu"].fn(x, alpha=0.5), nn.ELU(alpha=0.5)(x))
    assert torch.equal(
        acts["torch_softmax"].fn(x[:300].view(3, -1)), nn.Softmax(dim=-1)(x[:300].view(3, -1))
    )
    slopes = torch.tensor([0.1, -0.2, 0.3, 0.0, 0.5])
    prelu = nn.PReLU(num_parameters=5)
    prelu.weight.data = slopes.clone()
    z = torch.randn(1, 5, 40)
    with torch.no_grad():
        assert torch.equal(acts["torch_prelu"].fn(z, weight=slopes.view(1, 5, 1)), prelu(z))


def test_every_torch_nn_activation_races():
    cat = _catalogue()
    names = sorted(n for n in cat.activations if n.startswith("torch_"))
    cfg = RaceConfig(
        task="moons",
        activations=names,
        seeds=2,
        steps=30,
        eval_every=15,
        hidden=(6,),
        boundary_grid=8,
    )
    result = run_race(cfg, cat.activations, cat.tasks["moons"])
    assert result.status == "finished"
    failed = {r.activation: r.error for r in result.runs if r.status != "finished"}
    assert not failed
    prelu = [r for r in result.runs if r.activation == "torch_prelu"]
    first = prelu[0].history[0]["param_arrays"]["weight"][0]
    last = prelu[0].history[-1]["param_arrays"]["weight"][0]
    assert first == [0.25] * 6 and last != first

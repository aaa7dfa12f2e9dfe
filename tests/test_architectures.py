"""Architectures: batched models equal torch.nn's one at a time, same start per seed,
one clear line for what does not fit, and every one trains inside a race."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from actviz.architectures.build import input_shape, problems
from actviz.architectures.race import stacks
from actviz.training.config import RaceConfig
from actviz.training.engine import run_race

pytest.importorskip("mnist1d")
ARCHS = ("linear", "resmlp", "cnn1d", "gru", "transformer")


def _stack(cat, arch, acts, seeds=2, task="mnist1d", **options):
    cfg = RaceConfig(task=task, activations=acts, seeds=seeds, arch=arch, arch_options=options)
    found = stacks(
        cfg, cat.architectures[arch], cat.activations, cat.tasks[task], torch.device("cpu"), 100
    )
    return found[0]


def test_builtin_architectures_are_plugins(builtin_catalogue):
    cat = builtin_catalogue
    assert {"mlp", "linear", "resmlp", "cnn1d", "cnn2d", "gru", "transformer"} <= set(
        cat.architectures
    )
    owners = {p.name: p.architectures for p in cat.plugins if p.architectures}
    assert any("cnn1d" in names for names in owners.values())
    for arch in cat.architectures.values():
        assert arch.description and arch.site  # each says where the activation sits


@pytest.mark.parametrize("arch", ARCHS)
def test_batched_equals_one_model_at_a_time(builtin_catalogue, arch):
    cat = builtin_catalogue
    both = _stack(cat, arch, ["tanh", "relu"], seeds=2)
    x = torch.randn(40, 7)
    with torch.no_grad():
        out, _ = both.forward(x, train=False)
        for k, (act, seed) in enumerate([("tanh", 0), ("tanh", 1), ("relu", 0), ("relu", 1)]):
            single = _stack(cat, arch, [act], seeds=[seed])
            alone, _ = single.forward(x, train=False)
            torch.testing.assert_close(out[k], alone[0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("arch", ARCHS)
def test_same_initial_weights_per_seed_for_every_activation(builtin_catalogue, arch):
    stack = _stack(builtin_catalogue, arch, ["relu", "gelu", "tanh"], seeds=2)
    for group in stack.groups:
        for tensor in group.values():
            assert torch.equal(tensor[0], tensor[2]) and torch.equal(tensor[0], tensor[4])
            assert torch.equal(tensor[1], tensor[5])
            if tensor[0].numel() > 1 and tensor[0].std() > 0:
                assert not torch.equal(tensor[0], tensor[1])  # seeds differ


def test_cnn1d_matches_torch_nn(builtin_catalogue):
    stack = _stack(builtin_catalogue, "cnn1d", ["tanh", "relu"], seeds=1)
    p = {k: v.detach() for g in stack.groups for k, v in g.items()}
    x = torch.randn(40, 9)
    out, layers = stack.forward(x, train=False, record=True)
    for m, act in enumerate((nn.Tanh(), nn.ReLU())):
        convs = [nn.Conv1d(1, 25, 5, 2, 1), nn.Conv1d(25, 25, 3, 2, 1), nn.Conv1d(25, 25, 3, 2, 1)]
        net = nn.Sequential(
            convs[0], act, convs[1], act, convs[2], act, nn.Flatten(), nn.Linear(125, 10)
        )
        with torch.no_grad():
            for i, c in enumerate(convs):
                c.weight.copy_(p[f"w#{i}"][m])
                c.bias.copy_(p[f"b#{i}"][m, :, 0])
            net[-1].weight.copy_(p["w_out"][m])
            net[-1].bias.copy_(p["b_out"][m, :, 0])
            want = net(x.t().unsqueeze(1))
        torch.testing.assert_close(out[m].t(), want, rtol=1e-4, atol=1e-5)
    assert [tuple(z.shape[:2]) for z, _ in layers] == [(2, 25)] * 3  # channels are the units


def test_gru_with_tanh_matches_torch_nn_gru(builtin_catalogue):
    stack = _stack(builtin_catalogue, "gru", ["tanh"], seeds=1)
    p = {k: v.detach() for g in stack.groups for k, v in g.items()}
    rnn = nn.GRU(1, 6, batch_first=True, bidirectional=True)
    head = nn.Linear(2 * 6 * 40, 10)
    with torch.no_grad():
        for d, suffix in ((0, ""), (1, "_reverse")):
            getattr(rnn, f"weight_ih_l0{suffix}").copy_(p[f"w_ih#{d}"][0])
            getattr(rnn, f"weight_hh_l0{suffix}").copy_(p[f"w_hh#{d}"][0])
            getattr(rnn, f"bias_ih_l0{suffix}").copy_(p[f"b_ih#{d}"][0, :, 0])
            getattr(rnn, f"bias_hh_l0{suffix}").copy_(p[f"b_hh#{d}"][0, :, 0])
        head.weight.copy_(p["w_out"][0])
        head.bias.copy_(p["b_out"][0, :, 0])
        x = torch.randn(5, 40)
        h, _ = rnn(x.unsqueeze(-1))
        want = head(h.reshape(5, -1))
        out, _ = stack.forward(x.t(), train=False)
    torch.testing.assert_close(out[0].t(), want, rtol=1e-4, atol=1e-5)


def test_published_mlp_is_resmlp_depth_one(builtin_catalogue):
    stack = _stack(builtin_catalogue, "resmlp", ["relu"], seeds=1, depth=1, width=100)
    p = {k: v.detach()[0] for g in stack.groups for k, v in g.items()}
    x = torch.randn(40, 6)
    h1 = (p["w"] @ x + p["b"]).relu()
    h2 = h1 + (p["w#1"] @ h1 + p["b#1"]).relu()
    want = p["w_out"] @ h2 + p["b_out"]
    with torch.no_grad():
        out, _ = stack.forward(x, train=False)
    torch.testing.assert_close(out[0], want, rtol=1e-4, atol=1e-5)


def test_what_does_not_fit_is_one_line(builtin_catalogue):
    cat = builtin_catalogue
    found = problems(cat.architectures["cnn2d"], {}, cat.tasks["iris"])
    assert len(found) == 1 and "cnn2d needs an image" in found[0] and "iris" in found[0]
    found = problems(cat.architectures["resmlp"], {"depth": 0}, cat.tasks["mnist1d"])
    assert found == ["arch: resmlp depth must be in [1, 64], got 0"]
    found = problems(cat.architectures["gru"], {"layers": 2}, cat.tasks["mnist1d"])
    assert len(found) == 1 and "no option 'layers'" in found[0]
    glu = {"glu": cat.activations["glu"]}
    found = problems(cat.architectures["cnn1d"], {}, cat.tasks["mnist1d"], glu)
    assert len(found) == 1 and "glu is gated" in found[0]
    found = problems(cat.architectures["transformer"], {"heads": 3}, cat.tasks["mnist1d"])
    assert len(found) == 1 and "multiple of 3 heads" in found[0]
    assert input_shape(cat.architectures["cnn2d"], cat.tasks["digits8x8"]) == (1, 8, 8)


def test_a_race_refuses_a_misfit_before_it_starts(builtin_catalogue):
    cat = builtin_catalogue
    cfg = RaceConfig(task="iris", activations=["relu"], arch="cnn1d", steps=2)
    with pytest.raises(ValueError, match="cnn1d needs a 1-D signal"):
        run_race(cfg, cat.activations, cat.tasks["iris"], architecture=cat.architectures["cnn1d"])
    with pytest.raises(ValueError, match="no architecture 'gru' was given"):
        run_race(cfg.__class__(task="iris", arch="gru"), cat.activations, cat.tasks["iris"])


@pytest.mark.parametrize(
    ("arch", "task"),
    [(a, "mnist1d") for a in ARCHS] + [("cnn2d", "digits8x8")],
)
def test_every_architecture_races(builtin_catalogue, arch, task):
    """A plain and a per-unit learnable activation (one slope per unit of each site),
    a few steps: finite losses, every statistic recorded, each site's slopes recorded."""
    cat = builtin_catalogue
    cfg = RaceConfig(
        task=task,
        activations=["relu", "prelu_units"],
        seeds=2,
        steps=4,
        batch_size=50,
        points=300,
        arch=arch,
        eval_every=2,
    )
    result = run_race(cfg, cat.activations, cat.tasks[task], architecture=cat.architectures[arch])
    assert result.status == "finished"
    assert result.config["arch"] == arch
    for run in result.runs:
        last = run.history[-1]
        assert run.status == "finished" and last["test_loss"] is not None
        n_sites = len(last["dead_fraction"])
        assert len(last["grad_norms"]) == n_sites + 1
        if run.activation == "prelu_units":
            slopes = last["param_arrays"]["a"]
            stack = _stack(cat, arch, ["relu"], seeds=1, task=task)
            sites = cat.architectures[arch].sites(stack.shape, stack.options)
            assert [len(s) for s in slopes] == sites
            assert any(v != slopes[0][0] for s in slopes for v in s) or not sites


def test_a_plugin_architecture_from_the_guide_races(tmp_path):
    """The plugin-guide example, loaded from a plugin folder like any plugin."""
    import re
    from pathlib import Path

    from actviz.host import load_catalogue

    guide = (Path(__file__).parents[1] / "docs" / "plugin-guide.md").read_text()
    section = guide.split("## Architectures (`actviz_architectures`)")[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    (tmp_path / "twoskip.py").write_text(code)
    cat = load_catalogue([tmp_path], use_user_dir=False, use_entry_points=False, use_env=False)
    assert "twoskip" in cat.architectures, [e.summary() for e in cat.errors]
    cfg = RaceConfig(
        task="moons", activations=["relu", "tanh"], seeds=2, steps=5, arch="twoskip",
        arch_options={"width": 8},
    )  # fmt: skip
    result = run_race(
        cfg, cat.activations, cat.tasks["moons"], architecture=cat.architectures["twoskip"]
    )
    assert result.status == "finished"
    assert all(len(r.history[-1]["dead_fraction"]) == 2 for r in result.runs)

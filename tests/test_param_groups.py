"""Parameter groups for activation parameters: ``Param(lr=..., weight_decay=...)``.

The update is checked against torch.optim's own parameter groups for all five
optimisers, and in races: ``lr=0`` keeps a parameter at its start, a weight decay pulls
it towards zero, and every other number of the race stays bit-equal.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from actviz import Activation, Param
from actviz.training import RaceConfig, run_race
from actviz.training.optim import ADAM_BETAS, MOMENTUM, FlatOptimizer
from actviz.training.param_groups import ParamGroups

TORCH_OPTIMIZERS = {
    "sgd": lambda groups: torch.optim.SGD(groups, lr=0.01),
    "momentum": lambda groups: torch.optim.SGD(groups, lr=0.01, momentum=MOMENTUM),
    "rmsprop": lambda groups: torch.optim.RMSprop(groups, lr=0.01),
    "adagrad": lambda groups: torch.optim.Adagrad(groups, lr=0.01),
    "adam": lambda groups: torch.optim.Adam(groups, lr=0.01, betas=ADAM_BETAS),
}


@pytest.mark.parametrize("name", list(TORCH_OPTIMIZERS))
def test_a_group_steps_as_torch_optims_parameter_group(name):
    gen = torch.Generator().manual_seed(5)
    start = torch.randn(10, generator=gen, dtype=torch.float64)
    grads = [torch.randn(10, generator=gen, dtype=torch.float64) for _ in range(20)]
    flat = start.clone()
    flat.grad = torch.zeros_like(flat)
    ours = FlatOptimizer(name, flat, lr=0.01)
    index = torch.arange(6, 10)
    groups = ParamGroups(
        index=index,
        scale=torch.full((4,), 3.0, dtype=torch.float64),
        decay=torch.full((4,), 0.1, dtype=torch.float64),
        before=torch.zeros(4, dtype=torch.float64),
    )
    a = start[:6].clone().requires_grad_()
    b = start[6:].clone().requires_grad_()
    theirs = TORCH_OPTIMIZERS[name](
        [{"params": [a]}, {"params": [b], "lr": 0.03, "weight_decay": 0.1}]
    )
    for g in grads:
        flat.grad.copy_(g)
        groups.before_step(flat)
        ours.step()
        groups.after_step(flat)
        a.grad, b.grad = g[:6].clone(), g[6:].clone()
        theirs.step()
    torch.testing.assert_close(flat[:6], a.detach(), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(flat[6:], b.detach(), rtol=1e-9, atol=1e-12)


def _slope(name: str, **group) -> Activation:
    return Activation(
        name=name,
        fn=lambda x, a: torch.where(x > 0, x, a * x),
        params=[Param("a", 0.3, learnable=True, **group)],
    )


def _race(builtin_catalogue, acts, optimizer="adam", lr=0.02):
    cat = builtin_catalogue
    cfg = RaceConfig(
        task="moons", activations=["relu", *acts], seeds=2, steps=60, eval_every=20,
        hidden=(6,), optimizer=optimizer, lr=lr, device="cpu", boundary_grid=0,
    )  # fmt: skip
    return run_race(cfg, {**cat.activations, **acts}, cat.tasks["moons"])


def _slopes(result, name):
    return [[h["params"]["a"][0] for h in r.history] for r in result.runs if r.activation == name]


def _losses(result, name):
    return [[h["train_loss"] for h in r.history] for r in result.runs if r.activation == name]


@pytest.mark.parametrize("optimizer, lr, decay", [("adam", 0.02, 5.0), ("sgd", 0.5, 1.0)])
def test_own_learning_rate_and_decay_in_a_race(builtin_catalogue, optimizer, lr, decay):
    acts = {
        "free": _slope("free"),
        "frozen": _slope("frozen", lr=0.0),
        "decayed": _slope("decayed", weight_decay=decay),
        "fast": _slope("fast", lr=4 * lr),
    }
    grouped = _race(builtin_catalogue, acts, optimizer, lr)
    plain = _race(builtin_catalogue, {"free": acts["free"]}, optimizer, lr)
    assert all(v == pytest.approx(0.3) for seed in _slopes(grouped, "frozen") for v in seed)
    free = [seed[-1] for seed in _slopes(grouped, "free")]
    assert all(abs(v - 0.3) > 1e-3 for v in free)
    decayed = [seed[-1] for seed in _slopes(grouped, "decayed")]
    assert all(abs(d) < abs(f) for d, f in zip(decayed, free, strict=True))
    fast = [seed[-1] for seed in _slopes(grouped, "fast")]
    assert all(abs(s - 0.3) > abs(f - 0.3) for s, f in zip(fast, free, strict=True))
    # the ungrouped models' numbers are bit-equal with and without groups in the race
    for name in ("relu", "free"):
        assert _losses(grouped, name) == _losses(plain, name)
        assert _slopes(grouped, "free") == _slopes(plain, "free")


class _Slope(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.3))
        self.register_buffer("shift", torch.tensor(0.0))

    def forward(self, x):
        return torch.where(x > 0, x, self.a * x) + self.shift


def test_a_module_declares_its_groups(builtin_catalogue):
    act = Activation.from_module(_Slope, name="module_slope", param_groups={"a": {"lr": 0.0}})
    assert act.param("a").lr == 0.0
    result = _race(builtin_catalogue, {"module_slope": act})
    assert all(v == pytest.approx(0.3) for seed in _slopes(result, "module_slope") for v in seed)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Param("a", 1.0, lr=0.1), "lr is for learnable parameters"),
        (lambda: Param("a", 1.0, learnable=True, weight_decay=-1.0), "must be a number >= 0"),
        (lambda: Param("a", 1.0, learnable=True, lr="fast"), "must be a number >= 0"),
        (
            lambda: Activation.from_module(_Slope, name="m", param_groups={"shift": {"lr": 0.1}}),
            "lr is for learnable parameters",
        ),
        (
            lambda: Activation.from_module(_Slope, name="m", param_groups={"b": {"lr": 0.1}}),
            "param_groups names b",
        ),
        (
            lambda: Activation.from_module(_Slope, name="m", param_groups={"a": {"momentum": 0}}),
            "takes lr and weight_decay, not momentum",
        ),
    ],
)
def test_bad_groups_say_why(make, message):
    with pytest.raises(ValueError, match=message):
        make()

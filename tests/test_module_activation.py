"""Activations written as ``torch.nn.Module`` classes (``Activation.from_module``).

They load from a plugin folder, pass ``check``, plot, race batched with one copy of the
module's tensors per model (the same numbers as the equivalent function plugin), learn,
and show in the Plugins panel. A declared derivative is used by the tape-free step, for
function plugins and modules alike, where it matches autograd.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch
from conftest import REPO
from torch import nn

from actviz import Activation, Param
from actviz.host import load_catalogue
from actviz.training import RaceConfig, race, run_race
from actviz.training import tape_free as tf

EXAMPLE = REPO / "examples" / "module_activation"


class ScaledTanh(nn.Module):
    """b * tanh(a * x) with a learnable slope and a fixed scale."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.7))
        self.register_buffer("b", torch.tensor(1.5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b * torch.tanh(self.a * x)


class Coefficients(nn.Module):
    """c0 x + c1 tanh(x) + c2 x / (1 + x^2), written with ``self.c[i]`` as modules are,
    with a random start per seed and a forward that insists on its declared shapes."""

    def __init__(self) -> None:
        super().__init__()
        self.c = nn.Parameter(torch.empty(3))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.c.uniform_(0.5, 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert self.c.shape == (3,), self.c.shape  # one model's copy, as declared
        return self.c[0] * x + self.c[1] * torch.tanh(x) + self.c[2] * x / (1 + x * x)


def _coefficients_fn(x, c):
    c0, c1, c2 = c[..., 0], c[..., 1], c[..., 2]
    return c0 * x + c1 * torch.tanh(x) + c2 * x / (1 + x * x)


def _race(acts, cat, **kw):
    cfg = RaceConfig(
        task="moons",
        activations=list(acts),
        seeds=3,
        steps=40,
        eval_every=10,
        hidden=(6, 5),
        device="cpu",
        boundary_grid=0,
        **kw,
    )
    return run_race(cfg, {**cat.activations, **acts}, cat.tasks["moons"])


def _losses(result, name):
    return [[h["train_loss"] for h in r.history] for r in result.runs if r.activation == name]


def test_the_example_module_plugin_checks_plots_and_races(tmp_path):
    cat = load_catalogue([EXAMPLE], use_user_dir=False, use_entry_points=False, use_env=False)
    entry = next(e for e in cat.entries if e.name == "swish_rational")
    assert entry.ok, entry.error
    act = cat.activations["swish_rational"]
    assert [(p.name, p.learnable, p.shape) for p in act.params] == [
        ("beta", True, ()),
        ("p", True, (2,)),
        ("temperature", False, ()),
    ]
    assert act.derivative is not None and act.extra["module"].endswith("SwishRational")
    assert (act.param("p").lr, act.param("p").weight_decay) == (0.003, 1e-4)
    env = {"PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = tmp_path / "curves.csv"
    for args in (
        ["check", str(EXAMPLE / "rational_module.py")],
        ["--plugins", str(EXAMPLE), "plot", "swish_rational", "-d", "-o", str(out)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "actviz.cli", *args],
            capture_output=True, text=True, cwd=tmp_path, timeout=300,
            env={**os.environ, **env},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_text().splitlines()[0].startswith("x,")
    result = _race({"swish_rational": act}, cat)
    runs = [r for r in result.runs if r.activation == "swish_rational"]
    assert [r.status for r in runs] == ["finished"] * 3
    starts = [r.history[0]["param_arrays"]["p"][0] for r in runs]
    assert starts[0] != starts[1]  # reset_parameters under each seed
    assert runs[0].history[-1]["param_arrays"]["p"][0] != starts[0]  # learned


def test_a_module_races_exactly_as_the_same_function_plugin(builtin_catalogue, monkeypatch):
    """Per-model copies: the module (vmap over models) and the function (broadcast race
    shapes) start from the same values and follow the same gradients."""
    monkeypatch.setenv(tf.ENV_SWITCH, "1")
    module = Activation.from_module(ScaledTanh, name="scaled_tanh_module")
    function = Activation(
        name="scaled_tanh_fn",
        fn=lambda x, a, b: b * torch.tanh(a * x),
        params=[Param("a", 0.7, learnable=True), Param("b", 1.5)],
    )
    vector_module = Activation.from_module(Coefficients, name="coefficients_module")
    start = vector_module.params[0].default  # the module's own per-seed start
    vector_fn = Activation(
        name="coefficients_fn",
        fn=_coefficients_fn,
        params=[Param("c", start, shape=(3,), learnable=True)],
    )
    acts = {a.name: a for a in (module, function, vector_module, vector_fn)}
    result = _race(acts, builtin_catalogue, lr=0.05)
    assert {r.status for r in result.runs} == {"finished"}
    for a, b in (
        ("scaled_tanh_module", "scaled_tanh_fn"),
        ("coefficients_module", "coefficients_fn"),
    ):
        mine, theirs = _losses(result, a), _losses(result, b)
        assert mine[0][-1] < mine[0][0]  # it learns
        for x, y in zip(mine, theirs, strict=True):
            assert x == pytest.approx(y, rel=1e-4, abs=1e-6), a


def test_buffers_submodules_and_the_train_mode_twin():
    class Inner(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = nn.Parameter(torch.tensor(2.0))

    class Outer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = Inner()
            self.register_buffer("shift", torch.tensor(0.25))

        def forward(self, x):
            noise = 0.1 if self.training else 0.0
            return self.inner.w * x + self.shift + noise

    act = Activation.from_module(Outer, name="outer", ranges={"inner__w": (0.0, 4.0)})
    assert [(p.name, p.default, p.learnable) for p in act.params] == [
        ("inner__w", 2.0, True),
        ("shift", 0.25, False),
    ]
    assert act.param("inner__w").max == 4.0
    x = torch.tensor([0.0, 1.0])
    assert torch.allclose(act.fn(x, inner__w=3.0, shift=0.5), torch.tensor([0.5, 3.5]))
    assert torch.allclose(act.train_fn(x, inner__w=3.0, shift=0.5), torch.tensor([0.6, 3.6]))


@pytest.mark.parametrize(
    "factory, message",
    [
        (lambda: torch.tanh, "needs a torch.nn.Module class"),
        (lambda: nn.Linear(2, 2), "has shape [2, 2]"),
    ],
)
def test_a_module_that_cannot_be_an_activation_says_why(factory, message):
    with pytest.raises((TypeError, ValueError), match=message.replace("[", r"\[")):
        Activation.from_module(factory, name="bad")


def test_unknown_ranges_name_the_module_tensors():
    with pytest.raises(ValueError, match=r"ranges names beta.*it has: a, b"):
        Activation.from_module(ScaledTanh, name="st", ranges={"beta": (0, 1)})


class _CountedTanh(nn.Module):
    """tanh(x / t) with a fixed temperature and its own derivative, which counts calls."""

    calls = 0

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("t", torch.tensor(2.0))

    def forward(self, x):
        return torch.tanh(x / self.t)

    def derivative(self, x):
        type(self).calls += 1
        return (1 - torch.tanh(x / self.t) ** 2) / self.t


def test_a_declared_derivative_is_what_the_race_differentiates_with(builtin_catalogue, monkeypatch):
    """Function plugins and modules: the tape-free step calls the declared derivative
    (and gets the reference step's numbers); the reference step never calls it."""
    calls = {"fn": 0}

    def derivative(x, t):
        calls["fn"] += 1
        return (1 - torch.tanh(x / t) ** 2) / t

    function = Activation(
        name="soft_tanh_fn",
        fn=lambda x, t: torch.tanh(x / t),
        derivative=derivative,
        params=[Param("t", 2.0)],
    )
    module = Activation.from_module(_CountedTanh, name="soft_tanh_module")
    acts = {"soft_tanh_fn": function, "soft_tanh_module": module}
    cat = builtin_catalogue
    cfg = RaceConfig(
        task="moons", activations=list(acts), seeds=2, steps=30, eval_every=10,
        hidden=(6,), device="cpu", boundary_grid=0,
    )  # fmt: skip
    monkeypatch.setenv(tf.ENV_SWITCH, "0")
    reference = race(cfg, {**cat.activations, **acts}, cat.tasks["moons"])
    list(reference)
    assert calls["fn"] == 0 and _CountedTanh.calls == 0
    monkeypatch.setenv(tf.ENV_SWITCH, "1")
    fast = race(cfg, {**cat.activations, **acts}, cat.tasks["moons"])
    list(fast)
    modes = {u.name: u.mode for step in fast._tape_free for units in step.units for u in units}
    assert modes == {"soft_tanh_fn": "declared", "soft_tanh_module": "declared"}
    # the probe check once, then one call per training step (and none per evaluation)
    assert calls["fn"] >= 30 and _CountedTanh.calls >= 30
    for name in acts:
        a, b = _losses(reference.result, name), _losses(fast.result, name)
        for x, y in zip(a, b, strict=True):
            assert y == pytest.approx(x, rel=1e-4, abs=1e-6), name


def test_a_module_activation_shows_in_the_plugins_panel(qtbot, monkeypatch):
    from actviz.gui.main_window import MainWindow
    from actviz.host import PluginHost

    for var in ("ACTVIZ_SELECT", "ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)
    w = MainWindow(PluginHost([EXAMPLE], use_entry_points=False, use_env=False))
    qtbot.addWidget(w)
    w.show()
    w.show_panel("plugins")
    qtbot.waitExposed(w)
    panel = w.panel("plugins")
    panel.select_plugin("rational_module")
    text = panel.details.toPlainText()
    assert "Status:      ok" in text and "swish_rational" in text, text
    item = w.activation_list.item("swish_rational")
    assert item is not None and "(error)" not in item.text(0)

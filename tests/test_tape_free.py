"""The tape-free step trains exactly what the reference (autograd) step trains.

Every test runs the same race twice, ``ACTVIZ_TAPE_FREE=0`` (the reference: the
network's forward under autograd and ``loss.backward()``) and ``=1`` (the default),
and compares the recorded losses and the final parameters to float tolerance.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest
import torch

from actviz import Activation
from actviz.training import ActivationFailed, RaceConfig, race
from actviz.training import tape_free as tf
from actviz.training.act_units import PROBE_POINTS, Unit
from actviz.training.native_twins import TWINS

OPTIMIZERS = ["adam", "sgd", "momentum", "rmsprop", "adagrad"]


def _run(cfg, acts, task, fast: bool, monkeypatch):
    monkeypatch.setenv(tf.ENV_SWITCH, "1" if fast else "0")
    current = race(cfg, acts, task)
    events = list(current)
    return current, events


def _pair(cfg, acts, task, monkeypatch):
    ref, ref_events = _run(cfg, acts, task, False, monkeypatch)
    fast, fast_events = _run(cfg, acts, task, True, monkeypatch)
    assert ref.step_path.startswith(tf.ENV_SWITCH)
    assert fast.step_path == "tape-free", fast.step_path
    return ref, fast, ref_events, fast_events


def _assert_same(ref, fast, rel=1e-4, abs_=1e-6, params_atol=1e-5):
    a, b = ref.result, fast.result
    assert [r.status for r in a.runs] == [r.status for r in b.runs]
    assert [r.diverged_at for r in a.runs] == [r.diverged_at for r in b.runs]
    for ra, rb in zip(a.runs, b.runs, strict=True):
        la = [h["train_loss"] for h in ra.history]
        lb = [h["train_loss"] for h in rb.history]
        assert len(la) == len(lb), ra.activation
        for x, y in zip(la, lb, strict=True):
            if x is None or y is None:
                assert x is None and y is None, ra.activation
            else:
                assert y == pytest.approx(x, rel=rel, abs=abs_), (ra.activation, ra.seed)
        ga = [h["grad_norms"] for h in ra.history[1:]]
        gb = [h["grad_norms"] for h in rb.history[1:]]
        for x, y in zip(ga, gb, strict=True):
            if x is not None:
                assert y == pytest.approx(x, rel=1e-3, abs=1e-5), ra.activation
    torch.testing.assert_close(fast.pack.flat, ref.pack.flat, rtol=1e-4, atol=params_atol)


def _all_builtins(cat):
    return [n for n in cat.activations if n not in ("rrelu",)] + ["rrelu"]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_builtin_activation_and_optimiser_trains_as_the_reference(
    builtin_catalogue, monkeypatch, optimizer
):
    cat = builtin_catalogue
    names = _all_builtins(cat)
    cfg = RaceConfig(
        task="moons",
        activations=names,
        # sin(30 x) on moons with the default init is chaotic: float rounding of either
        # step grows tenfold a step (both steps agree to 1e-7 at first); a lower w0 is not
        params={"sine": {"w0": 3.0}},
        seeds=2,
        steps=24,
        eval_every=8,
        optimizer=optimizer,
        lr=0.01,
        device="cpu",
        boundary_grid=0,
        # one shared draw: RMSprop's first steps are nearly sign steps, so on some draws
        # float rounding alone moves a loss by 2e-4; per-seed draws are tested below
        vary="init",
    )
    ref, fast, _, _ = _pair(cfg, cat.activations, cat.tasks["moons"], monkeypatch)
    _assert_same(ref, fast)
    modes = {u.name: u.mode for step in fast._tape_free for units in step.units for u in units}
    assert modes["relu"] == "native" and modes["mish"] == "native"
    assert modes["prelu"] == "autograd"  # learnable, no Function of its own
    # learnable, the plugin's own Function called directly
    assert modes["apl"] == "native" and modes["prelu_units"] == "native"
    assert modes["pade"] == "native" and modes["bspline"] == "native"
    assert modes["softmax"] == "autograd" and modes["glu"] == "autograd"  # vector, gated
    assert modes["rrelu"] == "autograd"  # random while training
    assert "declared" in modes.values()  # e.g. softsign: no torch twin, declared derivative


@pytest.mark.parametrize(
    "task, extra",
    [
        ("spiral3", {}),  # cross-entropy, three classes
        ("sine", {"l1": 1e-3, "l2": 1e-3}),  # mse, both penalties
        ("moons", {"features": ["x1sq", "x1x2", "sinx2"], "batch_size": 50}),
        ("xor", {"hidden": (6, 5, 4), "init": "he", "optimizer": "rmsprop"}),
        ("spiral3", {"vary": "all"}),  # each seed its own draw: per-model class targets
        ("moons", {"vary": "data", "batch_size": 50}),
    ],
)
def test_losses_penalties_features_minibatches_and_depth(
    builtin_catalogue, monkeypatch, task, extra
):
    cat = builtin_catalogue
    names = ["relu", "tanh", "softsign", "prelu_units", "apl", "glu"]
    base = dict(task=task, activations=names, seeds=2, steps=30, eval_every=10, device="cpu")
    cfg = RaceConfig(**{**base, **extra})
    ref, fast, _, _ = _pair(cfg, cat.activations, cat.tasks[task], monkeypatch)
    _assert_same(ref, fast)


def test_per_layer_entries_and_learnable_parameters(builtin_catalogue, monkeypatch):
    cat = builtin_catalogue
    names = ["relu>tanh", "prelu>prelu", "pade>bspline", "gelu>apl"]
    cfg = RaceConfig(
        task="circles",
        activations=names,
        params={"bspline": {"degree": 2}},
        seeds=[1, 4],
        steps=40,
        eval_every=10,
        device="cpu",
    )
    ref, fast, _, _ = _pair(cfg, cat.activations, cat.tasks["circles"], monkeypatch)
    _assert_same(ref, fast)
    for ra, rb in zip(ref.result.runs, fast.result.runs, strict=True):
        a, b = ra.history[-1], rb.history[-1]
        if ra.activation != "relu>tanh":  # the others learn parameters, recorded by both
            assert a.get("params") or a.get("param_arrays"), ra.activation
        for key in ("params", "param_arrays"):
            assert set(a.get(key, {})) == set(b.get(key, {}))
            for name, per_layer in a.get(key, {}).items():
                for x, y in zip(per_layer, b[key][name], strict=True):
                    if x is None:
                        assert y is None
                    else:
                        np.testing.assert_allclose(y, x, rtol=1e-4, atol=1e-5)


def test_a_failing_and_a_diverging_activation_end_the_same_way(builtin_catalogue, monkeypatch):
    cat = builtin_catalogue

    def flaky_factory():
        calls = {"n": 0}

        def fn(x):
            # counts the race's calls, not the one-off check of the derivative on a probe
            calls["n"] += x.shape[-1] != PROBE_POINTS
            if calls["n"] > 30:
                raise RuntimeError("flaky plugin broke")
            return torch.tanh(x)

        # a declared derivative: its layer takes the one-multiply backward until it fails
        return Activation(name="flaky", fn=fn, derivative=lambda x: 1 - torch.tanh(x) ** 2)

    square = Activation(name="square", fn=lambda x: x * x, derivative=lambda x: 2 * x)
    acts = dict(cat.activations)
    cfg = RaceConfig(
        task="sine",
        activations=["softsign", "square", "flaky", "tanh>softsign"],
        seeds=2,
        steps=60,
        eval_every=20,
        optimizer="sgd",
        lr=0.1,
        device="cpu",
    )
    acts.update(square=square, flaky=flaky_factory())
    ref, fast_unused, ref_events, _ = _pair(cfg, acts, cat.tasks["sine"], monkeypatch)
    acts["flaky"] = flaky_factory()  # a fresh call count for the tape-free race
    fast, fast_events = _run(cfg, acts, cat.tasks["sine"], True, monkeypatch)
    _assert_same(ref, fast, params_atol=1e-4)
    statuses = {r.activation: r.status for r in fast.result.runs}
    assert statuses["flaky"] == "failed" and statuses["square"] == "diverged"
    assert statuses["softsign"] == "finished"
    modes = {u.name: u.mode for units in fast._tape_free[0].units for u in units}
    assert modes == {
        "softsign": "declared",
        "square": "declared",
        "flaky": "failed",
        "tanh>softsign": "declared",
    }
    fails = [e for e in fast_events if isinstance(e, ActivationFailed)]
    ref_fails = [e for e in ref_events if isinstance(e, ActivationFailed)]
    assert [(e.activation, e.step) for e in fails] == [(e.activation, e.step) for e in ref_fails]
    assert "flaky plugin broke" in fails[0].error


def test_a_name_twin_that_computes_something_else_keeps_the_plugins_code(
    builtin_catalogue, monkeypatch
):
    """A plugin called gelu that is not torch's GELU, with a wrong declared derivative:
    neither stand-in passes the check, autograd differentiates it, and the race is the
    reference's."""
    cat = builtin_catalogue
    fake = Activation(
        name="gelu",
        fn=lambda x: x * torch.sigmoid(1.5 * x),
        derivative=lambda x: torch.sigmoid(1.5 * x),  # missing a term: wrong
    )
    acts = {"gelu": fake, "tanh": cat.activations["tanh"]}
    cfg = RaceConfig(task="moons", activations=["gelu", "tanh"], seeds=2, steps=30, device="cpu")
    with caplog_at_debug(monkeypatch) as records:
        ref, fast, _, _ = _pair(cfg, acts, cat.tasks["moons"], monkeypatch)
    _assert_same(ref, fast)
    modes = {u.name: u.mode for units in fast._tape_free[0].units for u in units}
    assert modes == {"gelu": "autograd", "tanh": "native"}
    assert any("gelu, layer 1" in r and "differ" in r for r in records)


class caplog_at_debug:
    """Collect the tape-free module's debug messages (without pytest's caplog fixture,
    which other tests' logging set-up may have captured)."""

    def __init__(self, monkeypatch) -> None:
        self.records: list[str] = []
        self.handler = logging.Handler()
        self.handler.emit = lambda record: self.records.append(record.getMessage())  # type: ignore[method-assign]

    def __enter__(self) -> list[str]:
        self.level = tf.log.level
        tf.log.setLevel(logging.DEBUG)
        tf.log.addHandler(self.handler)
        return self.records

    def __exit__(self, *exc) -> None:
        tf.log.removeHandler(self.handler)
        tf.log.setLevel(self.level)


def test_the_reference_step_is_kept_and_says_why(builtin_catalogue, monkeypatch):
    cat = builtin_catalogue
    cfg = RaceConfig(task="moons", activations=["relu"], seeds=1, steps=3, device="cpu")
    with caplog_at_debug(monkeypatch) as records:
        current, _ = _run(cfg, cat.activations, cat.tasks["moons"], False, monkeypatch)
    assert current.step_path == "ACTVIZ_TAPE_FREE=0" and current._tape_free is None
    assert any("reference (autograd) step" in r for r in records)
    monkeypatch.setenv(tf.ENV_SWITCH, "1")
    steps, why = tf.plan([object()], "bce")
    assert steps is None and "not a stacked MLP" in why
    steps, why = tf.plan(current.stacks, "hinge")
    assert steps is None and "hinge" in why


@pytest.mark.parametrize("name", sorted(TWINS))
def test_each_torch_twin_passes_its_own_check_at_default_parameters(builtin_catalogue, name):
    """Every twin matches the built-in plugin of its name (else it would never be used)."""
    act = builtin_catalogue.activations.get(name)
    if act is None:
        pytest.skip(f"no built-in {name}")
    from actviz.training.model import Segment

    seg = Segment(act, 0, 3, [0, 1, 2], {p.name: p.default for p in act.params})
    unit = Unit(seg, 0)
    assert unit.mode == "native"
    unit.settle((3, 5, 192), torch.device("cpu"))
    assert unit.mode == "native", unit.why


def test_a_twin_is_refused_at_parameters_it_does_not_take(builtin_catalogue):
    from actviz.training.model import Segment

    silu = builtin_catalogue.activations["silu"]
    seg = Segment(silu, 0, 2, [0, 1], {"beta": 2.0})
    unit = Unit(seg, 0)
    assert unit.mode == "declared"  # torch's silu is beta = 1 only
    unit.settle((2, 4, 192), torch.device("cpu"))
    assert unit.mode == "declared", unit.why


def test_vector_and_stochastic_activations_never_take_a_stand_in(builtin_catalogue):
    from actviz.training.model import Segment

    for name in ("softmax", "rrelu", "prelu"):
        act = builtin_catalogue.activations[name]
        params = {p.name: p.default for p in act.params if not p.learnable}
        learnable = {}
        if name == "prelu":
            learnable = {"a": [torch.full((1, 1, 1), 0.25, requires_grad=True)]}
        seg = Segment(act, 0, 1, [0], params, learnable)
        assert Unit(seg, 0).mode == "autograd", name


def test_non_finite_inputs_decide_whether_a_twin_is_used(builtin_catalogue, monkeypatch):
    """torch's hardtanh keeps NaN where the plugin's gives a number: as a twin it would
    mark a model diverged at another step, so the check refuses it. The accepted twins
    agree with the plugins on which of NaN and the infinities give a finite value."""
    import torch.nn.functional as F

    from actviz.training.model import Segment
    from actviz.training.native_twins import Twin

    monkeypatch.setitem(
        TWINS,
        "hardtanh",
        Twin(
            lambda z, min_val=-1.0, max_val=1.0: F.hardtanh(z, min_val, max_val),
            lambda g, z, h, min_val=-1.0, max_val=1.0: torch.ops.aten.hardtanh_backward(
                g, z, min_val, max_val
            ),
            ("min_val", "max_val"),
        ),
    )
    z = torch.tensor([[[math.nan, math.inf, -math.inf, 0.5]]])
    for name in ("relu", "tanh", "gelu", "softplus", "elu", "hardtanh"):
        act = builtin_catalogue.activations[name]
        seg = Segment(act, 0, 1, [0], {p.name: p.default for p in act.params})
        unit = Unit(seg, 0)
        assert unit.mode == "native"
        twin = unit.twin
        unit.settle((1, 3, 192), torch.device("cpu"))
        plugin = act.fn(z, **seg.fixed)
        same = torch.equal(torch.isfinite(plugin), torch.isfinite(twin.forward(z, **unit.kwargs)))
        assert (unit.mode == "native") == same, (name, unit.why)
        assert same != (name == "hardtanh")


def test_a_plugin_whose_backward_fails_stops_only_itself(builtin_catalogue, monkeypatch):
    class Broken(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            raise RuntimeError("backward broke")

    bad = Activation(name="badback", fn=lambda x: Broken.apply(x))
    acts = {"relu": builtin_catalogue.activations["relu"], "badback": bad}
    cfg = RaceConfig(task="moons", activations=["relu", "badback"], seeds=1, steps=10, device="cpu")
    current, events = _run(cfg, acts, builtin_catalogue.tasks["moons"], True, monkeypatch)
    fails = [e for e in events if isinstance(e, ActivationFailed)]
    assert [f.activation for f in fails] == ["badback"] and "backward broke" in fails[0].error
    by_name = {r.activation: r for r in current.result.runs}
    assert by_name["relu"].status == "finished" and by_name["badback"].status == "failed"

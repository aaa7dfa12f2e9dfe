"""The race engine gives honest results: what a user would measure training each model alone."""

from __future__ import annotations

import math
import time

import pytest
import torch
from torch import nn

from actviz import Activation, Param
from actviz.training import (
    ActivationFailed,
    Diverged,
    Evaluation,
    Finished,
    RaceConfig,
    Started,
    race,
    run_race,
)
from actviz.training.weight_init import initial_layers


@pytest.fixture
def cat(builtin_catalogue):
    return builtin_catalogue


def _acts(cat, *names, extra=()):
    acts = {n: cat.activations[n] for n in names}
    acts.update({a.name: a for a in extra})
    return acts


def _final(result, activation):
    return [r.final_metric for r in result.runs if r.activation == activation]


def test_relu_tanh_gelu_learn_moons_and_step_cannot(cat):
    cfg = RaceConfig(
        task="moons",
        activations=["relu", "tanh", "gelu", "step"],
        seeds=3,
        steps=600,
        hidden=(16, 16),
        lr=0.02,
    )
    result = run_race(cfg, _acts(cat, *cfg.activations), cat.tasks["moons"])
    assert result.status == "finished"
    for name in ("relu", "tanh", "gelu"):
        assert min(_final(result, name)) >= 0.95, (name, _final(result, name))
    relu_mean = sum(_final(result, "relu")) / 3
    step_mean = sum(_final(result, "step")) / 3
    assert step_mean < relu_mean - 0.05
    for run in (r for r in result.runs if r.activation == "step"):
        for row in run.history[1:]:
            *hidden, output = row["grad_norms"]
            assert hidden == [0.0, 0.0]  # nothing reaches the hidden layers
            assert output > 0.0
            assert row["dead_fraction"] == [1.0, 1.0]
    for run in (r for r in result.runs if r.activation == "relu"):
        assert all(g > 0 for g in run.history[1]["grad_norms"])


def _twin(act: Activation, name: str) -> Activation:
    return Activation(name=name, fn=act.fn, params=act.params, kind=act.kind)


def test_same_seed_starts_from_the_same_weights_for_every_activation(cat):
    tanh = cat.activations["tanh"]
    acts = _acts(cat, "tanh", "relu", "glu", extra=[_twin(tanh, "tanh_twin")])
    cfg = RaceConfig(
        task="moons", activations=["tanh", "relu", "tanh_twin", "glu"], seeds=[0, 5], steps=40
    )
    current = race(cfg, acts, cat.tasks["moons"])
    assert isinstance(next(current), Started)
    plain = current.stacks[0]
    first = plain.weights[0].detach()  # [models, out, in]; runs are activation-major
    assert torch.equal(first[0], first[2]) and torch.equal(first[0], first[4])  # seed 0
    assert torch.equal(first[1], first[3])  # seed 5
    assert not torch.equal(first[0], first[1])
    gated = current.stacks[1].weights[0].detach()  # glu: values half equals the others
    assert torch.equal(gated[0][:8], first[0]) and gated.shape[1] == 16
    losses = _losses(run_race(cfg, acts, cat.tasks["moons"]))
    # an identical function from the same seed runs the same race, to float rounding
    assert losses[("tanh", 0)] == pytest.approx(losses[("tanh_twin", 0)], rel=1e-6)
    assert losses[("tanh", 5)] == pytest.approx(losses[("tanh_twin", 5)], rel=1e-6)
    assert losses[("tanh", 0)] != pytest.approx(losses[("tanh", 5)], rel=1e-3)


def _losses(result):
    return {(r.activation, r.seed): [h["train_loss"] for h in r.history] for r in result.runs}


def test_batched_and_one_model_at_a_time_give_the_same_losses(cat):
    names = ["relu", "prelu", "softmax", "glu", "gelu"]
    base = dict(task="moons", activations=names, seeds=2, steps=60, eval_every=20)
    batched = run_race(
        RaceConfig(**base, strategy="batched"), _acts(cat, *names), cat.tasks["moons"]
    )
    loop = run_race(RaceConfig(**base, strategy="loop"), _acts(cat, *names), cat.tasks["moons"])
    assert batched.strategy.startswith("batched") and loop.strategy.startswith("loop")
    a, b = _losses(batched), _losses(loop)
    assert a.keys() == b.keys()
    for key in a:
        assert len(a[key]) == 4
        assert a[key] == pytest.approx(b[key], rel=1e-4, abs=1e-6), key


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "momentum", "rmsprop", "adagrad"])
def test_engine_matches_a_plain_torch_loop(cat, optimizer):
    """One tanh network trained by the engine and by nn.Sequential + torch.optim agree."""
    task = cat.tasks["moons"]
    cfg = RaceConfig(
        task="moons",
        activations=["tanh", "relu"],
        seeds=[3],
        steps=50,
        eval_every=50,
        optimizer=optimizer,
        lr=0.01,
        vary="init",  # the data of data seed 0, as the plain loop below uses
    )
    result = run_race(cfg, _acts(cat, "tanh", "relu"), task)
    data = task.generate(None, None, 0)
    layers: list[nn.Module] = []
    for i, (w, b) in enumerate(initial_layers(3, [2, 8, 8, 1])):
        lin = nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        layers += [lin, nn.Tanh()] if i < 2 else [lin]
    model = nn.Sequential(*layers)
    make = {
        "adam": lambda p: torch.optim.Adam(p, lr=0.01),
        "sgd": lambda p: torch.optim.SGD(p, lr=0.01),
        "momentum": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.01),
    }[optimizer]
    opt = make(model.parameters())
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(50):
        opt.zero_grad()
        loss_fn(model(data.x_train), data.y_train).backward()
        opt.step()
    with torch.no_grad():
        expected = float(loss_fn(model(data.x_train), data.y_train))
    got = result.runs[0].history[-1]["train_loss"]
    assert got == pytest.approx(expected, rel=1e-4)


def test_a_diverging_run_is_marked_and_the_others_go_on(cat):
    """x^2 blows up under plain SGD within a few steps; tanh and relu train on."""
    names = ["relu", "tanh"]
    common = dict(task="sine", seeds=2, steps=80, eval_every=20, optimizer="sgd", lr=0.1)
    alone = run_race(RaceConfig(activations=names, **common), _acts(cat, *names), cat.tasks["sine"])
    square = Activation(name="square", fn=lambda x: x * x)
    events = []
    together = run_race(
        RaceConfig(activations=[*names, "square"], **common),
        _acts(cat, *names, extra=[square]),
        cat.tasks["sine"],
        events.append,
    )
    diverged = [e for e in events if isinstance(e, Diverged)]
    assert {e.activation for e in diverged} == {"square"} and len(diverged) == 2
    for run in together.runs:
        if run.activation == "square":
            assert run.status == "diverged" and 0 < run.diverged_at < 20
            assert run.final_metric is None and run.final_loss is None
            assert [h["step"] for h in run.history] == [0]
        else:
            assert run.status == "finished"
    a, b = _losses(alone), _losses(together)
    for key in a:  # the others are untouched by the NaNs next to them
        assert a[key] == pytest.approx(b[key], rel=1e-6)


def test_divergence_is_found_at_the_step_it_happens():
    calls = {"n": 0}

    def late_nan(x):
        calls["n"] += 1
        return torch.tanh(x) if calls["n"] <= 2 * 37 else torch.tanh(x) * math.nan

    from actviz.training.task import Task

    def sample(n, noise, gen):
        x = torch.rand(n, 2, generator=gen)
        return x, (x[:, 0] > 0.5).float()

    task = Task(name="half", sample=sample)
    act = Activation(name="late_nan", fn=late_nan)
    cfg = RaceConfig(
        task="half", activations=["late_nan"], seeds=1, steps=100, eval_every=50, device="cpu"
    )
    result = run_race(cfg, {"late_nan": act}, task)
    # two hidden layers, one call each per step; the step-0 evaluation makes four calls
    # (forward and slope check), so call 75, the first NaN, is in the forward pass of step 36
    assert result.runs[0].status == "diverged"
    assert result.runs[0].diverged_at == 36


def _flaky(after: int) -> Activation:
    calls = {"n": 0}

    def fn(x):
        calls["n"] += 1
        if calls["n"] > after:
            raise RuntimeError("flaky plugin broke")
        return torch.tanh(x)

    return Activation(name="flaky", fn=fn)


def test_an_activation_that_raises_stops_only_its_own_runs(cat):
    names = ["relu", "gelu"]
    cfg = RaceConfig(
        task="moons", activations=names, seeds=2, steps=60, eval_every=20, device="cpu"
    )
    alone = run_race(cfg, _acts(cat, *names), cat.tasks["moons"])
    cfg_all = RaceConfig(
        task="moons",
        activations=["relu", "flaky", "gelu"],
        seeds=2,
        steps=60,
        eval_every=20,
        device="cpu",  # the plugin counts its calls; a replayed CUDA graph does not call it
    )
    events = []
    result = run_race(
        cfg_all, _acts(cat, *names, extra=[_flaky(50)]), cat.tasks["moons"], events.append
    )
    failed = [e for e in events if isinstance(e, ActivationFailed)]
    assert len(failed) == 1 and failed[0].activation == "flaky"
    assert "flaky plugin broke" in failed[0].error and failed[0].traceback
    assert failed[0].runs == [2, 3]
    assert isinstance(events[-1], Finished) and result.status == "finished"
    for run in result.runs:
        if run.activation == "flaky":
            assert run.status == "failed" and "flaky plugin broke" in run.error
        else:
            assert run.status == "finished" and run.history[-1]["step"] == 60
    a, b = _losses(alone), _losses(result)
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=1e-6)


def test_wrong_output_shape_is_an_activation_failure(cat):
    bad = Activation(name="shrinker", fn=lambda x: x[..., :1])
    cfg = RaceConfig(task="moons", activations=["relu", "shrinker"], seeds=1, steps=20)
    result = run_race(cfg, _acts(cat, "relu", extra=[bad]), cat.tasks["moons"])
    assert result.runs[1].status == "failed" and "shape" in result.runs[1].error
    assert result.runs[0].status == "finished"


def test_wrong_output_dtype_stops_only_that_activation(cat):
    bad = Activation(name="doubler", fn=lambda x: x.double().tanh())
    cfg = RaceConfig(
        task="moons", activations=["relu", "doubler", "tanh"], seeds=1, steps=20, device="cpu"
    )
    result = run_race(cfg, _acts(cat, "relu", "tanh", extra=[bad]), cat.tasks["moons"])
    by_name = {r.activation: r for r in result.runs}
    assert by_name["doubler"].status == "failed" and "float64" in by_name["doubler"].error
    assert by_name["relu"].status == "finished" and by_name["relu"].history[-1]["step"] == 20
    assert by_name["tanh"].status == "finished" and by_name["tanh"].history[-1]["step"] == 20


def test_stop_between_steps_keeps_what_was_computed(cat):
    cfg = RaceConfig(task="moons", activations=["relu", "tanh"], seeds=2, steps=5000, eval_every=10)
    evaluations = []

    def stop_after_three():
        return len(evaluations) >= 3

    result = run_race(
        cfg,
        _acts(cat, "relu", "tanh"),
        cat.tasks["moons"],
        on_event=lambda e: evaluations.append(e) if isinstance(e, Evaluation) else None,
        should_stop=stop_after_three,
    )
    assert result.status == "stopped"
    assert result.steps_done == 20
    for run in result.runs:
        assert run.status == "stopped"
        assert [h["step"] for h in run.history] == [0, 10, 20]
        assert run.final_metric is not None


def test_closing_the_generator_keeps_results(cat):
    cfg = RaceConfig(task="moons", activations=["relu"], seeds=1, steps=5000, eval_every=5)
    current = race(cfg, _acts(cat, "relu"), cat.tasks["moons"])
    seen = 0
    for event in current:
        seen += isinstance(event, Evaluation)
        if seen == 4:
            current.close()
            break
    assert current.result.status == "stopped"
    assert [h["step"] for h in current.result.runs[0].history] == [0, 5, 10, 15]


def test_paused_time_is_not_counted(cat):
    cfg = RaceConfig(task="moons", activations=["relu"], seeds=1, steps=30, eval_every=10)
    start = time.perf_counter()
    current = race(cfg, _acts(cat, "relu"), cat.tasks["moons"])
    for event in current:
        if isinstance(event, Evaluation):
            time.sleep(0.2)
    wall = time.perf_counter() - start
    assert wall > 0.8
    assert current.result.train_seconds < wall - 0.7


def test_learnable_parameters_train_and_are_recorded(cat):
    cfg = RaceConfig(
        task="moons",
        activations=["prelu"],
        params={"prelu": {"a": 0.1}},
        seeds=2,
        steps=100,
        eval_every=50,
        lr=0.05,
    )
    result = run_race(cfg, _acts(cat, "prelu"), cat.tasks["moons"])
    for run in result.runs:
        first, last = run.history[0]["params"]["a"], run.history[-1]["params"]["a"]
        assert first == pytest.approx([0.1, 0.1])
        assert last != pytest.approx(first)


def test_every_task_kind_trains_and_reports_its_metric(cat):
    for name, shape in [("spiral3", (48, 48)), ("sine", (192,)), ("signal2d", (48, 48))]:
        task = cat.tasks[name]
        cfg = RaceConfig(task=name, activations=["tanh", "sine"], seeds=1, steps=30, hidden=(16,))
        events = []
        result = run_race(cfg, _acts(cat, "tanh", "sine"), task, events.append)
        assert result.metric == task.metric
        grids = [e.grids for e in events if isinstance(e, Evaluation) and e.grids is not None]
        assert grids and grids[-1].shape == (2, *shape)
        for run in result.runs:
            assert run.final_metric is not None and math.isfinite(run.final_metric)
            first, last = run.history[0], run.history[-1]
            assert last["train_loss"] < first["train_loss"]
            if task.loss == "mse":
                assert last["test_rmse"] == pytest.approx(math.sqrt(last["test_loss"]))


def test_sine_with_siren_init_fits_the_chirp_better_than_relu(cat):
    cfg = RaceConfig(
        task="signal",
        activations=["relu", "sine"],
        seeds=1,
        steps=300,
        hidden=(64, 64),
        init="siren",
        lr=1e-3,
    )
    result = run_race(cfg, _acts(cat, "relu", "sine"), cat.tasks["signal"])
    relu, sine = result.runs[0].final_metric, result.runs[1].final_metric
    assert sine > 0.9 and sine > relu + 0.2, (relu, sine)


def test_minibatches_are_deterministic(cat):
    cfg = RaceConfig(
        task="moons", activations=["relu"], seeds=1, steps=40, batch_size=32, eval_every=20
    )
    a = run_race(cfg, _acts(cat, "relu"), cat.tasks["moons"])
    b = run_race(cfg, _acts(cat, "relu"), cat.tasks["moons"])
    full = run_race(
        RaceConfig(task="moons", activations=["relu"], seeds=1, steps=40, eval_every=20),
        _acts(cat, "relu"),
        cat.tasks["moons"],
    )
    assert _losses(a) == _losses(b)
    assert _losses(a) != _losses(full)


def test_events_come_in_order_and_the_result_serialises(cat):
    import json

    cfg = RaceConfig(task="xor", activations=["relu", "tanh"], seeds=2, steps=20, eval_every=10)
    events = list(race(cfg, _acts(cat, "relu", "tanh"), cat.tasks["xor"]))
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    assert [e.step for e in events if isinstance(e, Evaluation)] == [0, 10, 20]
    started = events[0]
    assert [(r.activation, r.seed) for r in started.runs] == [
        ("relu", 0),
        ("relu", 1),
        ("tanh", 0),
        ("tanh", 1),
    ]
    data = events[-1].result.to_dict(include_grids=True)
    text = json.dumps(data)
    assert json.loads(text)["runs"][0]["final_grid"]


def test_bad_configurations_are_refused_with_every_problem(cat):
    cfg = RaceConfig(task="moons", activations=["relu", "nope"], steps=0, lr=-1)
    with pytest.raises(ValueError) as info:
        race(cfg, _acts(cat, "relu"), cat.tasks["moons"])
    message = str(info.value)
    assert "nope" in message and "steps" in message and "lr" in message


def test_initial_layers_follow_the_named_schemes():
    widths = [64, 512, 512, 1]
    he = initial_layers(0, widths, "he")
    assert he[1][0].std().item() == pytest.approx(math.sqrt(2 / 512), rel=0.02)
    assert torch.count_nonzero(he[1][1]) == 0
    lecun = initial_layers(0, widths, "lecun")
    assert lecun[1][0].std().item() == pytest.approx(math.sqrt(1 / 512), rel=0.02)
    xavier = initial_layers(0, widths, "xavier")
    assert xavier[1][0].abs().max().item() <= math.sqrt(6 / 1024)
    assert xavier[1][0].abs().max().item() > 0.95 * math.sqrt(6 / 1024)
    default = initial_layers(0, widths, "default")
    assert default[0][0].abs().max().item() <= 1 / 8
    siren = initial_layers(0, widths, "siren", w0=30.0)
    assert siren[0][0].abs().max().item() <= 1 / 64
    bound = math.sqrt(6 / 512) / 30.0
    assert bound * 0.95 < siren[1][0].abs().max().item() <= bound
    assert torch.equal(initial_layers(7, widths)[1][0], initial_layers(7, widths)[1][0])


def test_device_choice():
    from actviz.training.device import pick_device

    assert pick_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="cuda"):
            pick_device("cuda")
        assert pick_device("auto").type in ("cpu", "mps")


def test_learnable_parameters_need_no_plugin_changes():
    """A plugin's learnable parameter arrives as a tensor, one value per model."""
    seen = []

    def scaled_tanh(x, k=1.0):
        seen.append(k.shape if isinstance(k, torch.Tensor) else k)
        return torch.tanh(k * x)

    act = Activation(name="ktanh", fn=scaled_tanh, params=[Param("k", 1.0, learnable=True)])
    from actviz.training.task import Task

    task = Task(name="line", sample=lambda n, s, g: (torch.rand(n, 2, generator=g), torch.ones(n)))
    run_race(RaceConfig(task="line", activations=["ktanh"], seeds=3, steps=3), {"ktanh": act}, task)
    assert seen[0] == torch.Size([3, 1, 1])


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "momentum", "rmsprop", "adagrad"])
def test_flat_optimizer_matches_torch_optim(optimizer):
    """The capturable update rules are torch's, step for step, on gradients of all scales."""
    from actviz.training.optim import FlatOptimizer, make_optimizer

    start = torch.randn(2000, generator=torch.Generator().manual_seed(0))
    ours = start.clone()
    ours.grad = torch.zeros_like(ours)
    theirs = start.clone().requires_grad_()
    theirs.grad = torch.zeros_like(theirs)
    flat = FlatOptimizer(optimizer, ours, 0.01)
    reference = make_optimizer(optimizer, [theirs], 0.01, torch.device("cpu"))
    gen = torch.Generator().manual_seed(1)
    for i in range(300):
        grad = torch.randn(2000, generator=gen) * 10.0 ** (i % 5 - 2)
        ours.grad.copy_(grad)
        theirs.grad.copy_(grad)
        flat.step()
        reference.step()
    assert not torch.equal(ours, start)
    torch.testing.assert_close(ours, theirs.detach(), rtol=1e-5, atol=1e-5)


cuda_only = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _cuda_race(cat, monkeypatch, graphs: bool, names, extra=(), **kw):
    monkeypatch.setenv("ACTVIZ_CUDA_GRAPHS", "1" if graphs else "0")
    cfg = RaceConfig(task=kw.pop("task", "moons"), activations=names, device="cuda", **kw)
    events = []
    result = run_race(
        cfg,
        _acts(cat, *[n for n in names if n in cat.activations], extra=extra),
        cat.tasks[cfg.task],
        events.append,
    )
    return result, events


@cuda_only
@pytest.mark.parametrize("optimizer", ["adam", "momentum", "adagrad"])
@pytest.mark.parametrize("batch_size", [None, 32])
def test_cuda_graph_and_eager_steps_give_the_same_losses(cat, monkeypatch, optimizer, batch_size):
    names = ["relu", "prelu", "softmax", "glu", "gelu"]
    common = dict(seeds=2, steps=60, eval_every=20, optimizer=optimizer, batch_size=batch_size)
    graphed, _ = _cuda_race(cat, monkeypatch, True, names, **common)
    eager, _ = _cuda_race(cat, monkeypatch, False, names, **common)
    assert graphed.strategy == "batched, cuda graph", graphed.strategy
    assert eager.strategy == "batched"
    a, b = _losses(graphed), _losses(eager)
    for key in a:
        assert len(a[key]) == 4
        assert a[key] == pytest.approx(b[key], rel=1e-4, abs=1e-6), key
    first, last = a[("relu", 0)][0], a[("relu", 0)][-1]
    assert last < first


@cuda_only
def test_cuda_graph_still_catches_divergence(cat, monkeypatch):
    square = Activation(name="square", fn=lambda x: x * x)
    common = dict(task="sine", seeds=2, steps=80, eval_every=20, optimizer="sgd", lr=0.1)
    graphed, events = _cuda_race(cat, monkeypatch, True, ["tanh", "square"], [square], **common)
    eager, _ = _cuda_race(cat, monkeypatch, False, ["tanh", "square"], [square], **common)
    assert "cuda graph" in graphed.strategy
    assert {e.activation for e in events if isinstance(e, Diverged)} == {"square"}
    for g, e in zip(graphed.runs, eager.runs, strict=True):
        assert (g.status, g.diverged_at) == (e.status, e.diverged_at)
    a, b = _losses(graphed), _losses(eager)
    assert a[("tanh", 0)] == pytest.approx(b[("tanh", 0)], rel=1e-4)


@cuda_only
def test_a_step_that_cannot_be_captured_runs_eagerly_and_says_why(cat, monkeypatch):
    def synced(x):
        if float(x.abs().max()) > 1e6:  # a host read: illegal while capturing
            return x
        return torch.tanh(x)

    act = Activation(name="synced", fn=synced)
    result, events = _cuda_race(cat, monkeypatch, True, ["synced"], [act], seeds=2, steps=30)
    assert result.status == "finished"
    assert result.strategy.startswith("batched, eager (cuda graph failed:"), result.strategy
    assert isinstance(events[0], Started) and events[0].strategy == "batched, cuda graph"
    assert events[-1].result.strategy == result.strategy
    assert result.runs[0].history[-1]["train_loss"] < result.runs[0].history[0]["train_loss"]


def test_layer_mean_and_std_match_torch():
    from actviz.training.unit_stats import _mean_std

    h = torch.randn(5, 8, 200, generator=torch.Generator().manual_seed(0))[:, :, :150] * 3 + 1
    mean, std = _mean_std(h)
    want_std, want_mean = torch.std_mean(h, dim=(1, 2))
    torch.testing.assert_close(mean, want_mean)
    torch.testing.assert_close(std, want_std)
    single_mean, single_std = _mean_std(h[:, :1, :1])
    assert torch.equal(single_std, torch.zeros(5)) and torch.equal(single_mean, h[:, 0, 0])


@cuda_only
def test_two_cuda_races_in_two_threads_both_capture_and_finish(cat):
    """A capture forbids other CUDA work in the process; concurrent races take turns."""
    import threading

    results = {}

    def one(name):
        cfg = RaceConfig(task="moons", activations=[name], seeds=4, steps=200, device="cuda")
        results[name] = run_race(cfg, _acts(cat, name), cat.tasks["moons"])

    threads = [threading.Thread(target=one, args=(n,)) for n in ("relu", "tanh")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name in ("relu", "tanh"):
        assert results[name].status == "finished"
        assert results[name].strategy == "batched, cuda graph"
        assert all(r.status == "finished" for r in results[name].runs)


@pytest.mark.parametrize(
    "y",
    [torch.tensor([[0.7]]), torch.full((1, 5), 2.0)],
    ids=["one-point", "constant"],
)
def test_r2_is_undefined_for_one_point_or_constant_targets(y):
    from actviz.training.metrics import per_model_metric

    out = torch.zeros(3, 1, y.shape[1])
    r2 = per_model_metric("r2", "mse", out, y)
    assert r2.shape == (3,) and torch.isnan(r2).all()


def test_r2_of_a_perfect_and_a_mean_fit():
    from actviz.training.metrics import per_model_metric

    y = torch.tensor([[0.0, 1.0, 2.0, 3.0]])
    out = torch.stack([y, torch.full_like(y, 1.5)])
    assert per_model_metric("r2", "mse", out, y).tolist() == pytest.approx([1.0, 0.0])


def test_a_stochastic_activation_gives_the_same_race_whatever_ran_before(builtin_catalogue):
    """rrelu draws its training slopes from torch's global generator: each race seeds it."""
    import torch

    from actviz.training import RaceConfig, run_race

    cfg = RaceConfig(task="moons", activations=["rrelu", "relu"], seeds=2, steps=30, hidden=(6,))
    acts, task = builtin_catalogue.activations, builtin_catalogue.tasks["moons"]
    finals = []
    for state in (1, 12345):
        torch.manual_seed(state)
        torch.rand(100)  # whatever ran before in this process
        result = run_race(cfg, acts, task)
        finals.append([r.history[-1]["train_loss"] for r in result.runs])
    assert finals[0] == finals[1]

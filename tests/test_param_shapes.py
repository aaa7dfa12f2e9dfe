"""Param shapes: vector, per-unit and per-seed values reach fn in race shape, train, are
recorded; slider ranges never constrain training, explicit bounds do."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actviz import Activation, Param
from actviz.param_shapes import race_kwargs, race_value
from actviz.training import RaceConfig, run_race


@pytest.fixture
def moons(builtin_catalogue):
    return builtin_catalogue.tasks["moons"]


def _spread(seed: int, width: int) -> np.ndarray:
    return np.linspace(0.5, 1.5, width) + seed


SEEN: list[dict[str, tuple]] = []


def _mixed(x, c, s, k):
    SEEN.append({"x": tuple(x.shape), "c": tuple(c.shape), "s": tuple(s.shape), "k": k})
    return c[..., 0] * x + c[..., 1] * torch.tanh(s * x)


MIXED = Activation(
    "mixed",
    fn=_mixed,
    params=[
        Param("c", [1.0, 0.5], shape=(2,), learnable=True),
        Param("s", _spread, shape="per_unit", learnable=True),
        Param.integer("k", 2, min=1, max=4),
    ],
)


def test_shapes_normalise_and_bad_shapes_are_refused():
    assert Param("a", 1.0).shape == ()
    assert Param("a", 1.0, shape=3).shape == (3,)
    assert Param("a", 1.0, shape="per_unit").per_unit
    assert Param("a", 1.0, shape=("per_unit", 4)).vector == (4,)
    for bad in [(0,), ("per_unit", 2, 2), "unit", (2.5,)]:
        with pytest.raises(ValueError, match="shape must be"):
            Param("a", 1.0, shape=bad)
    with pytest.raises(ValueError, match="option is a fixed scalar"):
        Param("n", 3, kind="integer", learnable=True)
    with pytest.raises(ValueError, match="not a choice"):
        Param.choice("base", "gelu", ["relu", "tanh"])
    with pytest.raises(ValueError, match="bounds low"):
        Param("a", 1.0, bounds=(2.0, 1.0))
    with pytest.raises(ValueError, match="per-unit parameters need kind elementwise"):
        Activation(
            "v", fn=lambda x, a: x, kind="vector", params=[Param("a", 1.0, shape="per_unit")]
        )


def test_initial_values_number_array_callable_and_wrong_shape():
    p = Param("c", [1.0, 2.0, 3.0], shape=(3,))
    assert p.initial_value(0, 5).tolist() == [1.0, 2.0, 3.0]
    assert p.initial_value(0, 5, chosen=0.5).tolist() == [0.5] * 3
    per_unit = Param("s", _spread, shape="per_unit")
    assert per_unit.initial_value(2, 3).tolist() == [2.5, 3.0, 3.5]
    wrong = Param("w", [1.0, 2.0], shape=(3,))
    with pytest.raises(ValueError, match=r"parameter 'w': initial value of shape \(2,\)"):
        wrong.initial_value(0, 4)
    raising = Param("r", lambda seed, width: 1 / 0, shape="per_unit")
    with pytest.raises(ValueError, match="parameter 'r': its initial value function raised Zero"):
        raising.initial_value(0, 4)


def test_race_shapes_match_the_table():
    seeds = [0, 1, 2]
    kw = race_kwargs(MIXED, seeds, width=5)
    assert tuple(kw["c"].shape) == (3, 1, 1, 2)
    assert tuple(kw["s"].shape) == (3, 5, 1)
    assert kw["k"] == 2 and isinstance(kw["k"], int)
    assert kw["s"][1, :, 0].tolist() == pytest.approx((np.linspace(0.5, 1.5, 5) + 1).tolist())
    assert tuple(race_value(Param("q", 1.0, shape=("per_unit", 4)), seeds, 5).shape) == (3, 5, 1, 4)
    outside = MIXED.defaults()
    assert tuple(outside["c"].shape) == (2,) and outside["s"].ndim == 0 and outside["k"] == 2
    y = MIXED.fn(torch.linspace(-3, 3, 7), **outside)
    assert y.shape == (7,)


def test_vector_and_per_unit_params_train_per_seed_and_are_recorded(moons):
    SEEN.clear()
    cfg = RaceConfig(
        task="moons",
        activations=["mixed"],
        seeds=2,
        steps=60,
        eval_every=30,
        hidden=(6, 4),
        lr=0.05,
    )
    result = run_race(cfg, {"mixed": MIXED}, moons)
    shapes = {(c["x"][:2], c["c"], c["s"], c["k"]) for c in SEEN}
    assert shapes == {((2, 6), (2, 1, 1, 2), (2, 6, 1), 2), ((2, 4), (2, 1, 1, 2), (2, 4, 1), 2)}
    for run in result.runs:
        first, last = run.history[0]["param_arrays"], run.history[-1]["param_arrays"]
        assert first["c"] == [[1.0, 0.5], [1.0, 0.5]]
        assert first["s"][0] == pytest.approx((np.linspace(0.5, 1.5, 6) + run.seed).tolist())
        assert len(first["s"][1]) == 4
        assert not np.allclose(first["c"], last["c"]) and not np.allclose(
            first["s"][0], last["s"][0]
        )
        assert "params" not in run.history[-1]  # no scalar learnable parameters
        losses = [h["train_loss"] for h in run.history]
        assert losses[-1] < losses[0]


def _pull(bounds):
    """A slope that training pushes far beyond its slider range [0.4, 0.6]."""
    return Activation(
        "pulled",
        fn=lambda x, a: a * x,
        params=[Param("a", 0.5, min=0.4, max=0.6, learnable=True, bounds=bounds)],
    )


@pytest.mark.parametrize("bounds", [None, (0.45, 0.55)])
def test_slider_range_is_not_a_constraint_but_bounds_are(builtin_catalogue, bounds):
    task = builtin_catalogue.tasks["sine"]
    cfg = RaceConfig(
        task="sine",
        activations=["pulled"],
        seeds=2,
        steps=80,
        eval_every=40,
        hidden=(4,),
        lr=0.5,
        optimizer="sgd",
    )
    result = run_race(cfg, {"pulled": _pull(bounds)}, task)
    values = [v for r in result.runs for v in r.history[-1]["params"]["a"]]
    if bounds is None:
        assert any(not 0.4 <= v <= 0.6 for v in values), values
    else:
        assert all(0.45 - 1e-7 <= v <= 0.55 + 1e-7 for v in values), values


def test_validation_calls_vector_params_in_race_shape():
    """``p[0]`` works on the Curves view's ``[k]`` but not on a race's ``[models, 1, 1, k]``:
    validation must fail it, naming the race shapes, as ``p[..., 0]`` passes."""
    from actviz.host.validation import validate_activation

    def make(fn):
        return Activation("vec", fn=fn, params=[Param("p", [1.0, 0.5], shape=(2,), learnable=True)])

    bad = validate_activation(make(lambda x, p: p[0] * x + p[1] * torch.tanh(x)))
    assert not bad.ok and "[3, 1, 1, 2]" in bad.error, bad.error
    good = validate_activation(make(lambda x, p: p[..., 0] * x + p[..., 1] * torch.tanh(x)))
    assert good.ok, good.error


def test_stored_per_unit_values_reopen_and_export_as_columns(builtin_catalogue, tmp_path):
    import pandas as pd

    from actviz.analysis.learned_shapes import learned_shapes
    from actviz.storage import RunStore, store_race

    cfg = RaceConfig(
        task="moons", activations=["apl"], seeds=1, steps=20, eval_every=10, hidden=(3,)
    )
    cat = builtin_catalogue
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id, _ = store_race(cfg, cat.activations, cat.tasks["moons"], store)
        run = store.load_run(run_id)
        path = store.export_csv(run_id, tmp_path / "run.csv")
    last = run["runs"][0]["history"][-1]["param_arrays"]["b"]
    table = pd.read_csv(path)
    assert table["param_b_1_3_2"].iloc[-1] == pytest.approx(last[0][2][1])  # layer 1, unit 3
    shapes = learned_shapes(cat.activations["apl"], run)  # from the reopened run
    assert len(shapes) == 3 and shapes[0].step == 20

"""The cost measure holds still: ReLU is 1.00 by definition, and a cost is measured once
per activation and parameters, then read back (from memory, and from disk in a later
session) instead of timed again."""

from __future__ import annotations

import json
import math

import pytest

from actviz.analysis import cost as cost_mod
from actviz.analysis.cost import measure_cost
from actviz.analysis.properties import relative_cost
from actviz.analysis.train_cost import training_cost, training_cost_measures


@pytest.fixture(autouse=True)
def _fresh_memory():
    cost_mod.forget()
    yield
    cost_mod.forget()


def test_relu_is_one_by_definition(builtin_catalogue):
    relu = builtin_catalogue.get("relu")
    assert training_cost(relu) == 1.0
    assert relative_cost(relu) == 1.0
    assert measure_cost(relu, cache=False).spread == 0.0


def test_a_cost_is_measured_once_and_then_read_back(builtin_catalogue, monkeypatch):
    tanh = builtin_catalogue.get("tanh")
    first = measure_cost(tanh, rounds=5)
    assert first.rounds == 5 and math.isfinite(first.ratio) and first.ratio > 0
    assert 0 <= first.spread < first.ratio  # reported, and smaller than the value

    def no_timing(*_a, **_k):
        raise AssertionError("timed again although the cost was cached")

    monkeypatch.setattr(cost_mod, "_time", no_timing)
    assert measure_cost(tanh, rounds=5) is first  # this session: the very same value
    cost_mod.forget()  # a later session: read from the disk cache
    assert measure_cost(tanh, rounds=5) == first
    stored = json.loads((cost_mod.user_cache_dir() / "cost.json").read_text())
    key = cost_mod._key(tanh, tanh.defaults(), 1 << 16, 5, True)
    assert stored[key]["ratio"] == first.ratio


def test_other_parameters_or_code_are_measured_anew(builtin_catalogue, monkeypatch):
    elu = builtin_catalogue.get("elu")
    measure_cost(elu, rounds=3)
    timed = []
    real = cost_mod._time
    monkeypatch.setattr(cost_mod, "_time", lambda *a: timed.append(a) or real(*a))
    measure_cost(elu, rounds=3)
    assert timed == []
    name = next(iter(elu.defaults()))
    measure_cost(elu, {name: 0.5}, rounds=3)  # another configuration: its own cost
    assert len(timed) == 1
    edited = type(elu)(name="elu", fn=lambda x: x * 2)  # same name, other code
    measure_cost(edited, rounds=3)
    assert len(timed) == 2


def test_a_per_layer_entry_reports_the_spread_of_its_parts(builtin_catalogue):
    acts = builtin_catalogue.activations
    got = training_cost_measures(["relu>tanh", "tanh"], acts, repeats=5)
    assert got["relu>tanh"].ratio == pytest.approx((1.0 + got["tanh"].ratio) / 2)
    assert got["relu>tanh"].spread == pytest.approx(got["tanh"].spread / 2)


def test_a_cache_that_cannot_be_read_or_written_only_means_measuring(
    builtin_catalogue, tmp_path, monkeypatch
):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv("ACTVIZ_CACHE_DIR", str(blocked))
    got = measure_cost(builtin_catalogue.get("tanh"), rounds=3)
    assert got.ratio > 0

"""Built-in lessons at the quick budget: each runs, its claim holds, and its verdict follows
the measurements (swap what two activations measured and the verdict flips)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch

from actviz import Lesson
from actviz.lessons import LessonContext, Measurements, Verdict, run_lesson

BUILTIN = [
    "linear_collapse",
    "step_cannot_learn",
    "sigmoid_vanishing",
    "tanh_faster_than_sigmoid",
    "dying_relu",
    "selu_self_normalising",
    "bounded_vs_outliers",
    "smooth_target_force",
    "kinked_target",
    "siren_fits_detail",
    "activation_cost",
]

#: Lessons whose verdict is a wall-clock measurement: whether the claim holds at this
#: moment depends on what else the machine is running, so the tests check that they
#: measure and that their verdict follows the numbers, not this machine's timings.
TIMED = {"activation_cost"}


@pytest.fixture(scope="module")
def quick_results(builtin_catalogue):
    """Every built-in lesson run once at the quick budget (shared by the tests below)."""
    torch.set_num_threads(1)
    cat = builtin_catalogue
    lessons = cat.lessons
    return {
        name: run_lesson(lessons[name], cat.activations, cat.tasks, budget="quick", device="cpu")
        for name in BUILTIN
    }


def test_builtin_lessons_are_loaded(builtin_catalogue):
    assert list(builtin_catalogue.lessons) == BUILTIN
    assert not [e for e in builtin_catalogue.errors if "lesson" in e.plugin]


@pytest.mark.parametrize("name", BUILTIN)
def test_lesson_holds_at_quick_budget(quick_results, name):
    result = quick_results[name]
    assert result.status == "done", result.traceback
    assert isinstance(result.holds, bool)
    if name not in TIMED:
        assert result.holds, result.verdict.summary
    assert result.verdict.summary
    assert result.verdict.numbers
    assert result.measurements.plot is not None and result.measurements.plot.curves
    json.dumps(result.to_dict())  # plain JSON all the way down


def _swap(m: Measurements, a: str, b: str) -> Measurements:
    """What two groups measured, exchanged (group order kept)."""
    swapped = copy.deepcopy(m)
    swapped.values[a], swapped.values[b] = swapped.values[b], swapped.values[a]
    return swapped


def _as_claimed(m: Measurements) -> Measurements:
    """The cost lesson's numbers as the claim has them: each activation dearer than ReLU
    per element (x3) and nearly level in the toy network (x1.1), whatever the machine
    measured at this moment."""
    out = copy.deepcopy(m)
    for group, numbers in out.values.items():
        if group != "relu":
            numbers["per_element"], numbers["toy_net"] = 3.0, 1.1
    return out


def _per_element_as_toy(m: Measurements) -> Measurements:
    """Pretend the large-tensor cost were what the toy network shows."""
    out = copy.deepcopy(m)
    for numbers in out.values.values():
        numbers["per_element"] = numbers["toy_net"]
    return out


PERTURB = {
    "linear_collapse": lambda m: _swap(m, m.groups()[0], m.groups()[2]),
    "step_cannot_learn": lambda m: _swap(m, "step", "sigmoid"),
    "sigmoid_vanishing": lambda m: _swap(m, "sigmoid", "tanh"),
    "tanh_faster_than_sigmoid": lambda m: _swap(m, "tanh", "sigmoid"),
    "dying_relu": lambda m: _swap(m, "relu", "leaky_relu"),
    "selu_self_normalising": lambda m: _swap(m, "selu", "tanh"),
    "bounded_vs_outliers": lambda m: _swap(m, "tanh", "relu"),
    "smooth_target_force": lambda m: _swap(m, "relu", "gelu"),
    "kinked_target": lambda m: _swap(m, "relu", "tanh"),
    "siren_fits_detail": lambda m: _swap(m, m.groups()[0], m.groups()[1]),
    "activation_cost": _per_element_as_toy,
}


@pytest.mark.parametrize("name", BUILTIN)
def test_verdict_follows_the_measurements(builtin_catalogue, quick_results, name):
    lesson = builtin_catalogue.lessons[name]
    measured = quick_results[name].measurements
    if name in TIMED:
        measured = _as_claimed(measured)
    again = lesson.check(copy.deepcopy(measured))
    assert again.holds is True
    if name not in TIMED:
        assert again.numbers == quick_results[name].verdict.numbers
    flipped = lesson.check(PERTURB[name](measured))
    assert flipped.holds is False, flipped.summary


def test_step_hidden_gradients_are_exactly_zero(quick_results):
    m = quick_results["step_cannot_learn"].measurements
    step = m.value("step", "peak_layer_grad_norms")
    assert step[:-1] == [0.0, 0.0] and step[-1] > 0
    assert all(v > 0 for v in m.value("sigmoid", "peak_layer_grad_norms"))


def test_vanishing_plot_has_one_point_per_layer(quick_results):
    plot = quick_results["sigmoid_vanishing"].measurements.plot
    assert plot.log_y and {c.label for c in plot.curves} == {"sigmoid", "tanh", "relu"}
    sigmoid = next(c for c in plot.curves if c.label == "sigmoid")
    assert sigmoid.x == list(range(1, 12))  # 10 hidden layers and the output layer
    assert sigmoid.y[0] < 1e-3 * sigmoid.y[-2]


def test_smooth_lesson_compares_with_the_true_force(builtin_catalogue, quick_results):
    plot = quick_results["smooth_target_force"].measurements.plot
    true = next(c for c in plot.curves if c.label == "true force")
    force = builtin_catalogue.tasks["potential"].extras["force"]
    x = torch.tensor(true.x, dtype=torch.float64)
    assert np.allclose(true.y, force(x).numpy())


# -- the runner ------------------------------------------------------------------------


def _tiny_lesson(**changes) -> Lesson:
    def check(m):
        gap = m.number("tanh", "final_metric") - m.number("linear", "final_metric")
        return m.verdict(gap > 0.1, f"gap {gap:.2f}", gap=gap)

    fields = dict(
        name="tiny",
        title="Tiny",
        claim="tanh beats linear on XOR.",
        explanation="A linear net draws one line.",
        preset={"task": "xor", "activations": ["linear", "tanh"], "steps": 60, "seeds": 1},
        check=check,
    )
    fields.update(changes)
    return Lesson(**fields)


def test_stop_gives_no_verdict(builtin_catalogue):
    cat = builtin_catalogue
    calls = []
    result = run_lesson(
        _tiny_lesson(),
        cat.activations,
        cat.tasks,
        on_progress=lambda f, t: calls.append(f),
        should_stop=lambda: bool(calls),
    )
    assert result.status == "stopped" and result.verdict is None and result.holds is None


def test_a_failing_check_is_an_error_not_a_verdict(builtin_catalogue):
    def broken(m):
        return m.value("no_such_activation", "final_metric")

    cat = builtin_catalogue
    result = run_lesson(_tiny_lesson(check=broken), cat.activations, cat.tasks)
    assert result.status == "error" and result.verdict is None
    assert "no_such_activation" in result.error
    assert result.to_dict()["holds"] is None


def test_check_must_return_a_verdict(builtin_catalogue):
    cat = builtin_catalogue
    result = run_lesson(_tiny_lesson(check=lambda m: True), cat.activations, cat.tasks)
    assert result.status == "error" and "expected Verdict" in result.error


def test_budget_overrides_the_preset():
    lesson = _tiny_lesson(budgets={"quick": {"steps": 5}})
    assert lesson.settings("quick")["steps"] == 5
    assert lesson.settings("full")["steps"] == 60
    with pytest.raises(ValueError):
        lesson.settings("huge")


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "Bad Name"},
        {"claim": " "},
        {"preset": {"task": "xor"}},  # a race needs activations
        {"budgets": {"tiny": {}}},
        {"check": "not callable"},
    ],
)
def test_lesson_rejects_bad_definitions(changes):
    with pytest.raises((ValueError, TypeError)):
        _tiny_lesson(**changes)


def test_context_race_reports_progress_and_device(builtin_catalogue):
    cat = builtin_catalogue
    seen = []
    ctx = LessonContext(
        {"task": "xor", "activations": ["tanh"], "steps": 20, "seeds": 1},
        cat.activations,
        cat.tasks,
        device="cpu",
        on_progress=lambda f, t: seen.append(f),
    )
    ctx.part(1, 2)
    run = ctx.race()
    assert run.result.status == "finished" and ctx.devices_used == {"cpu"}
    assert seen and all(0.5 <= f <= 1.0 for f in seen)
    assert run.history("tanh", "train_loss")[0][-1] == 20


def test_verdict_json_turns_nan_into_null():
    verdict = Verdict(False, "x", {"a": float("nan"), "b": np.float32(2.5), "c": [1, None]})
    assert verdict.to_dict()["numbers"] == {"a": None, "b": 2.5, "c": [1, None]}


# -- the lessons' tasks ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["outliers", "potential", "value_kink"])
def test_lesson_tasks_are_seeded_and_carry_their_truth(builtin_catalogue, name):
    task = builtin_catalogue.tasks[name]
    a, b = task.generate(seed=3), task.generate(seed=3)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_train, b.y_train)
    clean = task.generate(seed=3, noise=0.0)
    target = task.extras["target"](clean.x_train)
    assert torch.allclose(clean.y_train, target, atol=1e-6)


def test_outlier_inputs_are_heavy_tailed(builtin_catalogue):
    x = builtin_catalogue.tasks["outliers"].generate(n_points=2000, seed=0).x_train.abs()
    assert float(x.median()) < 1.5 and float(x.max()) > 100


def test_value_function_has_a_kink_at_zero(builtin_catalogue):
    value = builtin_catalogue.tasks["value_kink"].extras["target"]
    h = 1e-3
    x = torch.tensor([-h, 0.0, h], dtype=torch.float64)
    left, mid, right = value(x).tolist()
    assert (mid - left) / h == pytest.approx(1.0, abs=1e-6)
    assert (right - mid) / h == pytest.approx(0.3, abs=1e-3)

"""``actviz lesson`` from the command line, and a teacher's own lesson plugin."""

from __future__ import annotations

import json
import textwrap

import pytest

TEACHER_PLUGIN = textwrap.dedent(
    '''
    """A teacher's lessons: one race, one custom measurement."""
    from actviz import Lesson, hookimpl


    def _beats(m):
        gap = m.number("tanh", "final_train_metric") - m.number("linear", "final_train_metric")
        return m.verdict(gap > 0.15, f"tanh fits {gap:.0%} more of XOR", gap=gap)


    def _measure_zero(ctx):
        m = ctx.measurements()
        plot = ctx.plot("f(0)", "activation", "value")
        for i, name in enumerate(ctx.settings["activations"]):
            import torch

            value = float(ctx.activation(name).fn(torch.zeros(1))[0])
            m.values[name] = {"f0": value}
            plot.add(name, [i], [value])
        m.plot = plot
        return m


    def _zero_centred(m):
        worst = max(abs(m.number(g, "f0")) for g in m.groups())
        return m.verdict(worst < 1e-6, f"largest |f(0)| {worst:g}", worst=worst)


    @hookimpl
    def actviz_lessons():
        return [
            Lesson(
                name="class_xor",
                title="Our XOR demo",
                claim="tanh learns XOR, linear does not.",
                explanation="A stack of linear maps is linear.",
                preset={"task": "xor", "activations": ["linear", "tanh"], "hidden": [8],
                        "steps": 300, "lr": 0.05, "seeds": 1},
                budgets={"quick": {"steps": 200}},
                check=_beats,
            ),
            Lesson(
                name="class_zero",
                title="Which activations pass through 0",
                claim="tanh and sigmoid both map 0 to 0.",
                explanation="Only one of them is zero-centred.",
                preset={"activations": ["tanh", "sigmoid"]},
                measure=_measure_zero,
                check=_zero_centred,
                view="curves",
            ),
        ]
    '''
)


@pytest.fixture
def teacher_dir(tmp_path):
    folder = tmp_path / "class-plugins"
    folder.mkdir()
    (folder / "my_lessons.py").write_text(TEACHER_PLUGIN)
    return folder


def test_list_names_every_builtin_lesson(run_cli):
    code, out, _ = run_cli("lesson", "--list", "--no-user-plugins")
    assert code == 0
    for name in ("linear_collapse", "dying_relu", "selu_self_normalising", "activation_cost"):
        assert name in out


def test_list_json_describes_lessons(run_cli):
    code, out, _ = run_cli("lesson", "--list", "--json", "--no-user-plugins")
    assert code == 0
    lessons = {item["name"]: item for item in json.loads(out)}
    assert lessons["dying_relu"]["kind"] == "custom"
    assert lessons["step_cannot_learn"]["kind"] == "race"
    assert lessons["selu_self_normalising"]["view"] == "properties"
    assert lessons["step_cannot_learn"]["preset"]["activations"] == ["step", "sigmoid"]
    assert "quick" in lessons["step_cannot_learn"]["budgets"]


def test_json_result_shape(run_cli):
    code, out, _ = run_cli(
        "lesson", "step_cannot_learn", "--json", "--budget", "quick", "--device", "cpu"
    )
    assert code == 0
    data = json.loads(out)
    assert data["lesson"] == "step_cannot_learn" and data["budget"] == "quick"
    assert data["status"] == "done" and data["holds"] is True and data["error"] is None
    assert data["verdict"]["holds"] is True and data["verdict"]["summary"]
    assert data["verdict"]["numbers"]["step_hidden_grad_peak"] == 0.0
    values = data["measurements"]["values"]
    assert set(values) == {"step", "sigmoid"}
    assert values["sigmoid"]["final_loss"] < values["step"]["final_loss"]
    plot = data["measurements"]["plot"]
    assert plot["curves"] and len(plot["curves"][0]["x"]) == len(plot["curves"][0]["y"])
    assert data["settings"]["steps"] == 300 and data["devices"] == ["cpu"]


def test_text_report_says_holds_or_not(run_cli):
    code, out, _ = run_cli("lesson", "sigmoid_vanishing", "--budget", "quick")
    assert code == 0
    assert "Verdict: HOLDS here" in out and "sigmoid_factor_per_layer" in out


def test_unknown_lesson_suggests_a_name(run_cli):
    code, _, err = run_cli("lesson", "dying_rellu")
    assert code == 2 and "dying_relu" in err


def test_no_name_is_a_usage_error(run_cli):
    code, _, err = run_cli("lesson")
    assert code == 2 and "--list" in err


def test_bad_budget_is_rejected(run_cli):
    code, _, _ = run_cli("lesson", "dying_relu", "--budget", "huge")
    assert code == 2


def test_teacher_lessons_are_discovered_and_run(run_cli, teacher_dir):
    code, out, _ = run_cli("--plugins", str(teacher_dir), "lesson", "--list")
    assert code == 0 and "class_xor" in out and "class_zero" in out

    code, out, _ = run_cli(
        "--plugins", str(teacher_dir), "lesson", "class_xor", "--json", "--budget", "quick"
    )
    assert code == 0
    data = json.loads(out)
    assert data["holds"] is True and data["settings"]["steps"] == 200
    assert data["verdict"]["numbers"]["gap"] > 0.15


def test_teacher_custom_measurement_can_fail_honestly(run_cli, teacher_dir):
    code, out, _ = run_cli("--plugins", str(teacher_dir), "lesson", "class_zero", "--json")
    assert code == 0  # it ran; the claim is simply false
    data = json.loads(out)
    assert data["status"] == "done" and data["holds"] is False
    assert data["measurements"]["values"]["sigmoid"]["f0"] == pytest.approx(0.5)
    assert data["verdict"]["numbers"]["worst"] == pytest.approx(0.5)


def test_a_broken_teacher_lesson_is_reported_and_the_rest_load(run_cli, teacher_dir):
    (teacher_dir / "broken_lessons.py").write_text(
        "from actviz import hookimpl\n\n@hookimpl\ndef actviz_lessons():\n    return ['oops']\n"
    )
    code, out, _ = run_cli("--plugins", str(teacher_dir), "lesson", "--list")
    assert code == 0 and "class_xor" in out and "linear_collapse" in out
    from actviz.host import load_catalogue

    cat = load_catalogue([teacher_dir], use_user_dir=False, use_entry_points=False)
    assert any("expected actviz.Lesson" in e.message for e in cat.errors)

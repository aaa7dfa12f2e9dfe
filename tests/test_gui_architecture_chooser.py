"""The Playground's architecture chooser, driven through its widgets: every built-in
architecture is offered with its own options, a task it cannot take is refused in one
line, memory and a probed time are shown before Run, a race trains the chosen network,
and handouts and the remembered settings keep the choice."""

from __future__ import annotations

import json

import pytest
import torch

from actviz.gui.handout_setup import lockable
from actviz.gui.settings import open_settings
from actviz.handouts import SUFFIX
from actviz.storage import RunStore


@pytest.fixture
def playground(open_playground):
    w, panel = open_playground(("relu", "tanh"))
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(80)
    form.seeds.setText("2")
    form.steps.setValue(30)
    return w, panel


def choose(form, name: str) -> None:
    assert form.arch.set_arch(name) is None


def test_every_builtin_architecture_is_offered_with_its_own_options(playground):
    _w, panel = playground
    form = panel.form
    offered = [form.arch.combo.itemData(i) for i in range(form.arch.combo.count())]
    for name in ("mlp", "resmlp", "cnn1d", "cnn2d", "gru", "transformer"):
        assert name in offered
    assert offered[0] == "mlp" and form.config().arch == "mlp"
    assert form.hidden.isEnabled() and not form.arch.options_box.isVisible()

    choose(form, "resmlp")
    assert set(form.arch._controls) == {"depth", "width", "norm"}
    assert not form.hidden.isEnabled()  # the MLP's widths mean nothing to a resmlp
    assert "residual block" in form.arch.site.text()
    form.arch._controls["depth"].setValue(3)
    form.arch._controls["norm"].setCurrentText("layer")
    config = form.config()
    assert config.arch == "resmlp" and config.arch_options == {"depth": 3, "norm": "layer"}

    choose(form, "transformer")  # options of the new choice, at their defaults
    assert set(form.arch._controls) == {"width", "blocks", "heads", "patch", "mlp_ratio"}
    assert form.config() is None  # moons is a table, not a signal
    choose(form, "gru")
    assert form.arch._controls["bidirectional"].isChecked()


def test_a_task_the_architecture_cannot_take_is_refused_in_one_line(playground):
    _w, panel = playground
    form = panel.form
    choose(form, "cnn2d")
    assert form.config() is None and not panel.train_button.isEnabled()
    lines = [p for p in form.problems if p.startswith("arch:")]
    assert lines == [
        "arch: cnn2d needs an image as input, and task 'moons' gives a table of 2 numbers "
        "(try mlp or resmlp)"
    ]
    assert "needs an image" in form.problem_label.text()
    assert "needs an image" in form.arch.combo.toolTip()  # the field says why
    choose(form, "resmlp")
    assert form.problems == [] and panel.train_button.isEnabled()


def test_options_out_of_range_or_inconsistent_are_named(playground):
    _w, panel = playground
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("digits8x8"))
    choose(form, "cnn2d")
    assert form.problems == []
    choose(form, "cnn1d")
    assert any("needs a 1-D signal" in p for p in form.problems)
    if form.task.findData("mnist1d") < 0:
        pytest.skip("mnist1d is not installed")
    form.task.setCurrentIndex(form.task.findData("mnist1d"))
    form.arch._controls["kernels"].setText("5,x")
    assert form.problems == ["arch: cnn1d kernels: give odd sizes like 5,3,3, not '5,x'"]
    form.arch._controls["kernels"].setText("5,3")
    assert form.problems == [] and form.config().arch_options == {"kernels": "5,3"}
    choose(form, "transformer")
    form.arch._controls["heads"].setValue(3)
    assert form.problems == ["arch: transformer heads: width 32 is not a multiple of 3 heads"]


def test_memory_at_once_and_time_from_a_probe_before_run(playground, qtbot):
    _w, panel = playground
    form = panel.form
    choose(form, "resmlp")
    form.arch._controls["width"].setValue(16)
    text = form.estimate.memory.text()
    assert "for 4 models" in text and "measured on a probe batch" in text
    assert "fit" in text
    choose(form, "mlp")
    assert "modelled" in form.estimate.memory.text()
    choose(form, "resmlp")
    assert form.estimate.button.isEnabled()
    form.estimate.button.click()
    assert form.estimate.wait(120)
    shown = form.estimate.time.text()
    assert shown.startswith("time ≈") and "30 steps" in shown and "probe of this race" in shown
    form.steps.setValue(40)  # any edit: the old answer no longer applies
    assert "press Estimate" in form.estimate.time.text()
    form.estimate.button.click()
    assert not form.estimate.button.isEnabled()  # probing
    probe = form.estimate._stop  # the running probe's stop flag
    with qtbot.waitSignal(panel.raceFinished, timeout=120_000):
        panel.train_button.click()  # Run stops the probe: the race needs the CPU
    assert probe.is_set() and form.estimate.button.isEnabled()
    choose(form, "cnn2d")  # a race that cannot start has no estimate
    assert not form.estimate.button.isEnabled()
    assert "once the race can start" in form.estimate.memory.text()


def test_a_race_from_the_playground_trains_the_chosen_architecture(playground, qtbot):
    _w, panel = playground
    form = panel.form
    choose(form, "resmlp")
    form.arch._controls["width"].setValue(8)
    form.arch._controls["depth"].setValue(2)
    with qtbot.waitSignal(panel.raceFinished, timeout=120_000) as blocker:
        panel.train_button.click()
    run_id = blocker.args[0]
    assert isinstance(run_id, int)
    with RunStore() as store:
        stored = store.load_run(run_id)
    assert stored["config"]["arch"] == "resmlp"
    assert stored["config"]["arch_options"] == {"depth": 2, "width": 8}
    assert len(stored["runs"]) == 4 and stored["steps_done"] == 30
    # its networks were kept: the views look back at them, same start is offered
    assert panel.shown_snapshot() is not None and panel.same_button.isEnabled()
    panel.views.setCurrentWidget(panel.inside)
    view = panel.inside
    view.redraw(panel.history, panel.shown_snapshot(), panel.colours)
    for name in ("relu", "tanh"):  # the input layer and two residual blocks, 8 units each
        assert [layer.units for layer in view.insides[name].layers] == [8, 8, 8]

    # "Same start again" with another learning rate: the very same initial networks
    from actviz.storage.same_start import same_start

    with RunStore() as store:
        plan = same_start(store, run_id, {"lr": 0.05})
    with qtbot.waitSignal(panel.raceFinished, timeout=120_000) as blocker:
        assert panel.start_race(plan.config, initial=plan.initial, name=plan.name)
    again = blocker.args[0]
    with RunStore() as store:
        first, second = store.initial_states(run_id), store.initial_states(again)
        assert store.load_run(again)["config"]["arch"] == "resmlp"
    assert set(first) == set(second) and len(first) == 4
    for key, values in first.items():
        for a, b in zip(values.weights, second[key].weights, strict=True):
            assert torch.equal(a, b)


def test_a_handout_keeps_the_architecture_and_its_options(playground, tmp_path):
    w, panel = playground
    form = panel.form
    choose(form, "resmlp")
    form.arch._controls["depth"].setValue(2)
    form.arch._controls["norm"].setCurrentText("layer")
    saved = form.config().to_dict()
    path = w.handouts.save_to(tmp_path / "deep", "Deep", "", ["arch"])
    data = json.loads(path.read_text())
    assert data["setup"]["arch"] == "resmlp"
    assert data["setup"]["arch_options"] == {"depth": 2, "norm": "layer"}

    choose(form, "mlp")
    assert w.handouts.open_file(path)
    assert form.config().to_dict() == saved
    assert form.arch._controls["depth"].value() == 2
    assert not form.arch.combo.isEnabled()  # locked by the handout
    assert lockable(form)["arch"] == "Architecture"
    assert lockable(form)["arch_options"] == "Architecture options"


def test_a_handout_naming_an_unknown_architecture_says_so(playground, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    texts: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, t, x, *a: texts.append(f"{t}: {x}"))
    )
    w, panel = playground
    setup = panel.form.config().to_dict() | {"arch": "wavenet", "arch_options": {"depth": 2}}
    path = tmp_path / f"odd{SUFFIX}"
    handout = {"format": "actviz-handout", "version": 1, "setup": setup}
    path.write_text(json.dumps(handout))
    w.handouts.open_file(path)
    assert any("'wavenet' is not a loaded architecture" in t for t in texts), texts
    assert any("arch_options: not restored (its architecture was not)" in t for t in texts)
    assert not any("has no option" in t for t in texts), texts
    assert panel.form.config().arch == "mlp"


def test_the_choice_is_remembered_between_launches(playground):
    _w, panel = playground
    form = panel.form
    choose(form, "gru")
    form.arch._controls["hidden"].setValue(4)
    settings = open_settings()
    form.save(settings, "test/form")
    choose(form, "mlp")
    form.restore(settings, "test/form")
    assert form.arch.arch() == "gru" and form.arch.options() == {"hidden": 4}

"""The Playground says what a seed resamples, and a lesson setup restores it."""

from __future__ import annotations


def test_playground_form_chooses_what_seeds_vary(open_playground):
    from PySide6.QtCore import QSettings

    from actviz.gui.handout_setup import apply_setup

    _, panel = open_playground()
    form = panel.form
    assert form.config().vary == "all"
    form.vary.setCurrentIndex(form.vary.findData("init"))
    assert form.config().vary == "init"
    settings = QSettings("actviz-test", "vary")
    form.save(settings, "form")
    form.vary.setCurrentIndex(form.vary.findData("data"))
    form.restore(settings, "form")
    assert form.config().vary == "init"
    setup = {**form.config().to_dict(), "vary": "data"}
    assert not [p for p in apply_setup(panel, setup) if "vary" in p]
    assert form.config().vary == "data"

"""Import CSV... from the Playground's task list: file dialog, target column, then the file
is a task (copied into the data folder) that a race trains on; a bad file is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from actviz.gui.main_window import MainWindow
from actviz.gui.panels.playground_import import IMPORT_ITEM
from actviz.host import PluginHost
from actviz.paths import user_data_dir


@pytest.fixture
def form(qtbot, monkeypatch):
    for var in ("ACTVIZ_SELECT", "ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(w)
    w.show_panel("playground")
    return w.panel("playground").form


def _answer(monkeypatch, path, target):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    asked = {}

    def pick(parent, title, label, items, current, editable):
        asked["items"] = list(items)
        return target, target is not None

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    return asked, warnings


def test_import_csv_adds_a_task_and_selects_it(form, monkeypatch, tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(30, 2)), columns=["u", "v"])
    frame["label"] = np.where(frame["u"] > 0, "yes", "no")
    path = tmp_path / "Survey.csv"
    frame.to_csv(path, index=False)
    asked, warnings = _answer(monkeypatch, path, "label")
    assert form.task.itemData(form.task.count() - 1) == IMPORT_ITEM
    form.task.setCurrentIndex(form.task.count() - 1)
    assert asked["items"] == ["u", "v", "label"] and not warnings
    assert form.task.currentData() == "csv:survey"
    assert (user_data_dir() / "datasets" / "survey.csv").read_text() == path.read_text()
    assert "30 rows, 2 inputs, target label (2 classes)" in form.task_about.text()
    config = form.config()
    assert config is not None and config.task == "csv:survey"


def test_a_bad_csv_is_refused_and_the_task_stays(form, monkeypatch, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,y\n1,x,0\n2,y,1\n3,z,0\n4,w,1\n")
    form.task.setCurrentIndex(form.task.findData("circles"))
    asked, warnings = _answer(monkeypatch, path, "y")
    form.task.setCurrentIndex(form.task.count() - 1)
    assert len(warnings) == 1 and "non-numeric input column 'b'" in warnings[0]
    assert form.task.currentData() == "circles"
    assert not (user_data_dir() / "datasets").exists()
    _answer(monkeypatch, path, None)  # the user cancels the column picker
    form.task.setCurrentIndex(form.task.count() - 1)
    assert form.task.currentData() == "circles"

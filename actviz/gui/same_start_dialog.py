"""'Same start again…': re-run a stored race from its exact initial weights with a changed
learning rate, number of steps or optimiser, to show a class what that one change does.

:func:`ask_same_start` checks that the run can be re-run (it exists and kept its initial
networks), opens :class:`SameStartDialog` without blocking, and on "Race" hands the
changed configuration and the stored networks to the Playground. The dialog remembers
the values it last raced with.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..storage.same_start import SameStart, SameStartError, same_start
from ..training.config import OPTIMIZERS, RaceConfig
from .settings import open_settings, read_json, write_json

SETTINGS_KEY = "same_start/last"
MAX_STEPS = 10_000_000


class SameStartDialog(QDialog):
    """Learning rate, steps and optimiser for a re-run of ``original`` (run ``run_id``)."""

    def __init__(
        self,
        run_id: int,
        name: str,
        original: RaceConfig,
        parent: QWidget | None = None,
        error_colour: str = "#c0392b",
    ) -> None:
        super().__init__(parent)
        self.run_id = run_id
        self.original = original
        self.setWindowTitle(f"Same start again: run #{run_id}")
        intro = QLabel(
            f"Re-run <b>#{run_id}</b> ({_escape(name)}) from its exact initial weights and "
            "data. Change one thing; everything else stays as stored, so the difference "
            "you see is that change."
        )
        intro.setWordWrap(True)
        self.lr = QLineEdit()
        self.lr.setToolTip("the learning rate of the re-run (a positive number)")
        self.times10 = times10 = QPushButton("×10")
        times10.setToolTip("ten times the learning rate")
        self.div10 = div10 = QPushButton("÷10")
        div10.setToolTip("a tenth of the learning rate")
        for button in (times10, div10):
            button.setAutoDefault(False)
            button.setMaximumWidth(48)
        times10.clicked.connect(lambda: self.scale_lr(10.0))
        div10.clicked.connect(lambda: self.scale_lr(0.1))
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.lr, 1)
        lr_row.addWidget(div10)
        lr_row.addWidget(times10)
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setSingleStep(100)
        self.steps.setToolTip("optimiser steps of the re-run")
        self.optimizer = QComboBox()
        for name_ in OPTIMIZERS:
            self.optimizer.addItem(name_, name_)
        self.optimizer.setToolTip("the optimiser of the re-run")
        form = QFormLayout()
        form.addRow("learning rate", lr_row)
        form.addRow("", _was(f"stored: {original.lr:g}"))
        form.addRow("steps", self.steps)
        form.addRow("", _was(f"stored: {original.steps}"))
        form.addRow("optimiser", self.optimizer)
        form.addRow("", _was(f"stored: {original.optimizer}"))
        self.problem = QLabel(" ")
        self.problem.setStyleSheet(f"color: {error_colour};")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.race_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.race_button.setText("Race")
        self.race_button.setToolTip("start the re-run in the Playground (Enter)")
        reset = self.buttons.addButton("Stored values", QDialogButtonBox.ButtonRole.ResetRole)
        reset.setToolTip("put back the stored run's learning rate, steps and optimiser")
        reset.clicked.connect(self.use_stored)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.lr.textChanged.connect(lambda _t: self._check())
        self._restore()
        self.setMinimumWidth(380)

    # -- values ------------------------------------------------------------------------

    def changes(self) -> dict[str, Any] | None:
        """``{"lr", "steps", "optimizer"}`` as entered, or ``None`` while one is invalid."""
        try:
            lr = float(self.lr.text())
        except ValueError:
            return None
        if not math.isfinite(lr) or lr <= 0:
            return None
        return {"lr": lr, "steps": self.steps.value(), "optimizer": self.optimizer.currentData()}

    def set_values(self, lr: float, steps: int, optimizer: str) -> None:
        self.lr.setText(f"{lr:g}")
        self.steps.setValue(int(steps))
        index = self.optimizer.findData(optimizer)
        if index >= 0:
            self.optimizer.setCurrentIndex(index)

    def use_stored(self) -> None:
        o = self.original
        self.set_values(o.lr, o.steps, o.optimizer)

    def scale_lr(self, factor: float) -> None:
        values = self.changes()
        if values is not None:
            self.lr.setText(f"{values['lr'] * factor:.6g}")

    def _check(self) -> None:
        ok = self.changes() is not None
        self.race_button.setEnabled(ok)
        self.problem.setText(
            " " if ok else f"learning rate: give a positive number, not {self.lr.text()!r}"
        )

    # -- remembered values -------------------------------------------------------------

    def _restore(self) -> None:
        """The values last raced with; the stored run's where none are remembered."""
        self.use_stored()
        saved = read_json(open_settings(), SETTINGS_KEY, {})
        if not isinstance(saved, dict):
            return
        lr, steps, opt = saved.get("lr"), saved.get("steps"), saved.get("optimizer")
        if isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0:
            self.lr.setText(f"{lr:g}")
        if isinstance(steps, int) and 1 <= steps <= MAX_STEPS:
            self.steps.setValue(steps)
        if opt in OPTIMIZERS:
            self.optimizer.setCurrentIndex(self.optimizer.findData(opt))

    def _accept(self) -> None:
        values = self.changes()
        if values is None:
            return
        settings = open_settings()
        write_json(settings, SETTINGS_KEY, values)
        settings.sync()
        self.accept()


def ask_same_start(
    parent: QWidget,
    run_id: int,
    start: Callable[[SameStart], None],
    report: Callable[[str], None],
    error_colour: str = "#c0392b",
) -> SameStartDialog | None:
    """Open the dialog for stored run ``run_id`` (non-blocking); on "Race" call
    ``start`` with the plan. A run that cannot be re-run is ``report``-ed in one line."""
    from ..storage import RunStore

    try:
        with RunStore() as store:
            plan = same_start(store, run_id)
    except SameStartError as exc:
        report(str(exc))
        return None
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        report(f"cannot open the run database: {exc}")
        return None
    dialog = SameStartDialog(run_id, plan.stored_name, plan.original, parent, error_colour)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        try:
            with RunStore() as store:
                chosen = same_start(store, run_id, dialog.changes())
        except (SameStartError, sqlite3.Error, OSError, RuntimeError) as exc:
            report(str(exc))
            return
        start(chosen)

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


def show_in_form(form: Any, plan: SameStart) -> bool:
    """Put the re-run's lr, steps and optimiser into the Playground form when the form
    describes the stored race otherwise (so the form shows what is training); a form
    set up for another race is left alone. ``True`` when the form was updated."""
    current = form.config()
    if current is None:
        return False
    ignore = {"lr", "steps", "optimizer"}
    mine = {k: v for k, v in current.to_dict().items() if k not in ignore}
    stored = {k: v for k, v in plan.original.to_dict().items() if k not in ignore}
    if mine != stored:
        return False
    form.lr.setText(f"{plan.config.lr:g}")
    form.steps.setValue(int(plan.config.steps))
    index = form.optimizer.findData(plan.config.optimizer)
    if index >= 0:
        form.optimizer.setCurrentIndex(index)
    return True


def _was(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: gray;")
    return label


def _escape(text: str) -> str:
    from html import escape

    return escape(text)

"""The Playground's settings form: task (with a preview of its data), network, optimiser,
budget, seeds and device, read into a :class:`RaceConfig`.

Every change is checked with ``RaceConfig.validate`` at once; a field with a problem
is outlined and its tooltip (and the line under the form) says why, and the race
cannot start until every field is fine.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...training import layered
from ...training.config import INITS, OPTIMIZERS, RaceConfig
from ...training.config_text import parse_seeds, parse_widths
from ...training.features import FEATURES
from ...training.task import Task
from ..pens import mkpen
from ..plots import make_plot, restyle
from ..settings import read_json, write_json
from ..state import AppState
from .playground_arch import ArchitectureChooser, EstimateRow
from .playground_import import IMPORT_ITEM, ask_and_import

#: Class colours of the data and of decision regions (orange, blue, green, as in
#: TensorFlow Playground): colour-blind safe next to each other.
CLASS_COLOURS = ("#f28e2b", "#4e79a7", "#59a14f")
OPTIMIZER_NAMES = {
    "sgd": "SGD",
    "momentum": "SGD + momentum 0.9",
    "rmsprop": "RMSprop",
    "adagrad": "AdaGrad",
    "adam": "Adam",
}


def available_devices() -> list[str]:
    """``auto``, ``cpu`` and the accelerators torch can see here."""
    import torch

    devices = ["auto", "cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    backend = getattr(torch.backends, "mps", None)
    if backend is not None and backend.is_available():
        devices.append("mps")
    return devices


def parse_layered(text: str) -> list[str]:
    """``"relu>tanh, gelu > sigmoid"`` -> ``["relu>tanh", "gelu>sigmoid"]`` (each once)."""
    names = [layered.canonical(p) for p in text.replace(";", ",").split(",") if p.strip()]
    return list(dict.fromkeys(names))


class PlaygroundForm(QWidget):
    """See the module docstring. ``changed`` fires after every edit (already validated)."""

    changed = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.problems: list[str] = []
        self._layered_names: list[str] = []
        self._config: RaceConfig | None = None
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(120)
        self._preview_timer.timeout.connect(self.draw_preview)

        self.task = QComboBox()
        # long task names (csv:..., breast_cancer (classification)) must not widen the form
        self.task.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.task.setMinimumContentsLength(12)
        self._last_task: str | None = None
        self._wanted_task: str | None = None  # restored before the tasks had loaded
        self.task_about = QLabel()
        self.task_about.setWordWrap(True)
        self.task_about.setStyleSheet("color: gray;")
        self.preview = make_plot(state.theme)
        self.preview.setFixedHeight(150)
        self.preview.getPlotItem().hideButtons()
        self.preview.setMouseEnabled(False, False)
        self.points = QSpinBox()
        self.points.setRange(0, 1_000_000)
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 10.0)
        self.noise.setDecimals(3)
        self.noise.setSingleStep(0.01)
        self.split = QDoubleSpinBox()
        self.split.setRange(0.0, 0.99)
        self.split.setDecimals(2)
        self.split.setSingleStep(0.05)
        self.split.setToolTip("share of the points held out for the test metric")
        self.data_seed = QSpinBox()
        self.data_seed.setRange(0, 2**31 - 1)

        self.arch = ArchitectureChooser()
        self.estimate = EstimateRow()
        self.hidden = QLineEdit("8, 8")
        self.hidden.setToolTip("hidden layer widths, e.g. 8, 8 (two layers of 8 units)")
        self.init = QComboBox()
        self.init.addItems(list(INITS))
        self.optimizer = QComboBox()
        for name in OPTIMIZERS:
            self.optimizer.addItem(OPTIMIZER_NAMES.get(name, name), name)
        self.optimizer.setCurrentIndex(list(OPTIMIZERS).index("adam"))
        self.lr = QLineEdit("0.01")
        self.lr.setToolTip("learning rate, e.g. 0.01 or 3e-3")
        self.steps = QSpinBox()
        self.steps.setRange(0, 10_000_000)
        self.steps.setSingleStep(100)
        self.steps.setValue(1000)
        self.batch = QLineEdit()
        self.batch.setPlaceholderText("full batch")
        self.batch.setToolTip("minibatch size; empty trains on every point each step")
        self.seeds = QLineEdit("3")
        self.seeds.setToolTip("a count (3 -> seeds 0, 1, 2) or a list: 0, 4, 7")
        self.vary = QComboBox()
        for value, text in (
            ("all", "data and initial weights"),
            ("init", "initial weights only"),
            ("data", "data only"),
        ):
            self.vary.addItem(text, value)
        self.vary.setToolTip(
            "what each seed resamples. Data and initial weights (default): every seed draws "
            "its own data, split and minibatch order as well as its own weights, so the "
            "intervals describe the task. Initial weights only: every seed shares the draw of "
            "the data seed. Every activation gets the same draw for a seed (paired)."
        )
        self.device = QComboBox()
        self.device.addItems(available_devices())
        penalty_tip = (
            "{name} penalty on the weight matrices (not the biases): each network trains on "
            "its data loss + {name}·{term}; the recorded train and test losses stay the data "
            "loss, so they compare with unpenalised races. 0 turns it off."
        )
        self.l1 = _penalty_box(penalty_tip.format(name="L1", term="Σ|W|"))
        self.l2 = _penalty_box(penalty_tip.format(name="L2", term="ΣW²"))
        self.features = {fid: QCheckBox(label) for fid, (label, _) in FEATURES.items()}
        self.features_box = QWidget()
        grid = QGridLayout(self.features_box)
        grid.setContentsMargins(0, 0, 0, 0)
        for k, box in enumerate(self.features.values()):
            grid.addWidget(box, k // 3, k % 3)
        self.per_layer = QLineEdit()
        self.per_layer.setPlaceholderText("e.g. relu>tanh")
        self.per_layer.setToolTip(
            "extra race entries with one activation per hidden layer, first layer first: "
            "relu>tanh, gelu>sigmoid (elementwise activations; parameters as set for each)"
        )
        self.activations = QLabel()
        self.activations.setWordWrap(True)
        self.activations.setTextFormat(Qt.TextFormat.RichText)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)

        data_box = QGroupBox("Data")
        data = QFormLayout(data_box)
        data.addRow("Task", self.task)
        data.addRow(self.task_about)
        data.addRow(self.preview)
        data.addRow("Points", self.points)
        data.addRow("Noise", self.noise)
        data.addRow("Test split", self.split)
        data.addRow("Data seed", self.data_seed)
        data.addRow(QLabel("Extra inputs the network sees (2-D tasks)"))
        data.addRow(self.features_box)  # the whole width: three check boxes a row
        net_box = QGroupBox("Network and training")
        net = QFormLayout(net_box)
        net.addRow("Architecture", self.arch)
        net.addRow("Hidden", self.hidden)
        net.addRow("Init", self.init)
        net.addRow("Optimiser", self.optimizer)
        net.addRow("Learning rate", self.lr)
        net.addRow("Steps", self.steps)
        net.addRow("Batch size", self.batch)
        net.addRow("Seeds", self.seeds)
        net.addRow("Seeds vary", self.vary)
        net.addRow("Device", self.device)
        net.addRow("L1 penalty", self.l1)
        net.addRow("L2 penalty", self.l2)
        net.addRow(self.estimate)  # the whole width: memory, time and its button
        act_box = QGroupBox("Activations (checked in the list)")
        act_layout = QVBoxLayout(act_box)
        act_layout.addWidget(self.activations)
        per_layer_row = QFormLayout()
        per_layer_row.setContentsMargins(0, 0, 0, 0)
        per_layer_row.addRow("Per layer", self.per_layer)
        act_layout.addLayout(per_layer_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(data_box)
        layout.addWidget(net_box)
        layout.addWidget(act_box)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)

        self.fields: dict[str, QWidget] = {
            "task": self.task,
            "points": self.points,
            "noise": self.noise,
            "test_fraction": self.split,
            "data_seed": self.data_seed,
            "arch": self.arch.combo,
            "arch_options": self.arch.options_box,
            "hidden": self.hidden,
            "init": self.init,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "steps": self.steps,
            "batch_size": self.batch,
            "seeds": self.seeds,
            "vary": self.vary,
            "device": self.device,
            "l1": self.l1,
            "l2": self.l2,
            "features": self.features_box,
            "per_layer": self.per_layer,
            "activations": self.activations,
            "params": self.activations,
        }
        self._tips = {name: w.toolTip() for name, w in self.fields.items()}
        self._locks: dict[str, str] = {}  # locked field -> its tooltip before the lock
        self.fill_tasks()
        self.task.currentIndexChanged.connect(self._task_changed)
        for spin in (self.points, self.data_seed, self.steps):
            spin.valueChanged.connect(self._edited)
        for spin in (self.noise, self.split, self.l1, self.l2):
            spin.valueChanged.connect(self._edited)
        for box in self.features.values():
            box.toggled.connect(self._edited)
        for edit in (self.hidden, self.lr, self.batch, self.seeds, self.per_layer):
            edit.textChanged.connect(self._edited)
        for combo in (self.init, self.optimizer, self.device, self.vary):
            combo.currentIndexChanged.connect(self._edited)
        for spin in (self.points, self.noise, self.split, self.data_seed):
            spin.valueChanged.connect(lambda _v: self._preview_timer.start())
        state.selectionChanged.connect(self._edited)
        state.paramsChanged.connect(lambda _n: self._edited())
        state.catalogueChanged.connect(self.fill_tasks)
        state.catalogueChanged.connect(self.fill_architectures)
        self.arch.changed.connect(self._edited)
        self.estimate.button.clicked.connect(self.measure_time)
        self.fill_architectures()
        state.themeChanged.connect(self.apply_theme)
        self._task_changed()

    # -- tasks ------------------------------------------------------------------------

    def tasks(self) -> dict[str, Task]:
        return dict(self.state.catalogue.tasks)

    def fill_tasks(self) -> None:
        """List the catalogue's tasks (again: plugins load in the background and reload).

        While plugins load, "Import CSV…" is the only item; it is never taken for a
        choice. The task chosen before, else the one restored from the last launch, else
        moons is shown once the tasks arrive.
        """
        shown = self.task.currentData()
        current = None if shown == IMPORT_ITEM else shown
        wanted = current or self._wanted_task or self._last_task or "moons"
        self.task.blockSignals(True)
        self.task.clear()
        for name, task in self.tasks().items():
            self.task.addItem(f"{name} ({task.kind})", name)
        self.task.addItem("Import CSV…", IMPORT_ITEM)
        self._last_task = current
        index = self.task.findData(wanted)
        if index >= 0 and wanted == self._wanted_task:
            self._wanted_task = None  # restored
        if index < 0:
            index = self.task.findData("moons")
        self.task.setCurrentIndex(max(0, index))
        self.task.blockSignals(False)
        if self.task.currentData() != shown:  # the first tasks arrived (background loading)
            self._task_changed()

    def current_task(self) -> Task | None:
        return self.tasks().get(self.task.currentData())

    def import_csv_task(self, name: str | None) -> None:
        """Show ``name`` (a freshly imported task) or go back to the previous task."""
        if name is not None:
            self.state.reload()  # the imported file is listed as a task from now on
        index = self.task.findData(name or self._last_task or "moons")
        self.task.setCurrentIndex(max(0, index))

    def _task_changed(self) -> None:
        if self.task.currentData() == IMPORT_ITEM:
            if self.task.count() > 1:  # chosen; not merely the only item while plugins load
                self.import_csv_task(ask_and_import(self))
            return
        self._last_task = self.task.currentData()
        task = self.current_task()
        if task is not None:
            for w in (self.points, self.noise, self.split):
                w.blockSignals(True)
            self.points.setValue(task.default_points)
            self.noise.setValue(task.default_noise)
            self.split.setValue(task.test_fraction)
            for w in (self.points, self.noise, self.split):
                w.blockSignals(False)
            self.task_about.setText(task.description)
            self.noise.setToolTip(task.noise_help or "noise level")
            self._tips["noise"] = self.noise.toolTip()
        self._enable_features(task)
        self._edited()
        self.draw_preview()

    def _enable_features(self, task: Task | None) -> None:
        """Extra inputs are functions of (x1, x2): offered for 2-D tasks only, and the
        tooltip says why when they are not."""
        dim = getattr(task, "input_dim", None)
        usable = dim == 2
        self.features_box.setEnabled(usable)
        if usable:
            tip = "extra inputs the network sees besides x1 and x2 (the plots stay in x1, x2)"
        else:
            name = getattr(task, "name", "this task")
            tip = f"extra inputs need a 2-D task; {name} has {dim} input{'s' if dim != 1 else ''}"
        for fid, box in self.features.items():
            box.setToolTip(f"{FEATURES[fid][0]}: {tip}")
        self.features_box.setToolTip(tip)
        self._tips["features"] = tip

    def chosen_features(self) -> list[str]:
        """The checked extra inputs, when the task can use them."""
        if not self.features_box.isEnabled():
            return []
        return [fid for fid, box in self.features.items() if box.isChecked()]

    # -- reading and checking ---------------------------------------------------------

    def _edited(self, *_args: Any) -> None:
        self._config, self.problems = self._read()
        self.hidden.setEnabled(self.arch.arch() == "mlp" and "hidden" not in self._locks)
        self._show_problems()
        self._show_estimate()
        self._describe_activations()
        self.changed.emit()

    def config(self) -> RaceConfig | None:
        """The race the form describes, or ``None`` while a field has a problem."""
        return self._config

    def _read(self) -> tuple[RaceConfig | None, list[str]]:
        problems: list[str] = []
        state = self.state
        try:
            hidden = parse_widths(self.hidden.text())
        except ValueError as exc:
            problems.append(str(exc))
            hidden = (8,)
        try:
            lr = float(self.lr.text())
            if not math.isfinite(lr):
                raise ValueError
        except ValueError:
            problems.append(f"lr: {self.lr.text()!r} is not a number")
            lr = 0.01
        batch_text = self.batch.text().strip()
        batch: int | None = None
        if batch_text:
            try:
                batch = int(batch_text)
            except ValueError:
                problems.append(f"batch_size: {batch_text!r} is not a whole number")
        try:
            seeds = parse_seeds(self.seeds.text())
        except ValueError as exc:
            problems.append(str(exc))
            seeds = 1
        names = list(state.selected)
        per_layer = parse_layered(self.per_layer.text())
        for name in per_layer:
            found = layered.problems(name, state.usable(), len(hidden))
            if not layered.is_layered(name):
                found = [f"per_layer: give one activation per hidden layer, e.g. {name}>tanh"]
            problems += [f"per_layer:{p.partition(':')[2]}" for p in found]
            if not found:
                names.append(name)
        self._layered_names = [n for n in names if layered.is_layered(n)]
        params = {
            n: state.params_for(n) for n in layered.plugin_names(names) if state.params_for(n)
        }
        config = RaceConfig(
            task=self.task.currentData() or "",
            activations=names,
            params=params,
            seeds=seeds,
            steps=self.steps.value(),
            hidden=hidden,
            init=self.init.currentText(),
            optimizer=self.optimizer.currentData(),
            lr=lr,
            batch_size=batch,
            points=self.points.value(),
            noise=self.noise.value(),
            test_fraction=self.split.value(),
            data_seed=self.data_seed.value(),
            vary=self.vary.currentData(),
            device=self.device.currentText(),
            l1=self.l1.value(),
            l2=self.l2.value(),
            features=self.chosen_features(),
            arch=self.arch.arch(),
            arch_options=self.arch.options(),
        )
        fields_with_parse_problems = {p.split(":", 1)[0] for p in problems}
        for problem in config.validate(state.usable(), self.tasks()):
            if problem.split(":", 1)[0] not in fields_with_parse_problems:
                problems.append(problem)
        if not problems:
            problems += self._arch_problems(config)
        if not problems and config.device != "auto":
            from ...training.device import pick_device

            try:
                pick_device(config.device)
            except ValueError as exc:
                problems.append(f"device: {exc}")
        return (None if problems else config), problems

    # -- architecture -----------------------------------------------------------------

    def fill_architectures(self) -> None:
        """List the loaded architectures (again after a reload)."""
        self.arch.set_architectures(getattr(self.state.catalogue, "architectures", {}) or {})

    def _arch_problems(self, config: RaceConfig) -> list[str]:
        """What the race's own check says of this architecture with this task and these
        activations (a 2-D CNN on a table, sizes out of range, not enough memory), one line
        each, keyed by field like every other problem."""
        from ...architectures.race import check

        task = self.current_task()
        return check(config, self.arch.architecture(), task, self.state.usable())

    def _show_estimate(self) -> None:
        """Memory of the race now (cheap); the time line waits for Estimate."""
        from ...architectures.estimate import memory_estimate

        self.estimate.invalidate()
        self.estimate.button.setEnabled(self._config is not None)
        found = None
        if self._config is not None:
            try:
                from ...training.device import pick_device

                device = pick_device(self._config.device)
                found = memory_estimate(
                    self._config,
                    self.arch.architecture(),
                    self.current_task(),
                    self.state.usable(),
                    device,
                )
            except Exception:  # noqa: BLE001 - an estimate must never stop editing
                found = None
        if found is None:
            self.estimate.show_memory("memory: shown once the race can start", True, "")
        else:
            self.estimate.show_memory(found.text(), found.fits, self.state.theme.error)

    def measure_time(self) -> None:
        """Probe the race the form describes for a few steps, in a worker thread."""
        from ...architectures.estimate import probe_time

        config, task = self._config, self.current_task()
        if config is None or task is None:
            return
        architecture = self.arch.architecture()
        activations = dict(self.state.usable())

        def work(should_stop: Any) -> str:
            found = probe_time(config, activations, task, architecture, should_stop)
            return "time: probe stopped" if found is None else found.text()

        self.estimate.start(work)

    def _show_problems(self) -> None:
        by_field: dict[str, list[str]] = {}
        for problem in self.problems:
            name, _, reason = problem.partition(":")
            by_field.setdefault(name.strip(), []).append(reason.strip())
        colour = self.state.theme.error
        for name, widget in self.fields.items():
            reasons = by_field.get(name, [])
            if name == "activations":
                reasons = reasons + by_field.get("params", [])
            elif name == "params":
                continue
            if reasons:
                widget.setStyleSheet(f"border: 2px solid {colour};")
                widget.setToolTip("\n".join(reasons))
            else:
                widget.setStyleSheet("")
                widget.setToolTip(self._tips.get(name, ""))
        if self.problems:
            self.problem_label.setText(
                f"<span style='color:{colour}'>Cannot train yet:<br>"
                + "<br>".join(_escape(p) for p in self.problems)
                + "</span>"
            )
        else:
            self.problem_label.setText("")

    def set_locked(self, name: str, reason: str | None) -> None:
        """Disable field ``name`` and say ``reason`` in its tooltip; ``None`` unlocks it."""
        before = self._locks.pop(name, None)  # the tooltip it had before the lock
        if before is not None:
            self._tips[name] = before
        if reason:
            self._locks[name] = self._tips.get(name, "")
            self._tips[name] = f"{reason}\n\n{self._locks[name]}".strip()
        self.fields[name].setEnabled(not reason)
        self._show_problems()

    def field_problem(self, name: str) -> str:
        """The reasons shown at field ``name`` (empty when it is fine)."""
        return "; ".join(
            p.partition(":")[2].strip() for p in self.problems if p.startswith(name + ":")
        )

    def _describe_activations(self) -> None:
        state = self.state
        if not state.selected and not self._layered_names:
            self.activations.setText("<i>none: check activations in the list on the left</i>")
            return
        parts = []
        for name in state.selected:
            values = state.params_for(name)
            shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
            colour = state.colour(name)
            label = f"<span style='color:{colour}'>■</span> {name}"
            parts.append(f"{label} <small>({shown})</small>" if shown else label)
        for name in self._layered_names:
            colour = state.colour(name)
            parts.append(
                f"<span style='color:{colour}'>■</span> {_escape(name)} "
                f"<small>({_escape(layered.describe(name))})</small>"
            )
        self.activations.setText("<br>".join(parts))

    # -- preview ----------------------------------------------------------------------

    def draw_preview(self) -> None:
        """Draw the data the race will see (scatter, curve or image)."""
        plot = self.preview.getPlotItem()
        plot.clear()
        task = self.current_task()
        if task is None:
            return
        try:
            data = task.generate(
                self.points.value() or None,
                self.noise.value(),
                self.data_seed.value(),
                self.split.value() if 0 < self.split.value() < 1 else None,
            )
        except Exception as exc:  # noqa: BLE001 - a task plugin may raise anything
            plot.setTitle(f"no preview: {type(exc).__name__}")
            return
        plot.setTitle(None)
        x = np.concatenate([data.x_train.numpy(), data.x_test.numpy()])
        y = np.concatenate([data.y_train.numpy(), data.y_test.numpy()])
        draw_data(plot, task, x, y, data.domain, size=4, image_ok=True)

    def apply_theme(self) -> None:
        restyle(self.preview, self.state.theme)
        self._show_problems()

    # -- remembered settings ----------------------------------------------------------

    def save(self, settings: QSettings, key: str) -> None:
        write_json(
            settings,
            key,
            {
                "task": self.task.currentData(),
                "hidden": self.hidden.text(),
                "init": self.init.currentText(),
                "optimizer": self.optimizer.currentData(),
                "lr": self.lr.text(),
                "steps": self.steps.value(),
                "batch": self.batch.text(),
                "seeds": self.seeds.text(),
                "vary": self.vary.currentData(),
                "l1": self.l1.value(),
                "l2": self.l2.value(),
                "features": [fid for fid, box in self.features.items() if box.isChecked()],
                "per_layer": self.per_layer.text(),
                "arch": self.arch.arch(),
                "arch_options": self.arch.options(),
            },
        )

    def restore(self, settings: QSettings, key: str) -> None:
        saved = read_json(settings, key, {})
        if not isinstance(saved, dict):
            return
        index = self.task.findData(saved.get("task"))
        if index >= 0:
            self.task.setCurrentIndex(index)
        elif isinstance(saved.get("task"), str):
            self._wanted_task = saved["task"]  # plugins still loading: chosen when it arrives
        for edit, name in ((self.hidden, "hidden"), (self.lr, "lr"), (self.batch, "batch")):
            if isinstance(saved.get(name), str):
                edit.setText(saved[name])
        if isinstance(saved.get("seeds"), str):
            self.seeds.setText(saved["seeds"])
        if saved.get("init") in INITS:
            self.init.setCurrentText(saved["init"])
        index = self.optimizer.findData(saved.get("optimizer"))
        if index >= 0:
            self.optimizer.setCurrentIndex(index)
        index = self.vary.findData(saved.get("vary"))
        if index >= 0:
            self.vary.setCurrentIndex(index)
        if isinstance(saved.get("steps"), int):
            self.steps.setValue(saved["steps"])
        for spin, name in ((self.l1, "l1"), (self.l2, "l2")):
            if isinstance(saved.get(name), (int, float)):
                spin.setValue(float(saved[name]))
        chosen = saved.get("features")
        if isinstance(chosen, list):
            for fid, box in self.features.items():
                box.setChecked(fid in chosen)
        if isinstance(saved.get("per_layer"), str):
            self.per_layer.setText(saved["per_layer"])
        if isinstance(saved.get("arch"), str) and self.arch.set_arch(saved["arch"]) is None:
            if isinstance(saved.get("arch_options"), dict):
                self.arch.set_options(saved["arch_options"])


def _penalty_box(tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, 10.0)
    box.setDecimals(5)
    box.setSingleStep(0.0001)
    box.setToolTip(tip)
    return box


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def outline_for(colour: str) -> str:
    """The outline that shows a point on a region of its own colour: near-black around a
    light colour, white around a dark one."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#1a1a1a" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "#ffffff"


def draw_data(
    plot: pg.PlotItem,
    task: Any,
    x: np.ndarray,
    y: np.ndarray,
    domain: tuple[tuple[float, float], ...],
    *,
    size: float = 5,
    image_ok: bool = False,
    lock_aspect: bool = True,
) -> list[Any]:
    """Draw a task's points on ``plot``: coloured classes (2-D classification), an image
    (a 2-D signal on a pixel grid, when ``image_ok``), or y against x (1-D). Returns the
    items added."""
    items: list[Any] = []
    input_dim = int(getattr(task, "input_dim", x.shape[1] if x.ndim > 1 else 1))
    loss = getattr(task, "loss", "bce")
    shape = (getattr(task, "extras", {}) or {}).get("grid_shape")
    if input_dim == 2 and loss == "mse" and shape is not None and image_ok:
        image = _pixels(x, y, tuple(shape))
        item = pg.ImageItem(image.T, levels=(0.0, 1.0))
        (x0, x1), (y0, y1) = domain
        item.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        plot.addItem(item)
        plot.setAspectLocked(lock_aspect)
        items.append(item)
    elif input_dim == 2 and loss != "mse":
        labels = y.reshape(-1).astype(int)
        colours = [CLASS_COLOURS[c % len(CLASS_COLOURS)] for c in labels]
        brushes = [pg.mkBrush(c) for c in colours]
        outlines = {c: mkpen(outline_for(c), width=1.0) for c in set(colours)}
        item = pg.ScatterPlotItem(
            x[:, 0], x[:, 1], size=size, brush=brushes, pen=[outlines[c] for c in colours]
        )
        item.setZValue(20)
        plot.addItem(item)
        plot.setAspectLocked(lock_aspect)
        items.append(item)
    elif input_dim == 2:
        values = y.reshape(len(y), -1)[:, 0]
        lut = pg.colormap.get("viridis").map(np.clip(values, 0, 1), mode="qcolor")
        item = pg.ScatterPlotItem(x[:, 0], x[:, 1], size=size, brush=lut, pen=None)
        plot.addItem(item)
        items.append(item)
    else:
        order = np.argsort(x[:, 0])
        values = y.reshape(len(y), -1)[:, 0]
        item = pg.ScatterPlotItem(
            x[order, 0], values[order], size=size, brush=pg.mkBrush("#8a8f98"), pen=None
        )
        item.setZValue(5)
        plot.addItem(item)
        plot.setAspectLocked(False)
        items.append(item)
    if domain:
        plot.setXRange(*domain[0], padding=0.02)
        if len(domain) > 1:
            plot.setYRange(*domain[1], padding=0.02)
        else:
            plot.enableAutoRange(axis="y")
    return items


def _pixels(x: np.ndarray, y: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Put pixel samples (coordinates in [-1, 1]^2, row 0 at y = +1) back on their grid;
    pixels not sampled are NaN."""
    rows, cols = shape
    image = np.full(shape, np.nan)
    c = np.clip(np.round((x[:, 0] + 1) / 2 * (cols - 1)).astype(int), 0, cols - 1)
    r = np.clip(np.round((1 - x[:, 1]) / 2 * (rows - 1)).astype(int), 0, rows - 1)
    image[r, c] = y.reshape(len(y), -1)[:, 0]
    return image[::-1]  # row 0 at the bottom, as the plot's y axis

"""The Playground's left column: the race form (scrolling on its own), the buttons that
start, pause, step and stop a race, and the progress, speed and status lines. It shows
what it is told and emits what the user asks; the panel runs the race."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..fitted_scroll import FittedScroll
from ..state import AppState
from .playground_form import PlaygroundForm

#: Speed is the steps done over this many seconds of training, not since the start.
RATE_WINDOW_S = 2.0


class RaceControls(QWidget):
    """See the module docstring."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = PlaygroundForm(state)
        # scrolls up and down only: the splitter gives it the form's minimum width
        self.scroll_area = scroll = FittedScroll(self.form, floor=230)
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("race every checked activation on this task")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("pause the race; press again to resume (Ctrl+P)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("end the race after the current step; it is stored as stopped")
        self.same_button = QPushButton("Same start again…")
        self.same_button.setToolTip(
            "re-run the last stored race from its exact initial weights and data with "
            "another learning rate, number of steps or optimiser (Ctrl+Shift+A)"
        )
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("idle")
        self.rate_label = QLabel(" ")
        self.rate_label.setWordWrap(True)
        self.status = QLabel(" ")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.train_button, self.pause_button, self.stop_button):
            button.setMinimumWidth(56)  # below the text's width: the row may shrink
        buttons.addWidget(self.train_button, 2)
        buttons.addWidget(self.pause_button, 1)
        buttons.addWidget(self.stop_button, 1)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip(
            "train one step and pause there, every view redrawn (F10); "
            "on an idle Playground, start the race and pause after its first step"
        )
        self.step_n_button = QPushButton("Step N")
        self.step_n_button.setToolTip("train N steps and pause there (Shift+F10)")
        self.step_n = QSpinBox()
        self.step_n.setRange(1, 1_000_000)
        self.step_n.setValue(10)
        self.step_n.setPrefix("N = ")
        self.step_n.setToolTip("how many steps 'Step N' trains before pausing")
        step_row = QHBoxLayout()
        for button in (self.step_button, self.step_n_button):
            button.setMinimumWidth(56)
            step_row.addWidget(button, 1)
        step_row.addWidget(self.step_n, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        again = QHBoxLayout()
        again.addWidget(self.same_button, 3)
        again.addWidget(self.form.estimate.button, 1)  # the form's time probe
        layout.addLayout(again)
        layout.addLayout(step_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.rate_label)
        layout.addWidget(self.status)
        self._rate_samples: list[tuple[float, int]] = []

    def set_enabled(self, *, running: bool, paused: bool, can_train: bool, can_same: bool) -> None:
        """Enable what makes sense now (``can_train``: the form describes a race)."""
        self.train_button.setEnabled(not running and can_train)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.same_button.setEnabled(not running and can_same)
        can_step = running or can_train
        self.step_button.setEnabled(can_step)
        self.step_n_button.setEnabled(can_step)
        self.pause_button.setText("Resume" if running and paused else "Pause")
        self.form.setEnabled(not running)

    def starting(self, text: str) -> None:
        """A new race: no progress, no speed (the last race's is not this one's)."""
        self._rate_samples = []
        self.progress.setValue(0)
        self.progress.setFormat("starting…")
        self.rate_label.setText(" ")
        self.status.setText(text)

    def show_progress(self, step: int, steps: int, seconds: float, paused: bool) -> None:
        """Step ``step`` of ``steps`` after ``seconds`` of training, and the speed."""
        steps = max(1, steps)
        self.progress.setValue(round(1000 * step / steps))
        if not paused:
            self.progress.setFormat(f"step {step} / {steps}")
        self._rate_samples.append((seconds, step))
        self._rate_samples = [s for s in self._rate_samples if seconds - s[0] <= RATE_WINDOW_S]
        t0, s0 = self._rate_samples[0]
        if seconds - t0 > 0.05 and step > s0:
            rate = (step - s0) / (seconds - t0)
            left = (steps - step) / rate
            self.rate_label.setText(f"{rate:,.0f} steps/s · {left:.1f} s left")

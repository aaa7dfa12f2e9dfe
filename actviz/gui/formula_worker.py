"""Compile a typed formula off the GUI thread, keeping only the newest request's answer.

The work itself (sympy) runs in the formula sandbox's child process with a hard time
limit; a pool thread waits for it so the event loop never does. Each request carries a
generation number: a request that is already stale when its turn comes is skipped, and
an answer for an older generation is dropped by :class:`FormulaCompiler`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..api import Param
from ..formula import Formula, FormulaError, activation_from, compile_bounded, shared_sandbox
from ..host.validation import ValidationReport, validate_activation
from .formula import DIALOG_DPI, formula_lines, prerender


@dataclass(frozen=True)
class CompileOutcome:
    """What one request produced: a formula and its validation, or the error."""

    generation: int
    text: str
    formula: Formula | None
    report: ValidationReport | None
    error: FormulaError | None


class FormulaCompiler(QObject):
    """Runs requests on pool threads (the sandbox takes them one at a time); emits
    ``finished`` for the newest only."""

    finished = Signal(object)  # CompileOutcome
    busyChanged = Signal(bool)  # noqa: N815 - Qt signal naming

    def __init__(self, budget_s: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.budget_s = budget_s
        self.generation = 0
        self.busy = False
        # The application's pool, not one owned by the dialog: deleting a private pool
        # waits for its jobs, and closing the dialog must never wait for sympy.
        self._pool = QThreadPool.globalInstance()
        self._relay = _Relay()  # parentless: outlives this object while a job still runs
        self._relay.done.connect(self._deliver)

    def warm_up(self) -> None:
        """Start the sandbox child now, off the GUI thread, so the first answer is quick."""
        self._pool.start(_Job(self._relay, -1, lambda: -1, "", (), "", 0.0, warm=True))

    def request(
        self, text: str, params: Sequence[Param], name: str, colour: str | None = None
    ) -> int:
        """Queue a compile of ``text``; older requests become stale. Returns its generation.

        With ``colour`` the job also draws the formula's LaTeX in that colour, off the GUI
        thread (mathtext takes seconds for a long formula)."""
        self.generation += 1
        self._set_busy(True)
        job = _Job(
            self._relay,
            self.generation,
            self._latest,
            text,
            tuple(params),
            name,
            self.budget_s,
            colour=colour,
        )
        self._pool.start(job)
        return self.generation

    def invalidate(self) -> None:
        """Drop every pending answer (the dialog settled the input itself)."""
        self.generation += 1
        self._set_busy(False)

    def _latest(self) -> int:
        return self.generation

    def _deliver(self, outcome: CompileOutcome) -> None:
        if outcome.generation != self.generation:
            return  # stale: the user typed again since
        self._set_busy(False)
        self.finished.emit(outcome)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)


def unused_params(formula: Formula) -> None:
    """Refuse a declared parameter the formula never uses (a leftover row, or a typo).

    A learnable one would get no gradient and fail validation with a torch error.
    """
    for p in formula.params:
        if p.name not in formula.symbols:
            raise FormulaError(
                f"parameter {p.name!r} is declared but the formula does not use it: "
                "use it or remove its row",
                param=p.name,
            )


class _Relay(QObject):
    done = Signal(object)


class _Job(QRunnable):
    def __init__(
        self,
        relay: _Relay,
        generation: int,
        latest,
        text: str,
        params: tuple[Param, ...],
        name: str,
        budget_s: float,
        *,
        warm: bool = False,
        colour: str | None = None,
    ) -> None:
        super().__init__()
        self.colour = colour
        self.relay, self.generation, self.latest = relay, generation, latest
        self.text, self.params, self.name, self.budget_s = text, params, name, budget_s
        self.warm = warm

    def run(self) -> None:
        if self.warm:
            try:
                shared_sandbox().start()
            except FormulaError:
                pass  # the first real request reports it
            return
        if self.generation != self.latest():
            return  # typed again before this one started: skip it
        formula = report = error = None
        try:
            formula = compile_bounded(self.text, self.params, budget_s=self.budget_s)
            if self.colour is not None and self.generation == self.latest():
                for _which, line in formula_lines(formula.latex, formula.derivative_latex):
                    prerender(line, self.colour, DIALOG_DPI)  # the dialog draws it even
            unused_params(formula)  # when a problem follows
            report = validate_activation(activation_from(self.name, formula))
        except FormulaError as exc:
            error = exc
        except Exception as exc:  # never lose an answer: the dialog shows it as an error
            error = FormulaError(f"cannot compile this formula: {exc}")
        outcome = CompileOutcome(self.generation, self.text, formula, report, error)
        try:
            self.relay.done.emit(outcome)
        except RuntimeError:
            pass  # the dialog is gone

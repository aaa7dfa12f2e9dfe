"""Compile formulas in a child process that can be stopped after a hard time limit.

sympy offers no way to interrupt ``Max``, ``diff`` or ``simplify`` once they start,
and some short formulas keep them busy for minutes. So parsing, differentiation,
tidying and code generation run in one long-lived spawned child; the caller waits at
most ``limit_s`` for each answer and kills the child when it runs over (the next
request starts a fresh one). The child's start-up (importing torch and sympy) is not
counted against the limit.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from ..api import Param
from .budget import check_size
from .build import Formula, FormulaParts, check_params, formula_from_parts
from .errors import FormulaError

#: Seconds a formula may take to compile, unless ``ACTVIZ_FORMULA_LIMIT_S`` says otherwise.
DEFAULT_LIMIT_S = 3.0
LIMIT_ENV = "ACTVIZ_FORMULA_LIMIT_S"
#: Seconds the child may take to start (imports), separate from the per-formula limit.
START_LIMIT_S = 120.0


def time_limit() -> float:
    """The per-formula limit in seconds: ``ACTVIZ_FORMULA_LIMIT_S`` or :data:`DEFAULT_LIMIT_S`."""
    try:
        value = float(os.environ.get(LIMIT_ENV, DEFAULT_LIMIT_S))
    except ValueError:
        return DEFAULT_LIMIT_S
    return value if value > 0 else DEFAULT_LIMIT_S


class FormulaSandbox:
    """One child process that compiles formulas, one request at a time (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None

    def start(self) -> None:
        """Start the child now (it takes a few seconds), so the first formula is quick."""
        with self._lock:
            self._ensure_started()

    def parts(
        self,
        text: str,
        params: Sequence[Param] = (),
        *,
        budget_s: float = 0.5,
        limit_s: float | None = None,
    ) -> FormulaParts:
        """:func:`~actviz.formula.build.formula_parts` in the child, or ``FormulaError``."""
        params = check_params(params)
        check_size(text)
        limit = time_limit() if limit_s is None else limit_s
        with self._lock:
            conn = self._ensure_started()
            try:
                conn.send((text, params, budget_s))
                ready = conn.poll(limit)
            except (OSError, EOFError, BrokenPipeError):
                self._stop()
                raise FormulaError("the formula compiler stopped unexpectedly; try again") from None
            if not ready:
                self._stop()
                raise FormulaError(
                    f"too complex: compiling took longer than {limit:g} s and was stopped",
                    0,
                    len(text),
                )
            try:
                kind, payload = conn.recv()
            except (OSError, EOFError):
                code = self._stop()
                raise FormulaError(
                    f"the formula compiler stopped unexpectedly (exit code {code})"
                ) from None
        if kind == "ok":
            return payload
        message, start, end, param = payload
        raise FormulaError(message, start, end, param=param)

    def close(self) -> None:
        """Stop the child (idempotent)."""
        with self._lock:
            self._stop()

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def _ensure_started(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=serve, args=(child,), name="actviz-formula", daemon=True)
        process.start()
        child.close()
        self._process, self._conn = process, parent
        if not parent.poll(START_LIMIT_S):
            self._stop()
            raise FormulaError(f"the formula compiler did not start within {START_LIMIT_S:g} s")
        parent.recv()  # "ready"
        return parent

    def _stop(self) -> int | None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(5)
        return process.exitcode


def serve(conn: Connection) -> None:
    """The child's loop: compile each ``(text, params, budget_s)`` and send the outcome."""
    import torch

    from .build import formula_parts

    torch.set_num_threads(1)
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        text, params, budget_s = request
        try:
            reply: tuple[str, Any] = ("ok", formula_parts(text, params, budget_s=budget_s))
        except FormulaError as exc:
            reply = ("error", (exc.message, exc.start, exc.end, exc.param))
        except Exception as exc:  # a sympy failure is reported as the formula's problem
            reply = ("error", (f"cannot compile this formula: {exc}", None, None, None))
        conn.send(reply)


_shared: FormulaSandbox | None = None
_shared_lock = threading.Lock()


def shared_sandbox() -> FormulaSandbox:
    """The process-wide sandbox (stopped at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FormulaSandbox()
            atexit.register(_shared.close)
        return _shared


def compile_bounded(
    text: str,
    params: Sequence[Param] = (),
    *,
    budget_s: float = 0.5,
    limit_s: float | None = None,
) -> Formula:
    """Like :func:`~actviz.formula.compile_formula`, but sympy runs in the stoppable child."""
    return formula_from_parts(
        shared_sandbox().parts(text, params, budget_s=budget_s, limit_s=limit_s)
    )

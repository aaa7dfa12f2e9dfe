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
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
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
    """One child process that compiles formulas, one request at a time (thread-safe).

    The child is ``python -m actviz.formula.sandbox`` talking pickled frames over its
    stdin/stdout, so it never re-runs the caller's main script (as multiprocessing's
    spawn would) and works from a script, a notebook or ``python -c``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[Any] = queue.Queue()

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
            process = self._ensure_started()
            try:
                write_frame(process.stdin, (text, params, budget_s))
                reply = self._replies.get(timeout=limit)
            except queue.Empty:
                self._stop()
                raise FormulaError(
                    f"too complex: compiling took longer than {limit:g} s and was stopped"
                ) from None
            except OSError:
                reply = _EOF
            if reply is _EOF:
                code = self._stop()
                raise FormulaError(
                    f"the formula compiler stopped unexpectedly (exit code {code}); try again"
                )
        kind, payload = reply
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

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        process = subprocess.Popen(
            [sys.executable, "-m", "actviz.formula.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        replies: queue.Queue[Any] = queue.Queue()
        threading.Thread(target=_read_replies, args=(process.stdout, replies), daemon=True).start()
        self._process, self._replies = process, replies
        try:
            ready = replies.get(timeout=START_LIMIT_S)
        except queue.Empty:
            ready = None
        if ready != "ready":
            code = self._stop()
            raise FormulaError(f"the formula compiler did not start (exit code {code})")
        return process

    def _stop(self) -> int | None:
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.kill()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        return process.wait(5)


_EOF = object()


def write_frame(stream: Any, obj: Any) -> None:
    """One pickled object, preceded by its length."""
    data = pickle.dumps(obj)
    stream.write(struct.pack(">Q", len(data)) + data)
    stream.flush()


def read_frame(stream: Any) -> Any:
    """The next object :func:`write_frame` wrote, or :data:`_EOF` at the end of the stream."""
    head = stream.read(8)
    if len(head) < 8:
        return _EOF
    (size,) = struct.unpack(">Q", head)
    data = stream.read(size)
    if len(data) < size:
        return _EOF
    return pickle.loads(data)  # noqa: S301 - frames come from our own child process


def _read_replies(stream: Any, replies: queue.Queue[Any]) -> None:
    while True:
        try:
            reply = read_frame(stream)
        except (OSError, ValueError, pickle.UnpicklingError):
            reply = _EOF
        replies.put(reply)
        if reply is _EOF:
            return


def serve() -> None:
    """The child's loop: compile each ``(text, params, budget_s)`` and send the outcome."""
    requests, replies = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by sympy or torch must not corrupt the replies
    import torch

    from .build import formula_parts

    torch.set_num_threads(1)
    write_frame(replies, "ready")
    while True:
        request = read_frame(requests)
        if request is _EOF:
            return
        text, params, budget_s = request
        try:
            reply: tuple[str, Any] = ("ok", formula_parts(text, params, budget_s=budget_s))
        except FormulaError as exc:
            reply = ("error", (exc.message, exc.start, exc.end, exc.param))
        except Exception as exc:  # a sympy failure is reported as the formula's problem
            reply = ("error", (f"cannot compile this formula: {exc}", None, None, None))
        write_frame(replies, reply)


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


if __name__ == "__main__":
    serve()

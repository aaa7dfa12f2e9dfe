"""The check process: imports plugins and validates them where a crash cannot hurt the app.

Run as ``python -m actviz.host.check_worker``. It reads one JSON job per line on stdin
(a plugin's :attr:`~actviz.host.sources.Candidate.spec` and its time limits) and answers
on its original stdout, one JSON message per line: ``{"ready": true}`` once, then per job
``{"progress": STAGE}`` as it enters each stage and ``{"result": VERDICT}`` at the end.
Plugin output (``print``) goes to stderr, never into the answers.

Each job runs in a fork of this process (torch already imported, so starting one costs
milliseconds), which answers for itself; this process then reports how the fork ended:
``{"pid": PID}`` and ``{"exit": CODE}`` (negative: killed by that signal). Each stage
(import, each hook call, each activation's validation) has its own time limit, kept by
SIGALRM in the fork: on expiry it says where it was and exits. The app keeps a slightly
later deadline of its own and kills the fork (by its pid) when that passes too.
"""

from __future__ import annotations

import faulthandler
import functools
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

HOOKS = ("actviz_activations", "actviz_tasks", "actviz_lessons", "actviz_architectures")
MARKER = "actviz_impl"
#: Files of the check machinery itself: a hang is reported at the innermost frame outside them.
_OWN = (str(Path(__file__).resolve().parents[1]), os.path.dirname(os.__file__))


class _Job:
    """The job in progress, for the alarm handler's message."""

    id: int = 0
    call: str = ""  # e.g. "in fn of 'slow' at x in [-1e4, 1e4] (2009 values)"
    stage: str = ""
    timeout: float = 5.0
    memory_mb: int = 0
    plugin_file: str | None = None


_answers: TextIO
_job = _Job()


def _send(message: dict[str, Any]) -> None:
    _answers.write(json.dumps(message) + "\n")
    _answers.flush()


def _stage(stage: str) -> None:
    """Enter a stage: tell the app and restart the time limit."""
    _job.stage = stage
    _job.call = ""
    _send({"job": _job.id, "progress": stage})
    signal.setitimer(signal.ITIMER_REAL, _job.timeout)


def _where(frame: FrameType | None) -> str:
    """The innermost plugin line of the stack, as ``(file.py line N)``."""
    fallback = ""
    for summary in reversed(traceback.extract_stack(frame)):
        if _job.plugin_file and summary.filename == _job.plugin_file:
            return f" ({Path(summary.filename).name} line {summary.lineno})"
        if not fallback and not summary.filename.startswith(_OWN):
            fallback = f" ({summary.filename} line {summary.lineno})"
    return fallback


_STAGE_TEXT = {
    "import": "while importing",
    "hook": "in {}()",
    "validate": "during validation of {!r}",
}


def stage_text(stage: str) -> str:
    """``"validate relu"`` -> ``"in validation of 'relu'"``; shared with the app side."""
    kind, _, arg = stage.partition(" ")
    template = _STAGE_TEXT.get(kind)
    return template.format(arg) if template else f"while {stage}"


def _on_alarm(_signum: int, frame: FrameType | None) -> None:
    what = _job.call or stage_text(_job.stage)
    _send({"job": _job.id, "timeout": f"{what}{_where(frame)}"})
    os._exit(124)


def _describe_x(x: Any) -> str:
    try:
        import torch

        if isinstance(x, torch.Tensor):
            if x.numel() == 1:
                return f"x={float(x):.6g}"
            if x.numel() == 0:
                return f"an empty x of shape {tuple(x.shape)}"
            lo, hi = float(x.min()), float(x.max())
            return f"x in [{lo:.6g}, {hi:.6g}] ({x.numel()} values, {str(x.dtype)[6:]})"
    except Exception:  # noqa: BLE001 - describing must never fail
        pass
    return f"x of type {type(x).__name__}"


def _watched_call(label: str, fn: Callable[..., Any], warnings: list[str]) -> Callable[..., Any]:
    """``fn`` that notes the call for the alarm message and guards torch's global state."""
    from .guard import guarded

    @functools.wraps(fn)
    def call(x: Any, *args: Any, **kwargs: Any) -> Any:
        previous = _job.call
        _job.call = f"in {label} at {_describe_x(x)}"
        try:
            with guarded(label, warnings):
                return fn(x, *args, **kwargs)
        finally:
            _job.call = previous

    return call


def _error(stage: str, message: str, exc: BaseException | None = None, **extra: Any) -> dict:
    return {
        "stage": stage,
        "message": message,
        "exception": type(exc).__name__ if exc else None,
        "traceback": "".join(traceback.format_exception(exc)) if exc else None,
        **extra,
    }


def _exit_message(exc: BaseException, where: str) -> str:
    if isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return f"exited with code {code} {where} (SystemExit from sys.exit)"
    if isinstance(exc, MemoryError):
        return f"ran out of memory {where} (the check allows {_job.memory_mb} MiB)"
    return f"raised {type(exc).__name__}: {exc} {where}"


def _validate(act: Any, warnings: list[str]) -> dict[str, Any]:
    from .guard import guarded
    from .validation import validate_activation
    from .verdicts import report_to_dict

    name = act.name
    _stage(f"validate {name}")
    for attr in ("fn", "derivative", "train_fn"):
        fn = getattr(act, attr, None)
        if callable(fn):
            setattr(act, attr, _watched_call(f"{attr} of {name!r}", fn, warnings))
    try:
        with guarded(f"validating {name!r}", warnings):
            report = validate_activation(act)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit from fn included
        where = _job.call or f"during validation of {name!r}"
        if isinstance(exc, Exception):
            message = f"{type(exc).__name__}: {exc}"
        else:
            message = _exit_message(exc, where)
        return {"report": None, "error": _error("validate", message, exc)}
    error = None
    if not report.ok:
        error = _error("validate", report.error or "")
        error.update(exception=report.exception, traceback=report.traceback)
    return {"report": report_to_dict(report), "error": error}


def check_plugin(spec: dict[str, Any]) -> dict[str, Any]:
    """Import one plugin, call its hooks and validate each activation; a Verdict dict."""
    from ..api import Activation
    from .guard import guarded
    from .hook_results import activation_problem, call_hook
    from .sources import load_spec

    warnings: list[str] = []
    _job.plugin_file = str(Path(spec["path"]).resolve()) if spec["kind"] == "file" else None
    _stage("import")
    try:
        with guarded("importing it", warnings):
            module = load_spec(spec)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, Exception) and not isinstance(exc, MemoryError):
            message = f"import failed: {type(exc).__name__}: {exc}"
        else:
            message = _exit_message(exc, "while importing")
        return {"failure": _error("import", message, exc), "warnings": warnings}
    if _job.plugin_file is None:
        _job.plugin_file = getattr(
            sys.modules.get(getattr(module, "__name__", "")), "__file__", None
        )
    activations: dict[str, Any] = {}
    for hook in HOOKS:
        function = getattr(module, hook, None)
        if function is None or getattr(function, MARKER, None) is None:
            continue
        _stage(f"hook {hook}")
        with guarded(f"{hook}()", warnings):
            outcome = call_hook(hook, function)
        if hook != "actviz_activations":
            continue
        for item in outcome.items:
            if isinstance(item, Activation) and activation_problem(item) is None:
                activations[item.name] = _validate(item, warnings)
    signal.setitimer(signal.ITIMER_REAL, 0)
    return {"activations": activations, "warnings": warnings}


def _limit_memory(megabytes: int) -> None:
    """Cap the address space at what is mapped now plus ``megabytes`` (Linux)."""
    if megabytes <= 0:
        return
    try:
        import resource

        with open("/proc/self/status") as status:
            size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
        limit = size_kb * 1024 + megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, ValueError, StopIteration):
        pass


def _run_job(job: dict[str, Any]) -> None:
    """In the forked child: limits, the check, the answer; never returns."""
    code = 0
    try:
        signal.signal(signal.SIGALRM, _on_alarm)
        _limit_memory(_job.memory_mb)
        try:
            result = check_plugin(job["spec"])
        except BaseException as exc:  # noqa: BLE001 - the machinery itself failed
            result = {"failure": _error("import", f"the check failed: {exc!r}", exc)}
        signal.setitimer(signal.ITIMER_REAL, 0)
        _send({"job": _job.id, "result": result})
    except BaseException:  # noqa: BLE001
        code = 70
    finally:
        os._exit(code)


def main() -> int:
    """Serve jobs: each runs in a fork of this process, so a plugin never outlives its job."""
    global _answers
    _answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # print() in a plugin lands on stderr, not in the answers
    faulthandler.enable()
    import torch  # noqa: F401 - loaded once here; every job's fork starts with it

    torch.set_num_threads(1)
    import actviz.host.hook_results  # noqa: F401
    import actviz.host.validation  # noqa: F401
    import actviz.host.verdicts  # noqa: F401

    _job.memory_mb = int(os.environ.get("ACTVIZ_PLUGIN_MEMORY_MB", "0") or 0)
    _send({"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        job = json.loads(line)
        _job.id, _job.timeout = job["id"], float(job["timeout"])
        pid = os.fork()
        if pid == 0:
            _run_job(job)
        _send({"job": _job.id, "pid": pid})
        _, status = os.waitpid(pid, 0)
        _send({"job": _job.id, "exit": os.waitstatus_to_exitcode(status)})
    return 0


if __name__ == "__main__":
    sys.exit(main())

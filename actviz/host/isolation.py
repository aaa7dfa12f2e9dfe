"""The app's side of the isolated check: check processes, deadlines and what went wrong.

Plugins are handed to up to ``workers`` check processes (:mod:`.check_worker`), one job
at a time each; each job runs in a fork of its check process. A job that hangs past a
stage's deadline is killed; one that exits or is killed by a signal says so; either way
that plugin gets a one-line reason and the next plugin starts clean. Idle check
processes are kept for the next load (a reload in the app, the next test) and ended
when the app exits.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from .check_worker import stage_text
from .verdicts import Verdict

DEFAULT_TIMEOUT = 5.0
DEFAULT_MEMORY_MB = 2048
#: Starting a check process imports torch; on a loaded 2-core machine that can take a while.
START_TIMEOUT = 120.0
#: The app's deadline is this much later than the check process's own alarm.
GRACE = 1.5


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class CheckSettings:
    """Time limits (seconds per import, per hook call, per activation's validation),
    the memory a check process may add (MiB), and how many check at once."""

    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    workers: int = 2

    @classmethod
    def from_env(cls, timeout: float | None = None) -> CheckSettings:
        """``ACTVIZ_PLUGIN_TIMEOUT``, ``ACTVIZ_PLUGIN_MEMORY_MB``, ``ACTVIZ_PLUGIN_WORKERS``."""
        cpus = os.cpu_count() or 1
        return cls(
            timeout=timeout or _env_float("ACTVIZ_PLUGIN_TIMEOUT", DEFAULT_TIMEOUT),
            memory_mb=int(_env_float("ACTVIZ_PLUGIN_MEMORY_MB", DEFAULT_MEMORY_MB)),
            workers=max(1, int(_env_float("ACTVIZ_PLUGIN_WORKERS", min(2, cpus)))),
        )


class WorkerUnavailable(RuntimeError):
    """No check process could be started."""


def exit_reason(code: int, stage: str) -> str:
    """``-11`` -> ``"killed by signal 11 (SIGSEGV) while importing"``."""
    where = stage_text(stage) if stage else "while starting"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown"
        return f"killed by signal {-code} ({name}) {where}"
    return f"exited with code {code} {where}"


def _stage_fields(stage: str) -> dict[str, Any]:
    kind, _, arg = stage.partition(" ")
    if kind == "validate":
        return {"stage": "validate", "activation": arg}
    return {"stage": "hook" if kind == "hook" else "import"}


class CheckProcess:
    """One ``python -m actviz.host.check_worker`` and the line protocol with it."""

    def __init__(self, settings: CheckSettings) -> None:
        self.settings = settings
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self.path = list(sys.path)  # plugins import what the app could import
        env = {
            **os.environ,
            "ACTVIZ_PLUGIN_MEMORY_MB": str(settings.memory_mb),
            "PYTHONPATH": os.pathsep.join(p for p in self.path if p),
        }
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "actviz.host.check_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                env=env,
                start_new_session=True,  # Ctrl-C in the terminal reaches the app only
            )
        except OSError as exc:
            raise WorkerUnavailable(f"cannot start the check process: {exc}") from exc
        self._buffer = b""
        self._next_id = 0
        line = self._readline(time.monotonic() + START_TIMEOUT)
        if not line or not json.loads(line).get("ready"):
            self.kill()
            raise WorkerUnavailable(f"the check process did not start: {self._log_tail()}")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def _readline(self, deadline: float) -> str | None:
        """The next line; ``""`` at end of output, ``None`` past the deadline."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return ""
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", "replace")

    def _log_tail(self, since: int = 0, lines: int = 25) -> str:
        self.log.seek(since)
        text = self.log.read().decode("utf-8", "replace")
        self.log.seek(0, os.SEEK_END)
        return "\n".join(text.strip().splitlines()[-lines:])

    def check(self, spec: dict[str, Any], settings: CheckSettings) -> Verdict:
        """Check one plugin; a hang, exit or crash comes back as a failed :class:`Verdict`."""
        self._next_id += 1
        limit = settings.timeout
        log_start = self.log.seek(0, os.SEEK_END)
        job = {"id": self._next_id, "spec": spec, "timeout": limit}
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
        except OSError as exc:
            raise WorkerUnavailable(f"the check process is gone: {exc}") from exc
        stage, pid = "", None
        verdict: Verdict | None = None
        deadline = time.monotonic() + limit + GRACE
        while True:
            line = self._readline(deadline)
            if not line:  # past the deadline, or the check process itself is gone
                if line == "" or pid is None:
                    self.kill()
                    where = stage_text(stage or "import")
                    return self._failed(f"the check process ended {where}", stage, log_start)
                _kill(pid)
                reason = f"timed out after {limit:g} s {stage_text(stage or 'import')}"
                verdict = verdict or self._failed(reason, stage, log_start)
                deadline = time.monotonic() + START_TIMEOUT
                continue
            message = json.loads(line)
            if message.get("job") != self._next_id:
                continue
            if "pid" in message:
                pid = message["pid"]
            elif "progress" in message:
                stage = message["progress"]
                deadline = time.monotonic() + limit + GRACE
            elif "timeout" in message:
                reason = f"timed out after {limit:g} s {message['timeout']}"
                verdict = self._failed(reason, stage, log_start)
            elif "result" in message:
                verdict = verdict or Verdict.from_dict(message["result"])
            elif "exit" in message:
                code = message["exit"]
                if verdict is None or (code != 0 and verdict.passed):
                    verdict = self._failed(exit_reason(code, stage), stage, log_start)
                return verdict

    def _failed(self, reason: str, stage: str, log_start: int) -> Verdict:
        failure = {**_stage_fields(stage), "message": reason, "exception": None}
        failure["traceback"] = self._log_tail(log_start) or None
        return Verdict(failure=failure, cacheable=False)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class _Idle:
    """Check processes kept between loads, reused by loads with the same memory limit."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processes: list[CheckProcess] = []
        atexit.register(self.close_all)

    def take(self, settings: CheckSettings) -> CheckProcess | None:
        with self.lock:
            for proc in self.processes:
                same_limits = proc.settings.memory_mb == settings.memory_mb
                if same_limits and proc.path == sys.path:
                    self.processes.remove(proc)
                    if proc.alive:
                        return proc
                    proc.kill()
        return None

    def give(self, proc: CheckProcess) -> None:
        with self.lock:
            self.processes.append(proc)

    def close_all(self) -> None:
        with self.lock:
            processes, self.processes = self.processes, []
        for proc in processes:
            proc.kill()


IDLE = _Idle()


def check_plugins(
    jobs: list[tuple[str, dict[str, Any]]], settings: CheckSettings
) -> dict[str, Future[Verdict]]:
    """Start checking ``(key, spec)`` jobs; one future per key, done as each is checked."""
    futures: dict[str, Future[Verdict]] = {key: Future() for key, _ in jobs}
    queue = deque(jobs)
    for _ in range(min(settings.workers, len(jobs))):
        threading.Thread(
            target=_drain, args=(queue, futures, settings), name="actviz-plugin-check", daemon=True
        ).start()
    return futures


def _drain(
    queue: deque[tuple[str, dict[str, Any]]],
    futures: dict[str, Future[Verdict]],
    settings: CheckSettings,
) -> None:
    proc = IDLE.take(settings)
    unavailable: str | None = None
    while True:
        try:
            key, spec = queue.popleft()
        except IndexError:
            break
        try:
            if unavailable is not None:
                raise WorkerUnavailable(unavailable)
            if proc is None:
                proc = CheckProcess(settings)
            verdict = proc.check(spec, settings)
        except WorkerUnavailable as exc:
            unavailable, proc = str(exc), None
            verdict = Verdict(unchecked=unavailable, cacheable=False)
        except Exception as exc:  # noqa: BLE001 - no check must leave the app waiting
            verdict = Verdict(unchecked=f"the check failed: {exc!r}", cacheable=False)
        if proc is not None and not proc.alive:
            proc = None
        futures[key].set_result(verdict)
    if proc is not None:
        IDLE.give(proc)

"""Where benchmark shards run: this process, local worker processes, or a Ray cluster.

Every executor takes the same shards and the same function
(:func:`actviz.benchmark.shards.train_shard`) and yields one :class:`Outcome` per shard
as soon as it finishes, in completion order, so progress bars and the result store
update as results arrive. A shard whose worker
dies or raises is tried again up to ``attempts`` times in all; one that keeps failing is
reported with its error and the rest of the benchmark goes on.

Ray is optional (``pip install actviz[cluster]``) and imported only when asked for.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from .shards import Shard

ShardFn = Callable[[Shard], dict[str, Any]]

#: Tries per shard, the first included.
DEFAULT_ATTEMPTS = 3


@dataclass
class Outcome:
    """What became of one shard: its result, or the error of its last try."""

    index: int
    shard: Shard
    result: dict[str, Any] | None
    error: str | None
    attempts: int

    @property
    def ok(self) -> bool:
        return self.error is None


class Executor(Protocol):
    """Runs shards somewhere and yields their outcomes as they finish."""

    name: str

    def run(self, shards: Sequence[Shard], fn: ShardFn) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}".rstrip(": ")


class InProcess:
    """Shards one after another in this process (the default: no start-up cost)."""

    name = "in-process"

    def __init__(self, attempts: int = DEFAULT_ATTEMPTS) -> None:
        self.attempts = attempts

    def run(self, shards: Sequence[Shard], fn: ShardFn) -> Iterator[Outcome]:
        for index, shard in enumerate(shards):
            error = None
            for attempt in range(1, self.attempts + 1):
                try:
                    yield Outcome(index, shard, fn(shard), None, attempt)
                    break
                except Exception as exc:  # noqa: BLE001 - reported per shard
                    error = _reason(exc)
            else:
                yield Outcome(index, shard, None, error, self.attempts)

    def close(self) -> None:
        pass


def _worker_init() -> None:
    """Worker processes train with one thread each: the pool already uses every core."""
    os.environ["ACTVIZ_SHARD_WORKER"] = "1"
    import torch

    torch.set_num_threads(1)


class LocalProcesses:
    """One shard per worker process on this machine (spawned: no state leaks in)."""

    name = "local processes"

    def __init__(self, workers: int | None = None, attempts: int = DEFAULT_ATTEMPTS) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.attempts = attempts
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
        )
        return self._pool

    def worker_pids(self) -> list[int]:
        """The live worker processes (for tests and progress displays)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return [p.pid for p in processes.values() if p.is_alive()]

    def run(self, shards: Sequence[Shard], fn: ShardFn) -> Iterator[Outcome]:
        tries = dict.fromkeys(range(len(shards)), 0)
        errors: dict[int, str] = {}
        waiting = list(range(len(shards)))
        pool = self._pool or self._new_pool()
        running: dict[Any, int] = {}
        while waiting or running:
            for index in waiting:
                tries[index] += 1
                running[pool.submit(fn, shards[index])] = index
            waiting = []
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                index = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    errors[index] = "the worker process died (killed or crashed)"
                    waiting.append(index)
                    continue
                except Exception as exc:  # noqa: BLE001 - reported per shard
                    errors[index] = _reason(exc)
                    waiting.append(index)
                    continue
                yield Outcome(index, shards[index], result, None, tries[index])
            if broken:
                # a dead worker breaks the whole pool: every shard still running is lost
                # with it, through no fault of its own; start a new pool and resubmit
                for index in running.values():
                    tries[index] -= 1
                    waiting.append(index)
                running = {}
                pool = self._new_pool()
            for index in [i for i in waiting if tries[i] >= self.attempts]:
                waiting.remove(index)
                yield Outcome(index, shards[index], None, errors[index], tries[index])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class RayCluster:
    """Shards as Ray tasks: a local Ray (``address=None``) or an existing cluster.

    ``address`` is ``"ray://HOST:PORT"`` or ``"auto"``; ``RAY_ADDRESS`` is honoured when
    none is given. Each shard asks for one CPU and, where the cluster has GPUs, a
    fraction of one (``gpu_fraction``), so several shards share a GPU. On a remote
    cluster the actviz package travels to the workers in Ray's runtime environment.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        gpu_fraction: float = 0.25,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        try:
            import ray
        except ImportError:
            raise RuntimeError(
                "Ray is not installed: pip install 'actviz[cluster]' (or pip install ray)"
            ) from None
        self._ray = ray
        self.attempts = attempts
        self.gpu_fraction = gpu_fraction
        address = address or os.environ.get("RAY_ADDRESS") or None
        options: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False}
        if address is None:
            options["num_cpus"] = num_cpus or os.cpu_count() or 1
        else:
            options["address"] = address
        if address is not None and address.startswith("ray://"):
            options.pop("include_dashboard")
            options["runtime_env"] = {"py_modules": [_package_dir()]}
        self._owns = not ray.is_initialized()
        if self._owns:
            ray.init(**options)
        gpus = ray.cluster_resources().get("GPU", 0)
        self.gpus = float(gpus)

    def run(self, shards: Sequence[Shard], fn: ShardFn) -> Iterator[Outcome]:
        ray = self._ray
        resources: dict[str, Any] = {"num_cpus": 1}
        if self.gpus > 0:
            resources["num_gpus"] = self.gpu_fraction
        # max_retries re-runs a shard whose worker died; an exception raised by the
        # shard itself is retried too (retry_exceptions), both within ``attempts``
        remote = ray.remote(max_retries=self.attempts - 1, retry_exceptions=True)(fn)
        refs = {remote.options(**resources).remote(shard): i for i, shard in enumerate(shards)}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                index = refs[ref]
                try:
                    result = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - RayTaskError, WorkerCrashedError...
                    cause = getattr(exc, "cause", None) or exc
                    yield Outcome(index, shards[index], None, _reason(cause), self.attempts)
                    continue
                yield Outcome(index, shards[index], result, None, 1)

    def close(self) -> None:
        if self._owns and self._ray.is_initialized():
            self._ray.shutdown()


def _package_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent)


def make_executor(
    kind: str = "in-process", workers: int | None = None, cluster: str | None = None
) -> Executor:
    """``in-process``, ``processes`` (with ``workers``), or a Ray cluster.

    ``cluster`` is ``"ray"`` (start a local Ray), ``"ray://HOST:PORT"`` or ``"auto"``
    (join an existing one); it overrides ``kind``.
    """
    if cluster:
        if cluster == "ray":
            return RayCluster(address=None, num_cpus=workers)
        if cluster.startswith("ray://") or cluster == "auto":
            return RayCluster(address=cluster)
        raise ValueError(f"--cluster must be 'ray', 'auto' or 'ray://HOST:PORT', not {cluster!r}")
    if kind in ("in-process", "inprocess"):
        return InProcess()
    if kind == "processes":
        return LocalProcesses(workers)
    raise ValueError(f"--executor must be in-process or processes, not {kind!r}")

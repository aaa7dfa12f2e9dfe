"""Where and how a race runs: device, CPU threads, and batched versus one-model-at-a-time.

Toy networks are dominated by per-operation overhead (a few microseconds per op), so
stacking many models into one batched op wins; big networks are dominated by the
matrix products, where stacking saves nothing and splitting a thread pool across tiny
ops loses. These rules pick the cheaper side.
"""

from __future__ import annotations

import ctypes
import platform
from collections.abc import Sequence

import torch

#: Multiply-adds of one model's forward pass over one batch above which stacking models
#: stops paying off on the CPU (measured by bench/bench_training.py: 2-8-8-1 on 200
#: points is ~2.4e4 and gains >20x; 2-256-256-1 on 1000 points is ~6.6e7 and gains nothing).
LOOP_ABOVE_MACS = 8_000_000

#: Below this many multiply-adds per step (all models), extra CPU threads only add
#: synchronisation cost.
ONE_THREAD_BELOW_MACS = 20_000_000

#: glibc's malloc settings for a race on the CPU (see :func:`keep_freed_memory`): blocks
#: below this size come from the heap instead of fresh ``mmap`` pages...
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
#: ...and up to this much freed memory stays in the process for the next step.
TRIM_THRESHOLD_BYTES = 128 * 1024 * 1024
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_malloc_tuned = False


def pick_device(requested: str = "auto") -> torch.device:
    """``"auto"`` picks CUDA, then Apple MPS, then the CPU; a named device must exist."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for but torch sees no CUDA GPU")
    if requested == "mps" and not _mps_available():
        raise ValueError("device 'mps' was asked for but Apple MPS is not available")
    if requested not in ("cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {requested!r}; use auto, cpu, cuda or mps")
    return torch.device(requested)


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def model_macs(widths: Sequence[int], batch: int) -> int:
    """Multiply-adds of one forward pass of an MLP with these layer widths."""
    return batch * sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=False))


def choose_strategy(requested: str, widths: Sequence[int], batch: int, device: torch.device) -> str:
    """``"batched"`` (all models stacked) or ``"loop"`` (one model per stack, round-robin).

    On an accelerator stacking always helps (it fills the device); on the CPU a model
    whose own matrix products are large gains nothing from stacking, so it runs alone.
    """
    if requested in ("batched", "loop"):
        return requested
    if device.type != "cpu":
        return "batched"
    return "loop" if model_macs(widths, batch) > LOOP_ABOVE_MACS else "batched"


def choose_threads(requested: int | None, total_macs: int, device: torch.device) -> int | None:
    """Threads for the race, or ``None`` to leave torch's setting alone."""
    if requested is not None:
        return requested
    if device.type == "cpu" and total_macs < ONE_THREAD_BELOW_MACS:
        return 1
    return None


def keep_freed_memory() -> bool:
    """Make glibc keep the memory a training step frees, for the next step to reuse.

    Every step allocates and frees the same tensors. glibc serves blocks above a
    moving threshold (128 KiB at first) with fresh ``mmap`` pages and returns freed heap
    memory to the OS past another, so by default a step can fault in megabytes of new
    pages. Measured on a 16-core VM with eight 2-256-256-1 models: 3.7k (a plain
    per-model loop) to 9k (the engine) page faults and 4 to 14 ms of kernel time per
    48 to 56 ms step; none with these settings. They hold for the whole process (at most
    ``TRIM_THRESHOLD_BYTES`` of freed memory stays reserved), so a plain loop run later
    in the same process gains too. Returns whether they were applied (glibc only).
    """
    global _malloc_tuned
    if _malloc_tuned:
        return True
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
        ok = libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1 and ok
    except (OSError, AttributeError):
        return False
    _malloc_tuned = ok
    return ok

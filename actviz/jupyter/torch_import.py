"""The notebook API's first heavy import: torch, announced and safe to interrupt.

In a fresh kernel the first ``actviz.race`` (``bench``, ``plan``, ``search``) imports
torch, which takes seconds (1.5 s on a quiet 2-core machine, 4 s loaded) and prints
nothing. An interrupt landing in those seconds leaves a partly imported torch behind:
its submodules stay in ``sys.modules`` without ``torch`` itself, and importing it again
fails (``partially initialized module 'torch' has no attribute ...``) or crashes the
interpreter. So :func:`import_torch` says what it is doing, holds a Ctrl+C / kernel
interrupt until torch is complete and then raises it: the cell stops, and the next one
starts at once. ``import actviz`` itself never imports torch and prints nothing.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

MESSAGE = "actviz: importing torch (first use in this kernel, a few seconds)..."
HALF_IMPORTED = (
    "torch was interrupted while it was being imported earlier in this kernel and is only "
    "partly loaded; it cannot be imported again in this process: restart the kernel"
)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def import_torch(say: Callable[[str], None] = _stderr) -> ModuleType:
    """torch, imported once with a message; an interrupt during the import is raised
    as ``KeyboardInterrupt`` after torch has finished importing."""
    done = sys.modules.get("torch")
    if done is not None:
        return done
    if any(name.startswith("torch.") for name in sys.modules):
        raise RuntimeError(HALF_IMPORTED)
    say(MESSAGE)
    start = time.perf_counter()
    with _interrupts_held() as held:
        import torch
    if held:
        raise KeyboardInterrupt(
            f"interrupted while torch was importing; torch finished first "
            f"({time.perf_counter() - start:.1f} s), so the next call starts at once"
        )
    return torch


@contextmanager
def _interrupts_held() -> Iterator[list[int]]:
    """SIGINT is noted, not raised, inside the block (main thread only: elsewhere Python
    delivers no KeyboardInterrupt anyway). The list holds the signals received."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)

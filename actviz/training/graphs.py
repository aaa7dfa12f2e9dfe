"""One training step captured as a CUDA graph and replayed, for launch-bound races.

A toy network's step is hundreds of tiny kernels whose launch cost dwarfs their
work; a CUDA graph launches them all with one call. Capture records kernels on fixed
memory, so everything a step touches must stay put: the parameters, gradients and
optimiser state live in fixed tensors (``ParamPack``, ``FlatOptimizer``), inputs are
copied into fixed buffers, and divergence is a device-side flag the engine reads
every few steps.

Following PyTorch's capture recipe, the first steps run eagerly on a side stream
(lazy initialisation happens there, outside the capture); they are real training
steps, not thrown away. Capture itself runs nothing, so a capture that fails leaves
the state as it was and the step simply runs eagerly from then on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import torch

from .model import ActivationError

#: Eager steps before the first capture (PyTorch recommends a few, on a side stream).
WARMUP_STEPS = 3

#: ``ACTVIZ_CUDA_GRAPHS=0`` turns capture off (for comparisons and debugging).
ENV_SWITCH = "ACTVIZ_CUDA_GRAPHS"

#: Held by a race on a CUDA device while it computes between two events. A capture
#: forbids synchronising CUDA calls process-wide, so two races in one process (say a
#: lesson and a playground race in worker threads) take turns instead of one breaking
#: the other's capture.
CUDA_LOCK = threading.RLock()


def graphs_enabled(device: torch.device) -> bool:
    """CUDA graphs are used on CUDA devices unless ``ACTVIZ_CUDA_GRAPHS=0``."""
    return device.type == "cuda" and os.environ.get(ENV_SWITCH, "1") != "0"


class GraphedStep:
    """Calls ``body`` once per call: eagerly at first, then by replaying its CUDA graph.

    ``body`` must be capturable (no host synchronisation, fixed tensors). After the
    structure of the step changes (a model frozen, an activation failed) call
    :meth:`reset`; the step then runs eagerly once and is captured again. If capture
    fails for any reason but a plugin's error, ``failure`` says why and every later
    step runs eagerly.
    """

    def __init__(self, body: Callable[[], None], warmup: int = WARMUP_STEPS) -> None:
        self.body = body
        self.failure: str | None = None
        self.captures = 0
        self.replays = 0
        self._graph: torch.cuda.CUDAGraph | None = None
        self._eager_left = max(1, warmup)
        self._stream = torch.cuda.Stream()

    @property
    def captured(self) -> bool:
        return self._graph is not None

    def __call__(self) -> None:
        if self.failure is not None:
            self.body()
            return
        if self._graph is None:
            if self._eager_left > 0:
                self._eager_left -= 1
                self._on_side_stream()
                return
            if not self._capture():
                self.body()  # capture ran nothing: this step still has to happen
                return
        assert self._graph is not None
        self._graph.replay()
        self.replays += 1

    def reset(self) -> None:
        """Forget the graph; the next call runs eagerly and the one after captures anew."""
        self._graph = None
        self._eager_left = max(self._eager_left, 1)

    def _on_side_stream(self) -> None:
        current = torch.cuda.current_stream()
        self._stream.wait_stream(current)
        with torch.cuda.stream(self._stream):
            self.body()
        current.wait_stream(self._stream)

    def _capture(self) -> bool:
        graph = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(graph):
                self.body()
        except ActivationError:
            # A plugin raised while being recorded: the engine stops that activation,
            # resets us and runs the step again without it.
            self._eager_left = 1
            raise
        except Exception as exc:  # noqa: BLE001 - any reason to fall back is recorded
            self.failure = _reason(exc)
            torch.cuda.synchronize()
            return False
        self._graph = graph
        self.captures += 1
        return True


def _reason(exc: BaseException) -> str:
    """One line for the record, naming the root cause: a failed capture often raises
    again on leaving the capture, with the first error as its context."""
    while exc.__context__ is not None:
        exc = exc.__context__
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:300]

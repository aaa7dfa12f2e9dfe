"""Wall-clock cost of activations inside a small network (the cost lesson).

A large elementwise call measures the function itself; a toy MLP step adds the
matrix products, the loss and every kernel launch, which is what a user pays.
Timings are interleaved (every activation once per round, best round kept) so a
busy neighbour on a shared machine slows all of them alike instead of one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence

import torch

from ..api import Activation


def _toy_pass(act: Activation, widths: Sequence[int], points: int, seed: int) -> Callable[[], None]:
    """One forward+backward pass of a ``widths`` MLP with ``act``, as a closure."""
    values = act.defaults()
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(points, widths[0], generator=gen)
    y = torch.randn(points, widths[-1], generator=gen)
    layers = [
        (
            (torch.randn(n_in, n_out, generator=gen) / math.sqrt(n_in)).requires_grad_(),
            torch.zeros(n_out).requires_grad_(),
        )
        for n_in, n_out in zip(widths[:-1], widths[1:], strict=False)
    ]
    fn = act.train_fn or act.fn

    def one_pass() -> None:
        h = x
        for i, (w, b) in enumerate(layers):
            h = torch.addmm(b, h, w)
            if i < len(layers) - 1:
                h = fn(h, **values)
        (h - y).square().mean().backward()
        for w, b in layers:
            w.grad = None
            b.grad = None

    return one_pass


def toy_net_seconds(
    acts: Mapping[str, Activation],
    *,
    widths: Sequence[int] = (2, 16, 16, 1),
    points: int = 256,
    inner: int = 40,
    rounds: int = 7,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, float]:
    """Best seconds per forward+backward pass of a ``widths`` MLP, per activation.

    Each round times ``inner`` passes of every activation in turn; the best round
    of each activation is kept.
    """
    passes = {name: _toy_pass(act, widths, points, seed) for name, act in acts.items()}
    for one_pass in passes.values():
        one_pass()  # warm-up: allocator, autograd graph caches
    best = dict.fromkeys(passes, math.inf)
    for _ in range(rounds):
        if should_stop is not None and should_stop():
            break
        for name, one_pass in passes.items():
            start = time.perf_counter()
            for _ in range(inner):
                one_pass()
            best[name] = min(best[name], (time.perf_counter() - start) / inner)
    return best

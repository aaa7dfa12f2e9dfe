"""How much memory one model of an architecture needs, and how many fit.

Measured, not guessed: one model's forward and backward run on a few inputs while
autograd's saved tensors are counted; that scales with the batch. Parameters count four
times (value, gradient and Adam's two moments).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from .base import Architecture
from .build import build_stack
from .stack import EVAL_CHUNK

#: Share of the free memory a race may plan to use.
HEADROOM = 0.8
PROBE_POINTS = 8


@dataclass(frozen=True)
class Estimate:
    """Bytes one model needs: its parameters (with gradient and optimiser state) and the
    activations kept for the backward pass of one batch."""

    param_bytes: int
    activation_bytes: int

    @property
    def per_model(self) -> int:
        return self.param_bytes + self.activation_bytes


def estimate(
    architecture: Architecture,
    options: Mapping[str, Any],
    task: Any,
    activation: Any,
    batch: int,
) -> Estimate:
    """Measure one model on ``PROBE_POINTS`` inputs and scale to ``batch`` (or to an
    evaluation chunk, whichever is larger)."""
    group = [(activation, [0], [0], {})]
    stack = build_stack(architecture, options, task, group, torch.device("cpu"), 1)
    saved = 0

    def pack(t: torch.Tensor) -> torch.Tensor:
        nonlocal saved
        saved += t.numel() * t.element_size()
        return t

    x = torch.randn(int(task.input_dim), PROBE_POINTS)
    with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out, _ = stack.forward(x, train=True)
        out.sum().backward()
    params = sum(t.numel() * t.element_size() for t in stack.parameters())
    per_point = saved / PROBE_POINTS
    return Estimate(4 * params, int(per_point * max(int(batch), EVAL_CHUNK)))


def free_bytes(device: torch.device) -> int | None:
    """Free memory on ``device`` (``None`` when it cannot be read)."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def how_many_fit(per_model: int, free: int) -> int:
    return int(HEADROOM * free // max(1, per_model))


def gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def memory_problem(
    architecture: Architecture,
    options: Mapping[str, Any],
    task: Any,
    activation: Any,
    batch: int,
    models: int,
    device: torch.device,
    free: int | None = None,
) -> str | None:
    """One line when ``models`` models will not fit in the free memory, else ``None``."""
    free = free_bytes(device) if free is None else free
    if free is None:
        return None
    need = estimate(architecture, options, task, activation, batch).per_model
    if models * need <= HEADROOM * free:
        return None
    fit = how_many_fit(need, free)
    return (
        f"memory: {models} {architecture.name} models need about {gb(models * need)} "
        f"({gb(need)} each) and {gb(free)} is free on {device.type}; about {fit} fit "
        "(race fewer seeds or activations, or smaller sizes)"
    )

"""The five optimisers of the playground, built over stacked parameters.

All of them update each element from its own gradient and state, so one optimiser
over ``[models, ...]`` tensors is exactly one optimiser per model, in a handful of
kernel launches (``fused``/``foreach`` implementations).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .config import OPTIMIZERS


def make_optimizer(
    name: str, params: Sequence[torch.Tensor], lr: float, device: torch.device
) -> torch.optim.Optimizer:
    """SGD, SGD with momentum 0.9, RMSprop, AdaGrad or Adam with torch's defaults otherwise."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; use one of {', '.join(OPTIMIZERS)}")
    params = list(params)
    fast = {"fused": True} if device.type in ("cpu", "cuda") else {"foreach": True}
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, **fast)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, **fast)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=True)
    if name == "adagrad":
        if device.type == "cuda":  # fused AdaGrad is CPU-only in torch
            return torch.optim.Adagrad(params, lr=lr, foreach=True)
        return torch.optim.Adagrad(params, lr=lr, **fast)
    return torch.optim.Adam(params, lr=lr, **fast)

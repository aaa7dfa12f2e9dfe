"""The five optimisers of the playground, built over stacked parameters.

All of them update each element from its own gradient and state, so one optimiser
over ``[models, ...]`` tensors is exactly one optimiser per model, in a handful of
kernel launches (``fused``/``foreach`` implementations).

:class:`FlatOptimizer` is the same five update rules written as in-place operations
on one flat parameter tensor with its state on the device: nothing is read back to
the host during a step, so a CUDA graph can capture it (see ``graphs.py``), and a
tape-free step on the CPU (``tape_free.py``) pays a few calls per update instead of
``torch.optim``'s per-step bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .config import OPTIMIZERS

#: torch's defaults, which both implementations use.
MOMENTUM = 0.9
RMSPROP_ALPHA = 0.99
RMSPROP_EPS = 1e-8
ADAGRAD_EPS = 1e-10
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


def make_optimizer(
    name: str, params: Sequence[torch.Tensor], lr: float, device: torch.device
) -> torch.optim.Optimizer:
    """SGD, SGD with momentum 0.9, RMSprop, AdaGrad or Adam with torch's defaults otherwise."""
    _check(name)
    params = list(params)
    fast = {"fused": True} if device.type in ("cpu", "cuda") else {"foreach": True}
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, **fast)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, **fast)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=True)
    if name == "adagrad":
        if device.type == "cuda":  # fused AdaGrad is CPU-only in torch
            return torch.optim.Adagrad(params, lr=lr, foreach=True)
        return torch.optim.Adagrad(params, lr=lr, **fast)
    return torch.optim.Adam(params, lr=lr, **fast)


class FlatOptimizer:
    """One of the five optimisers over a single flat tensor (``param.grad`` its gradient).

    The update rules and defaults are torch's (``torch.optim``'s single-tensor forms;
    Adam's bias corrections are computed on the device as with ``capturable=True``).
    ``state`` mirrors ``torch.optim.Optimizer.state`` so callers can reach the
    per-element state tensors, e.g. to zero a frozen model's moments.
    """

    def __init__(self, name: str, param: torch.Tensor, lr: float) -> None:
        _check(name)
        if param.grad is None:
            raise ValueError("FlatOptimizer needs the parameter's gradient tensor in place")
        self.name = name
        self.param = param
        self.lr = float(lr)
        zeros = torch.zeros_like
        names = {
            "sgd": [],
            "momentum": ["momentum_buffer"],
            "rmsprop": ["square_avg"],
            "adagrad": ["sum"],
            "adam": ["exp_avg", "exp_avg_sq"],
        }[name]
        slots: dict[str, torch.Tensor] = {key: zeros(param) for key in names}
        if name == "adam":
            slots["step"] = torch.zeros((), device=param.device, dtype=torch.float32)
        self.state: dict[torch.Tensor, dict[str, torch.Tensor]] = {param: slots}
        #: Adam on the CPU calls the fused kernel ``torch.optim.Adam(fused=True)`` uses
        #: (the same numbers, one call); elsewhere the rules below, which a CUDA graph
        #: captures with the step count on the device.
        self._fused = name == "adam" and param.device.type == "cpu" and _has_fused_adam()

    @torch.no_grad()
    def step(self) -> None:
        p, g, lr = self.param, self.param.grad, self.lr
        s = self.state[p]
        if self.name == "sgd":
            p.add_(g, alpha=-lr)
        elif self.name == "momentum":  # zero-initialised buffer: step 1 gives buf == grad
            buf = s["momentum_buffer"].mul_(MOMENTUM).add_(g)
            p.add_(buf, alpha=-lr)
        elif self.name == "rmsprop":
            sq = s["square_avg"].mul_(RMSPROP_ALPHA).addcmul_(g, g, value=1 - RMSPROP_ALPHA)
            p.addcdiv_(g, sq.sqrt().add_(RMSPROP_EPS), value=-lr)
        elif self.name == "adagrad":
            total = s["sum"].addcmul_(g, g, value=1.0)
            p.addcdiv_(g, total.sqrt().add_(ADAGRAD_EPS), value=-lr)
        elif self._fused:  # torch.optim.Adam(fused=True)'s own kernel: one call
            s["step"].add_(1.0)
            beta1, beta2 = ADAM_BETAS
            torch._fused_adam_(
                [p], [g], [s["exp_avg"]], [s["exp_avg_sq"]], [], [s["step"]],
                amsgrad=False, lr=lr, beta1=beta1, beta2=beta2, weight_decay=0.0,
                eps=ADAM_EPS, maximize=False,
            )  # fmt: skip
        else:
            beta1, beta2 = ADAM_BETAS
            step = s["step"].add_(1.0)
            s["exp_avg"].lerp_(g, 1 - beta1)
            s["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
            step_size_neg = (lr / (1 - torch.pow(beta1, step))).neg_()
            correction2_sqrt = (1 - torch.pow(beta2, step)).sqrt_()
            denom = s["exp_avg_sq"].sqrt() / (correction2_sqrt * step_size_neg)
            p.addcdiv_(s["exp_avg"], denom.add_(ADAM_EPS / step_size_neg))


def _has_fused_adam() -> bool:
    return hasattr(torch, "_fused_adam_")


def _check(name: str) -> None:
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; use one of {', '.join(OPTIMIZERS)}")

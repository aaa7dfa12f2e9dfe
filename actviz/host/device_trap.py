"""Catch, on a CPU, what only a GPU race would show: tensors made on a fixed device.

``torch.full(x.shape, 0.5)`` inside ``fn`` makes a CPU tensor; on a CPU that is x's
device and everything works, on a GPU the race fails. :func:`fixed_device_calls` runs
``fn`` under a torch function mode that notes every factory call made from plugin code
without ``device=`` that returns more than one value (a 0-d CPU tensor mixes with any
device, so it is allowed). :func:`meta_problem` runs ``fn`` once with x on the ``meta``
device, which catches tensors moved to the CPU (``x.cpu()``) and mixed with x.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from ..plugin_trace import describe_frame, is_plugin_file

#: torch functions that make a new tensor on the default device unless told otherwise.
FACTORIES = frozenset(
    getattr(torch, name)
    for name in (
        "full", "zeros", "ones", "empty", "tensor", "as_tensor", "arange", "linspace",
        "logspace", "rand", "randn", "randint", "randperm", "eye", "from_numpy", "asarray",
        "scalar_tensor", "normal", "bernoulli",
    )
    if hasattr(torch, name)
)  # fmt: skip


class _FactoryWatch(TorchFunctionMode):
    """Notes ``(function name, plugin frame)`` for each factory call without ``device=``."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        label = None
        if func in FACTORIES and "device" not in kwargs and not self._follows_input(func, args):
            if isinstance(out, torch.Tensor) and out.dim() > 0:
                label = f"torch.{func.__name__} without device="
        elif func is torch.Tensor.cpu or (func is torch.Tensor.to and _to_cpu(args, kwargs)):
            label = "moving x to the CPU"
        if label is not None:
            frame = _caller()
            if frame is not None:
                self.found.append((label, describe_frame(frame)))
        return out

    @staticmethod
    def _follows_input(func: Any, args: tuple) -> bool:
        """``torch.as_tensor(t)`` of a tensor keeps ``t``'s device."""
        return bool(args) and isinstance(args[0], torch.Tensor) and func is not torch.full


def _to_cpu(args: tuple, kwargs: dict) -> bool:
    """``t.to("cpu")`` or ``t.to(device="cpu")``: a fixed device, unlike ``t.to(x)``."""
    target = kwargs.get("device", args[1] if len(args) > 1 else None)
    return isinstance(target, (str, torch.device)) and torch.device(target).type == "cpu"


def _caller() -> traceback.FrameSummary | None:
    """The innermost frame of the stack that is plugin code, when the call came from it."""
    for frame in reversed(traceback.extract_stack()):
        if frame.filename == __file__:
            continue
        return frame if is_plugin_file(frame.filename) else None
    return None


def fixed_device_calls(
    fn: Callable[..., Any], x: torch.Tensor, params: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """``(what, where)`` for each tensor ``fn`` made without ``device=`` or moved to the CPU."""
    watch = _FactoryWatch()
    try:
        with torch.no_grad(), watch:
            fn(x, **params)
    except Exception:  # noqa: BLE001 - the other checks report a raising fn
        pass
    return watch.found

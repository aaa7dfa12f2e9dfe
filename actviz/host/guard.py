"""Torch's process-wide settings, watched around every plugin import and call.

A plugin that flips the default dtype, turns gradients off or replaces ``torch.relu``
would break every race and blame the built-ins. :func:`guarded` snapshots those
settings, and after the plugin code returns it undoes any change and says what it was,
so the change is reported against the plugin that made it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812 - the usual name

#: Functions on ``torch`` whose replacement would silently change every activation.
TORCH_FUNCTIONS = (
    "relu", "tanh", "sigmoid", "exp", "log", "log1p", "expm1", "sin", "cos", "abs", "sqrt",
    "erf", "where", "clamp", "maximum", "minimum", "matmul", "bmm", "baddbmm", "softmax",
    "sum", "mean", "zeros", "ones", "empty", "tensor", "full", "linspace", "randn",
)  # fmt: skip
#: ``torch.Tensor`` methods, the operators included.
TENSOR_METHODS = (
    "relu", "tanh", "sigmoid", "exp", "log", "abs", "sqrt", "clamp", "sum", "mean", "pow",
    "matmul", "softmax", "backward", "to", "__add__", "__sub__", "__mul__", "__truediv__",
    "__neg__", "__pow__", "__matmul__", "__radd__", "__rmul__", "__gt__", "__lt__",
)  # fmt: skip


@dataclass(frozen=True)
class TorchState:
    """What :func:`snapshot` saw; compared with a later snapshot by :func:`undo_changes`."""

    default_dtype: torch.dtype
    grad_enabled: bool
    deterministic: bool
    deterministic_warn_only: bool
    anomaly: bool
    functions: dict[str, object]


def _watched() -> Iterator[tuple[str, object, str]]:
    for name in TORCH_FUNCTIONS:
        yield f"torch.{name}", torch, name
    for name, value in vars(F).items():
        if not name.startswith("_") and callable(value):
            yield f"torch.nn.functional.{name}", F, name
    for name in TENSOR_METHODS:
        yield f"torch.Tensor.{name}", torch.Tensor, name


def snapshot() -> TorchState:
    """The settings and function identities a plugin must leave as it found them."""
    return TorchState(
        default_dtype=torch.get_default_dtype(),
        grad_enabled=torch.is_grad_enabled(),
        deterministic=torch.are_deterministic_algorithms_enabled(),
        deterministic_warn_only=torch.is_deterministic_algorithms_warn_only_enabled(),
        anomaly=torch.is_anomaly_enabled(),
        functions={label: owner.__dict__.get(name) for label, owner, name in _watched()},
    )


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def undo_changes(before: TorchState) -> list[str]:
    """Put back everything that differs from ``before``; one line per change undone."""
    now = snapshot()
    changes: list[str] = []
    if now.default_dtype != before.default_dtype:
        changes.append(
            f"changed torch's default dtype to {_dtype_name(now.default_dtype)} "
            f"(torch.set_default_dtype); put back to {_dtype_name(before.default_dtype)}"
        )
        torch.set_default_dtype(before.default_dtype)
    if now.grad_enabled != before.grad_enabled:
        state = "on" if now.grad_enabled else "off"
        changes.append(f"turned gradients {state} (torch.set_grad_enabled); put back")
        torch.set_grad_enabled(before.grad_enabled)
    if (now.deterministic, now.deterministic_warn_only) != (
        before.deterministic,
        before.deterministic_warn_only,
    ):
        changes.append("changed torch.use_deterministic_algorithms; put back")
        torch.use_deterministic_algorithms(
            before.deterministic, warn_only=before.deterministic_warn_only
        )
    if now.anomaly != before.anomaly:
        changes.append("changed torch.autograd.set_detect_anomaly; put back")
        torch.autograd.set_detect_anomaly(before.anomaly)
    owners = {label: (owner, name) for label, owner, name in _watched()}
    for label, original in before.functions.items():
        if now.functions.get(label) is original:
            continue
        owner, name = owners[label]
        changes.append(f"replaced {label}; the original is put back")
        if original is None:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    return changes


@contextmanager
def guarded(who: str, warnings: list[str]) -> Iterator[None]:
    """Run plugin code; append ``"<who> <change>"`` to ``warnings`` for each change undone."""
    before = snapshot()
    try:
        yield
    finally:
        warnings.extend(f"{who} {change}" for change in undo_changes(before))

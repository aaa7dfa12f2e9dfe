"""Checks every activation must pass before the rest of actviz may use it.

An activation is called on a grid that reaches large |x|, in float32 (what training
uses) for finiteness and shape, and in float64 for the derivative check, where the
declared derivative is compared with autograd (or with central finite differences
where autograd has nothing useful to say, e.g. a function with no gradient graph).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from ..api import Activation

ATOL = 1e-4
RTOL = 1e-3
FD_STEP = 1e-6
LARGE = (-1e4, -1e3, -100.0, -50.0, -20.0, 20.0, 50.0, 100.0, 1e3, 1e4)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class ValidationReport:
    """The outcome of every check; ``error`` is the first failure, or ``None``."""

    activation: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def error(self) -> str | None:
        for c in self.checks:
            if not c.ok:
                return f"{c.name}: {c.detail}"
        return None

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def scalar_grid(dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """-10..10 offset by an irrational step so typical kinks (0, +-1, +-3, 6) are missed."""
    core = torch.linspace(-10.0, 10.0, 1999, dtype=torch.float64) + 1e-3 * math.sqrt(2.0)
    return torch.cat([torch.tensor(LARGE, dtype=torch.float64), core]).to(dtype)


def vector_input(act: Activation, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(6, 8, generator=gen, dtype=torch.float64) * 3.0
    x[0, :] = torch.tensor([-1e3, 50.0, -20.0, 1e3, 0.5, -0.5, 20.0, -50.0])
    return x.to(dtype)


def expected_shape(act: Activation, shape: torch.Size) -> torch.Size:
    if act.kind == "gated":
        return torch.Size([*shape[:-1], shape[-1] // 2])
    return shape


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _call(act: Activation, fn, x: torch.Tensor, params: dict) -> torch.Tensor:
    out = fn(x, **params)
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"returned {type(out).__name__}, expected a torch.Tensor")
    return out


def reference_derivative(act: Activation, x: torch.Tensor, params: dict) -> torch.Tensor:
    """d f / d x as the contract defines it, from autograd; NaN where autograd gives nothing."""
    x = x.detach().clone().requires_grad_(True)
    y = act.fn(x, **params)
    if not y.requires_grad:
        return torch.full_like(x, float("nan"))
    if act.kind == "elementwise":
        (g,) = torch.autograd.grad(y.sum(), x, allow_unused=True)
        return g if g is not None else torch.full_like(x, float("nan"))
    n_out = y.shape[-1]
    out = torch.full_like(x, float("nan"))
    for j in range(n_out):
        (g,) = torch.autograd.grad(y[..., j].sum(), x, retain_graph=True, allow_unused=True)
        if g is None:
            continue
        out[..., j] = g[..., j]
        if act.kind == "gated":
            out[..., n_out + j] = g[..., n_out + j]
    return out


def finite_difference(act: Activation, x: torch.Tensor, params: dict) -> torch.Tensor:
    """Central differences in float64, paired the same way as :func:`reference_derivative`."""
    x = x.detach().to(torch.float64)
    if act.kind == "elementwise":
        return (act.fn(x + FD_STEP, **params) - act.fn(x - FD_STEP, **params)) / (2 * FD_STEP)
    out = torch.empty_like(x)
    n = x.shape[-1]
    n_out = n // 2 if act.kind == "gated" else n
    for i in range(n):
        e = torch.zeros_like(x)
        e[..., i] = FD_STEP
        diff = (act.fn(x + e, **params) - act.fn(x - e, **params)) / (2 * FD_STEP)
        out[..., i] = diff[..., i % n_out]
    return out


def validate_activation(act: Activation) -> ValidationReport:
    """Run every check; never raises for a misbehaving plugin."""
    report = ValidationReport(act.name)
    params = act.defaults()
    for p in act.params:
        in_range = not p.is_scalar or p.kind == "choice" or p.min is None or p.max is None
        if not in_range and not (p.min <= p.default <= p.max):
            report.add("params", False, f"default {p.name}={p.default} outside [{p.min}, {p.max}]")
            return report
        if p.name == "x":
            report.add("params", False, "a parameter may not be called 'x'")
            return report

    x32 = vector_input(act, torch.float32) if act.is_vector else scalar_grid(torch.float32)
    try:
        y = _call(act, act.fn, x32, params)
    except Exception as exc:  # noqa: BLE001 - a plugin may raise anything
        report.add("fn", False, f"raised {_describe(exc)}")
        return report
    report.add("fn", True)

    want = expected_shape(act, x32.shape)
    if y.shape != want:
        report.add(
            "shape",
            False,
            f"output shape {tuple(y.shape)} for input {tuple(x32.shape)}, expected {tuple(want)}",
        )
        return report
    if y.dtype != x32.dtype:
        dtype = str(y.dtype).removeprefix("torch.")
        report.add("dtype", False, f"returns {dtype} for float32 input")
        return report
    if not act.is_vector:
        x2 = torch.linspace(-3, 3, 24).reshape(4, 6)
        try:
            y2 = _call(act, act.fn, x2, params)
        except Exception as exc:  # noqa: BLE001
            report.add("shape", False, f"fn fails on a 2-D input: {_describe(exc)}")
            return report
        if y2.shape != x2.shape:
            report.add("shape", False, f"2-D input {tuple(x2.shape)} gave {tuple(y2.shape)}")
            return report
    report.add("shape", True)

    bad = ~torch.isfinite(y)
    if bad.any():
        idx = int(bad.reshape(-1).nonzero()[0])
        where = (
            _fmt(float(x32.reshape(-1)[idx])) if not act.is_vector else f"row {idx // y.shape[-1]}"
        )
        report.add(
            "finite",
            False,
            f"NaN/inf output for finite input (float32) at x={where}: "
            f"{int(bad.sum())} of {bad.numel()} values",
        )
        return report
    report.add("finite", True)

    _check_learnable(act, report, params)
    _check_derivative(act, report, params)
    return report


def _check_learnable(act: Activation, report: ValidationReport, params: dict) -> None:
    learnable = [p for p in act.params if p.learnable]
    if not learnable:
        return
    tensors = {
        p.name: torch.as_tensor(params[p.name], dtype=torch.float32).clone().requires_grad_()
        for p in learnable
    }
    x = vector_input(act, torch.float32) if act.is_vector else torch.linspace(-3, 3, 50)
    try:
        out = act.fn(x, **{**params, **tensors})
        out.sum().backward()
    except Exception as exc:  # noqa: BLE001
        report.add(
            "learnable", False, f"fn fails with tensor parameters: {type(exc).__name__}: {exc}"
        )
        return
    missing = [name for name, t in tensors.items() if t.grad is None]
    if missing:
        report.add("learnable", False, f"no gradient reaches learnable {', '.join(missing)}")
        return
    report.add("learnable", True)


def _check_derivative(act: Activation, report: ValidationReport, params: dict) -> None:
    x = vector_input(act) if act.is_vector else scalar_grid()
    try:
        ref = reference_derivative(act, x, params)
    except Exception as exc:  # noqa: BLE001
        report.add("autograd", False, f"autograd through fn failed: {_describe(exc)}")
        return
    if act.derivative is None:
        if torch.isnan(ref).all():
            report.add(
                "autograd", True, "fn has no gradient graph: networks cannot learn through it"
            )
        return
    try:
        d = _call(act, act.derivative, x, params)
    except Exception as exc:  # noqa: BLE001
        report.add("derivative", False, f"raised {_describe(exc)}")
        return
    if d.shape != x.shape:
        report.add("derivative", False, f"shape {tuple(d.shape)}, expected {tuple(x.shape)}")
        return
    d = d.detach().to(torch.float64)
    if not torch.isfinite(d).all():
        report.add("derivative", False, "NaN/inf derivative for finite input")
        return
    fd = finite_difference(act, x, params)
    close_ref = (d - ref).abs() <= ATOL + RTOL * ref.abs()
    close_fd = (d - fd).abs() <= ATOL + RTOL * fd.abs()
    agree = close_ref | close_fd
    # Near a jump both references are useless; ignore points where they disagree wildly.
    usable = torch.isfinite(fd) & ((fd.abs() < 1e5) | torch.isfinite(ref))
    wrong = ~agree & usable
    if wrong.any():
        reference = torch.where(torch.isnan(ref), fd, ref)
        gap = (d - reference).abs().masked_fill(~wrong, -1.0)
        idx = int(gap.reshape(-1).argmax())
        at = _fmt(float(x.reshape(-1)[idx]))
        report.add(
            "derivative",
            False,
            f"declared derivative disagrees with autograd at x={at}: declared "
            f"{_fmt(float(d.reshape(-1)[idx]))}, autograd "
            f"{_fmt(float(reference.reshape(-1)[idx]))} "
            f"(|diff| {_fmt(float(gap.reshape(-1)[idx]))}; {int(wrong.sum())} of {wrong.numel()} "
            "points disagree)",
        )
        return
    report.add("derivative", True)

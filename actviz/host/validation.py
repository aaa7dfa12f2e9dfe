"""Checks every activation must pass before the rest of actviz may use it.

``fn`` is called the way each caller calls it: as a race does (:mod:`.race_shapes`: x shaped
``[models, units, points]``, learnable parameters as ``[models, 1, 1]`` tensors, the training
form ``train_fn`` too), as the Curves view does (1-D float64 x, float parameters), in float32,
float64 and bfloat16. At the defaults and at the min, middle and max of every bounded
parameter it must keep the input's shape and dtype, give finite values at large |x|, and
have a finite autograd gradient there (training differentiates ``fn`` by autograd); a
declared derivative must match autograd (or central differences where autograd has nothing
to say). ``fn`` must give the same output twice for the same input unless the activation
declares ``stochastic=True``. Anything that would fail in a race fails here, and the message
names the shape or the parameter setting.

What only a GPU would show is checked on the CPU too (:mod:`.device_trap`: tensors made
without ``device=``), autograd's f' is compared with finite differences, an output without
a gradient graph fails, and the grid holds x = 0 exactly (where ``sqrt(x*x + b)`` with
b = 0 has no derivative). A failure caused by an exception keeps the plugin's own frames
(``ValidationReport.traceback``) and names the file and line, with a hint for known
torch pitfalls (:mod:`.plugin_trace`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch

from ..analysis.curves import along_line
from ..api import Activation
from ..param_shapes import params_like
from ..plugin_trace import FIXED_DEVICE, VECTOR_INDEX, defined_at, located, trimmed_traceback
from .device_trap import fixed_device_calls
from .race_shapes import describe_shape, race_output_shape, race_params, race_x

#: Bump when the checks change, so results cached by an earlier version are not trusted.
RULES_VERSION = 3

ATOL = 1e-4
RTOL = 1e-3
FD_STEP = 1e-6
LARGE = (-1e4, -1e3, -100.0, -50.0, -20.0, 20.0, 50.0, 100.0, 1e3, 1e4)
#: Exact points that a parameter at its edge can break (sqrt(x*x + b) at b = 0, x = 0).
EXACT = (0.0,)
#: autograd's f' must agree with central differences on all but this share of the grid
#: (kinks are isolated points; a wrong backward disagrees almost everywhere).
GRADIENT_SHARE = 0.02


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
    #: The plugin's frames of the exception behind the failure, when one caused it.
    traceback: str | None = None
    exception: str | None = None

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


@functools.cache
def _scalar_grid() -> torch.Tensor:
    core = torch.linspace(-10.0, 10.0, 1999, dtype=torch.float64) + 1e-3 * math.sqrt(2.0)
    return torch.cat([torch.tensor(LARGE + EXACT, dtype=torch.float64), core])


def scalar_grid(dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """-10..10 offset by an irrational step so typical kinks (0, +-1, +-3, 6) are missed,
    large |x|, and x = 0 exactly (left out of derivative comparisons: a kink is there)."""
    return _scalar_grid().to(dtype, copy=True)


@functools.cache
def _vector_input() -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(6, 8, generator=gen, dtype=torch.float64) * 3.0
    x[0, :] = torch.tensor([-1e3, 50.0, -20.0, 1e3, 0.5, -0.5, 20.0, -50.0])
    return x


def vector_input(act: Activation, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return _vector_input().to(dtype, copy=True)


@functools.cache
def _race_x(kind: str, dtype: torch.dtype) -> torch.Tensor:
    """The scalar grid laid out as a race's ``x`` (cached; callers get a copy)."""
    return race_x(kind, _scalar_grid(), dtype=dtype)


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
    with torch.enable_grad():
        return autograd_derivative(act, x, act.fn(x, **params))


def autograd_derivative(act: Activation, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d y / d x paired as the contract pairs it, for ``y = fn(x)`` already computed."""
    if not y.requires_grad:
        return torch.full_like(x, float("nan")).detach()
    if act.kind == "elementwise":
        (g,) = torch.autograd.grad(y.sum(), x, allow_unused=True)
        return g if g is not None else torch.full_like(x, float("nan")).detach()
    n_out = y.shape[-1]
    out = torch.full_like(x, float("nan")).detach()
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


class _Failed(Exception):
    """A failed check, raised to stop validating at the first problem."""

    def __init__(self, check: str, detail: str) -> None:
        super().__init__(f"{check}: {detail}")
        self.check = check
        self.detail = detail


Setting = tuple[str, dict[str, float]]


def parameter_settings(act: Activation) -> list[Setting]:
    """``(where, values)``: the defaults, then each bounded parameter at its min and max (and
    its middle when the default is one of those), the others at their defaults.

    ``where`` is empty for the defaults and reads like ``when a=5 (its max)`` otherwise.
    """
    defaults = act.defaults()
    settings: list[Setting] = [("", defaults)]
    seen = {tuple(defaults.items())}
    for p in act.params:
        if p.min is None or p.max is None:
            continue
        points = [("min", p.min), ("max", p.max)]
        if p.default in (p.min, p.max):
            points.append(("middle", 0.5 * (p.min + p.max)))
        for tag, value in points:
            values = {**defaults, p.name: float(value)}
            key = tuple(values.items())
            if key not in seen:
                seen.add(key)
                settings.append((f" when {p.name}={_fmt(value)} (its {tag})", values))
    return settings


def validate_activation(act: Activation) -> ValidationReport:
    """Run every check; never raises for a misbehaving plugin."""
    report = ValidationReport(act.name)
    for p in act.params:
        bounded = p.is_scalar and p.min is not None and p.max is not None
        if bounded and not (p.min <= p.default <= p.max):
            report.add("params", False, f"default {p.name}={p.default} outside [{p.min}, {p.max}]")
            return report
        if p.name == "x":
            report.add("params", False, "a parameter may not be called 'x'")
            return report
    passed: dict[str, str] = {}
    try:
        for i, (where, values) in enumerate(parameter_settings(act)):
            _check_setting(act, where, values, passed, first=i == 0)
    except _Failed as failure:
        passed.pop(failure.check, None)  # it passed at an earlier setting, not at this one
        report.checks.extend(Check(name, True, detail) for name, detail in passed.items())
        report.add(failure.check, False, failure.detail)
        cause = failure.__cause__
        if cause is not None:
            report.traceback = trimmed_traceback(cause)
            report.exception = type(cause).__name__
        return report
    report.checks.extend(Check(name, True, detail) for name, detail in passed.items())
    return report


def _check_setting(
    act: Activation, where: str, values: dict[str, float], passed: dict[str, str], first: bool
) -> None:
    """Every check at one parameter setting; raises :class:`_Failed` at the first problem."""
    x, y = _curves_call(act, where, values)
    passed.setdefault("fn", "")
    race_x, race_y = _race_call(act, act.fn, where, values, torch.float32, passed)
    if act.train_fn is not None:
        _race_call(act, act.train_fn, where, values, torch.float32, {}, label="train_fn")
    if first:
        _race_call(act, act.fn, where, values, torch.float64, {})
        _race_derivative(act, values, race_x)
        _bfloat16_call(act, values, passed)
        if act.stochastic:
            passed["deterministic"] = "declared stochastic: not checked"
        else:
            _check_deterministic(act, values, race_x, race_y)
            passed.setdefault("deterministic", "")
        _check_device(act, values, race_x, passed)
        if not act.stochastic:
            _check_fd_gradient(act, values, passed, x, y)
    _check_derivative(act, where, values, passed, x, y)


def _run(
    act: Activation, fn: Callable, x: torch.Tensor, params: Mapping, what: str
) -> torch.Tensor:
    try:
        out = fn(x, **params_like(params, x))
    except Exception as exc:  # noqa: BLE001 - a plugin may raise anything
        raise _Failed("fn", f"raised {_describe(exc)}{what}{located(exc)}") from exc
    if not isinstance(out, torch.Tensor):
        raise _Failed("fn", f"returned {type(out).__name__}, expected a torch.Tensor{what}")
    return out


def _dtype(t: torch.dtype) -> str:
    return str(t).removeprefix("torch.")


def _curves_call(
    act: Activation, where: str, values: dict[str, float]
) -> tuple[torch.Tensor, torch.Tensor]:
    """1-D float64 x and float parameters, as the Curves view and Properties call ``fn``.

    Returns ``(x, f(x))`` with the gradient graph, for the derivative check.
    """
    x = (vector_input(act) if act.is_vector else scalar_grid()).requires_grad_(True)
    what = f" (float64 input{where})" if where else ""
    with torch.enable_grad():
        y = _run(act, act.fn, x, values, what)
    want = expected_shape(act, x.shape)
    if y.shape != want:
        raise _Failed(
            "shape",
            f"output shape {tuple(y.shape)} for input {tuple(x.shape)}, expected {tuple(want)}"
            f"{where}",
        )
    if y.dtype != x.dtype:
        raise _Failed("dtype", f"returns {_dtype(y.dtype)} for float64 input{where}")
    _require_finite(act, x.detach(), y.detach(), f"float64{where}")
    if act.is_vector:
        line = torch.linspace(-6.0, 6.0, 13, dtype=torch.float64)
        try:
            along_line(act, line, values)
        except Exception as exc:  # noqa: BLE001
            raise _Failed("fn", f"fails on the Curves view's input: {_describe(exc)}") from exc
    return x, y


def _require_finite(act: Activation, x: torch.Tensor, y: torch.Tensor, what: str) -> None:
    bad = ~torch.isfinite(y)
    if bad.any():
        raise _Failed(
            "finite",
            f"NaN/inf output for finite input ({what}) at {_where_bad(act, x, bad)}: "
            f"{int(bad.sum())} of {bad.numel()} values",
        )


def _where_bad(act: Activation, x: torch.Tensor, bad: torch.Tensor) -> str:
    """``x=100`` for elementwise kinds (the first bad input), ``row N`` for vector kinds."""
    idx = int(bad.reshape(-1).nonzero()[0])
    if act.kind == "elementwise" and bad.shape == x.shape:
        return f"x={_fmt(float(x.reshape(-1)[idx]))}"
    return f"row {idx // bad.shape[-1]}"


def _race_call(
    act: Activation,
    fn: Callable,
    where: str,
    values: dict[str, float],
    dtype: torch.dtype,
    passed: dict[str, str],
    label: str = "fn",
) -> tuple[torch.Tensor, torch.Tensor]:
    """``fn`` on race-shaped x and parameters; then autograd through it, as training does."""
    x = _race_x(act.kind, dtype).clone().requires_grad_(True)
    params = race_params(act, values, dtype=dtype)
    shape = describe_shape(x.shape)
    axes = "models, units, points" if act.kind == "elementwise" else "models, points, units"
    name = "" if label == "fn" else f"{label} "
    with torch.enable_grad():
        try:
            y = fn(x, **params)
        except Exception as exc:  # noqa: BLE001
            blame, tip = _race_blame(act, fn, x, values, params, where, exc)
            raise _Failed("race", blame + located(exc) + tip) from exc
    if not isinstance(y, torch.Tensor):
        raise _Failed("race", f"{name}returned {type(y).__name__} in a race, expected a tensor")
    want = race_output_shape(act, tuple(x.shape))
    if tuple(y.shape) != want:
        raise _Failed(
            "shape",
            f"{name}output shape {describe_shape(y.shape)} for x of shape {shape} ({axes}) as "
            f"in a race, expected {describe_shape(want)}{where}",
        )
    if y.dtype != x.dtype:
        raise _Failed(
            "dtype", f"{name}returns {_dtype(y.dtype)} for {_dtype(x.dtype)} input{where}"
        )
    _require_finite(act, x.detach(), y.detach(), f"{_dtype(dtype)}, {label}{where}")
    tensors = [f"{k} {describe_shape(v.shape)}" for k, v in params.items() if torch.is_tensor(v)]
    learnt = f"; {', '.join(tensors)}" if tensors else ""
    passed.setdefault("race", f"x {shape} ({axes}){learnt}")
    passed.setdefault("shape", "")
    passed.setdefault("dtype", "float32, float64")
    passed.setdefault("finite", "")
    if dtype == torch.float32:
        _check_gradients(act, x, y, params, where, passed, name)
    return x.detach(), y.detach()


def _race_derivative(act: Activation, values: dict[str, float], x: torch.Tensor) -> None:
    """A race also calls a vector kind's declared derivative on race shapes (dead units)."""
    if act.derivative is None or not act.is_vector:
        return
    params = {k: _plain(v) for k, v in race_params(act, values, dtype=x.dtype).items()}
    try:
        d = act.derivative(x, **params)
    except Exception as exc:  # noqa: BLE001
        raise _Failed(
            "derivative",
            f"raised {_describe(exc)} for x of shape {describe_shape(x.shape)} as in a race",
        ) from exc
    if not isinstance(d, torch.Tensor) or d.shape != x.shape:
        got = describe_shape(d.shape) if isinstance(d, torch.Tensor) else type(d).__name__
        raise _Failed(
            "derivative",
            f"returns {got} for x of shape {describe_shape(x.shape)} as in a race, "
            f"expected {describe_shape(x.shape)}",
        )


def _race_blame(
    act: Activation,
    fn: Callable,
    x: torch.Tensor,
    values: dict[str, float],
    params: Mapping[str, object],
    where: str,
    exc: BaseException,
) -> tuple[str, str]:
    """Say what about the race's call broke ``fn``: a tensor parameter, or x's shape;
    and a hint for vector parameters (``"; hint: ..."`` or ``""``)."""
    tensors = [k for k, v in params.items() if isinstance(v, torch.Tensor)]
    if tensors:
        try:
            fn(x.detach(), **values)
        except Exception:  # noqa: BLE001 - then x's shape is to blame as well
            pass
        else:
            return _tensor_param_blame(act, params, tensors, where, exc)
    axes = "models, units, points" if act.kind == "elementwise" else "models, points, units"
    message = (
        f"fails on x of shape {describe_shape(x.shape)} ({axes}) as in a race{where}: "
        f"{_describe(exc)}"
    )
    return message, ""


def _tensor_param_blame(
    act: Activation,
    params: Mapping[str, object],
    tensors: list[str],
    where: str,
    exc: BaseException,
) -> tuple[str, str]:
    """``fn`` works with float parameters but not with the race's tensors: name each
    parameter's own shape and why it has it."""
    by_name = {p.name: p for p in act.params}
    shapes, reasons = [], []
    for key in tensors:
        p = by_name.get(key)
        why = "one value per model"
        if p is not None and p.per_unit:
            why = "one value per model and unit" + (", k on the last axis" if p.vector else "")
        elif p is not None and p.vector:
            why = f"one vector of {p.vector[0]} per model, on the last axis"
        shape = describe_shape(params[key].shape)  # type: ignore[union-attr]
        shapes.append(f"{key} is a tensor of shape {shape}")
        reasons.append(why if len(tensors) == 1 else f"{key}: {why}")
    vectors = [k for k in tensors if k in by_name and by_name[k].vector]
    tip = f"; {VECTOR_INDEX}" if vectors else ""
    message = (
        f"fails when {' and '.join(shapes)} as in a race ({'; '.join(reasons)}){where}: "
        f"{_describe(exc)}"
    )
    return message, tip


def _check_device(
    act: Activation, values: dict[str, float], x: torch.Tensor, passed: dict[str, str]
) -> None:
    """Tensors made on a fixed device would break a GPU race; catch them on the CPU."""
    params = {k: _plain(v) for k, v in race_params(act, values, dtype=x.dtype).items()}
    found = fixed_device_calls(act.fn, x, params)
    if found:
        what, at = found[0]
        raise _Failed(
            "device",
            f"{what} gives a CPU tensor, so a race on a GPU fails (at {at}); {FIXED_DEVICE}",
        )
    passed.setdefault("device", "no tensor made on a fixed device")


def _check_fd_gradient(
    act: Activation,
    values: dict[str, float],
    passed: dict[str, str],
    x: torch.Tensor,
    y: torch.Tensor,
) -> None:
    """autograd's f' (what training follows) against central differences of f."""
    if not y.requires_grad or act.kind != "elementwise":
        return
    params = params_like(values, x)
    try:
        ref = reference_derivative(act, x, params).detach()
        fd = finite_difference(act, x.detach(), params)
    except Exception:  # noqa: BLE001 - the autograd check reports a failing backward
        return
    xs = x.detach()
    core = (xs.abs() <= 10) & (xs != 0) & torch.isfinite(ref) & torch.isfinite(fd)
    wrong = core & ((ref - fd).abs() > 1e-3 + 1e-2 * fd.abs())
    share = float(wrong.sum()) / max(1, int(core.sum()))
    if share > GRADIENT_SHARE:
        gap = (ref - fd).abs().masked_fill(~wrong, -1.0)
        idx = int(gap.reshape(-1).argmax())
        at = f"x={_fmt(float(xs.reshape(-1)[idx]))}{_with(values)}"
        raise _Failed(
            "gradient",
            f"autograd's f' disagrees with finite differences of f at {at}: autograd "
            f"{_fmt(float(ref.reshape(-1)[idx]))}, finite differences "
            f"{_fmt(float(fd.reshape(-1)[idx]))} ({int(wrong.sum())} of {int(core.sum())} "
            "points); training follows autograd: check a custom backward, or a .detach() "
            "on part of x",
        )
    passed.setdefault("gradient", "autograd's f' agrees with finite differences")


def _with(values: Mapping[str, object]) -> str:
    """`` with a=1, b=0`` for the scalar parameter values, or ''."""
    shown = [
        f"{k}={_fmt(v) if isinstance(v, float) else v}"
        for k, v in values.items()
        if isinstance(v, (int, float, str))
    ]
    return f" with {', '.join(shown)}" if shown else ""


def _check_gradients(
    act: Activation,
    x: torch.Tensor,
    y: torch.Tensor,
    params: Mapping[str, object],
    where: str,
    passed: dict[str, str],
    name: str,
) -> None:
    """Autograd through ``fn`` in float32: finite in x, and reaching every learnable value."""
    learnable = {k: v for k, v in params.items() if isinstance(v, torch.Tensor)}
    if not y.requires_grad:
        if learnable:
            raise _Failed("learnable", f"no gradient reaches learnable {', '.join(learnable)}")
        raise _Failed(
            "autograd",
            f"{name or 'fn '}returns a tensor with no gradient graph, so a network cannot "
            "learn through it (was it computed with numpy, .item(), .detach() or "
            "torch.no_grad()?); compute it with torch operations on x",
        )
    inputs = [x, *learnable.values()]
    try:
        grads = torch.autograd.grad(y.sum(), inputs, allow_unused=True)
    except Exception as exc:  # noqa: BLE001
        raise _Failed(
            "autograd", f"backward through {name or 'fn '}fails: {_describe(exc)}"
        ) from exc
    gx, *gp = grads
    if gx is not None and act.derivative is None:
        bad = ~torch.isfinite(gx)
        if bad.any():
            raise _Failed(
                "autograd",
                f"{name}f' by autograd is NaN/inf at {_where_bad(act, x.detach(), bad)} "
                f"(float32{where}) although f is finite there; training back-propagates "
                f"through fn, so keep every branch finite (e.g. exp(min(x, 0)) inside a where)",
            )
    for key, g in zip(learnable, gp, strict=True):
        if g is None:
            raise _Failed("learnable", f"no gradient reaches learnable {key}")
        if not torch.isfinite(g).all():
            raise _Failed(
                "learnable", f"the gradient of learnable {key} is NaN/inf (float32{where})"
            )
    finite = "f' finite in float32 up to |x| = 1e4" if act.derivative is None else ""
    passed.setdefault("autograd", finite)
    if learnable:
        passed.setdefault("learnable", "")


def _bfloat16_call(act: Activation, values: dict[str, float], passed: dict[str, str]) -> None:
    """bfloat16 on the CPU: the dtype must be kept; an op missing for bfloat16 is only noted."""
    x = (vector_input(act) if act.is_vector else scalar_grid()).to(torch.bfloat16)
    try:
        with torch.no_grad():
            y = act.fn(x, **params_like(values, x))
    except Exception as exc:  # noqa: BLE001
        passed["dtype"] = f"float32, float64; bfloat16 not run on CPU ({_describe(exc)})"
        return
    if isinstance(y, torch.Tensor) and y.dtype != torch.bfloat16:
        raise _Failed("dtype", f"returns {_dtype(y.dtype)} for bfloat16 input")
    passed["dtype"] = "float32, float64, bfloat16"


def _check_deterministic(
    act: Activation, values: dict[str, float], x: torch.Tensor, first: torch.Tensor
) -> None:
    """Evaluation form twice on the same race input: a random activation must say so."""
    params = race_params(act, values, dtype=x.dtype)
    with torch.no_grad():
        again = act.fn(x, **{k: _plain(v) for k, v in params.items()})
    if torch.equal(first, again) or torch.allclose(first, again, rtol=0, atol=0, equal_nan=True):
        return
    gap = (first - again).abs().nan_to_num(0.0)
    idx = int(gap.reshape(-1).argmax())
    at = _fmt(float(x.reshape(-1)[idx])) if act.kind == "elementwise" else "?"
    raise _Failed(
        "deterministic",
        f"two calls on the same input differ (|diff| {_fmt(float(gap.reshape(-1)[idx]))} at "
        f"x={at}); declare stochastic=True for a random activation, or put the randomness "
        "in train_fn",
    )


def _plain(v: object) -> object:
    return v.detach() if isinstance(v, torch.Tensor) else v


def _check_derivative(
    act: Activation,
    where: str,
    params: dict[str, float],
    passed: dict[str, str],
    x: torch.Tensor,
    y: torch.Tensor,
) -> None:
    """A declared derivative against autograd of ``y = fn(x)`` (float64), or central
    differences where autograd has nothing to say (computed only where they are needed)."""
    if act.derivative is None:
        return
    try:
        ref = autograd_derivative(act, x, y)
    except Exception as exc:  # noqa: BLE001
        raise _Failed("autograd", f"autograd through fn failed{where}: {_describe(exc)}") from exc
    x = x.detach()
    try:
        d = _call(act, act.derivative, x, params)
    except Exception as exc:  # noqa: BLE001
        raise _Failed("derivative", f"raised {_describe(exc)}{where}") from exc
    if d.shape != x.shape:
        raise _Failed("derivative", f"shape {tuple(d.shape)}, expected {tuple(x.shape)}{where}")
    d = d.detach().to(torch.float64)
    if not torch.isfinite(d).all():
        raise _Failed("derivative", f"NaN/inf derivative for finite input{where}")
    close_ref = (d - ref).abs() <= ATOL + RTOL * ref.abs()
    if bool(close_ref.all()):
        passed.setdefault("derivative", "")
        return
    fd = finite_difference(act, x, params)
    close_fd = (d - fd).abs() <= ATOL + RTOL * fd.abs()
    agree = close_ref | close_fd
    # Near a jump both references are useless; ignore points where they disagree wildly.
    usable = torch.isfinite(fd) & ((fd.abs() < 1e5) | torch.isfinite(ref))
    if act.kind == "elementwise":
        usable &= x != 0  # x = 0 exactly is a kink of many activations
    wrong = ~agree & usable
    if wrong.any():
        reference = torch.where(torch.isnan(ref), fd, ref)
        idx = _most_revealing(x, d, reference, wrong)
        flat_x = float(x.reshape(-1)[idx])
        at = f"x={_fmt(flat_x)}" if act.kind == "elementwise" else f"row {idx // x.shape[-1]}"
        gap = float((d - reference).abs().reshape(-1)[idx])
        source = defined_at(act.derivative)
        source = f"; the derivative is defined at {source}" if source else ""
        raise _Failed(
            "derivative",
            f"declared derivative disagrees with autograd at {at}{_with(params)}{where}: "
            f"declared {_fmt(float(d.reshape(-1)[idx]))}, autograd "
            f"{_fmt(float(reference.reshape(-1)[idx]))} "
            f"(|diff| {_fmt(gap)}; {int(wrong.sum())} of {wrong.numel()} points disagree)"
            f"{source}",
        )
    passed.setdefault("derivative", "")


def _most_revealing(
    x: torch.Tensor, d: torch.Tensor, reference: torch.Tensor, wrong: torch.Tensor
) -> int:
    """The disagreeing point where the gap is largest relative to the curve's scale there:
    ``|d - f'| / (|f'| + s)``, ``s`` the typical |f'| on -10..10, so a tiny relative error
    at x = 1e4 does not hide a sign error near 0. Points within -10..10 come first."""
    flat_x = x.reshape(-1)
    ref = reference.reshape(-1)
    finite = torch.isfinite(ref)
    core_mask = (flat_x.abs() <= 10) & finite if x.dim() == 1 else finite
    scale = float(ref[core_mask].abs().median()) if bool(core_mask.any()) else 1.0
    score = (d.reshape(-1) - ref).abs() / (ref.abs() + max(scale, ATOL))
    score = score.nan_to_num(0.0, posinf=0.0)
    candidates = wrong.reshape(-1)
    in_core = candidates & core_mask
    if bool(in_core.any()):
        candidates = in_core
    score = score.masked_fill(~candidates, -1.0)
    return int(score.argmax())

"""Properties of an activation measured from the function itself, never copied from metadata.

Everything here is computed on grids in float64: the output range on a wide grid, values
and slopes at 0, monotonicity, the continuity class of f / f' / f'' (jumps found by
refining suspicious steps until it is clear whether they shrink), moments of f(z) and
f'(z)^2 for z ~ N(0, 1) by quadrature on a fine grid, and the cost of one forward pass
relative to ReLU. :func:`disagreements` compares a plugin's declared metadata with them.
Vector activations are measured along the same line that :mod:`.curves` draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import torch

from ..api import DECLARED_FIELDS, Activation
from .cost import measure_cost
from .curves import along_line, vector_view

#: Far points for the output range; an end still growing between 1e3 and 1e4 is unbounded.
FAR = 1e4
NEAR_FAR = 1e3
#: Continuity is examined on [-SPAN, SPAN], offset so typical kink positions are never grid points.
SPAN = 12.0
CONTINUITY_POINTS = 24_001
#: Quadrature grid for z ~ N(0, 1): trapezoid on [-12, 12] (kinks cost ~h^2 of accuracy).
QUAD_POINTS = 120_001
QUAD_SPAN = 12.0
FD2_STEP = 1e-7
ZERO_SLOPE = 1e-12
#: A declared derivative agrees with autograd within these tolerances.
DERIVATIVE_ATOL = 1e-4
DERIVATIVE_RTOL = 1e-3
#: |E f(z)| below this fraction of the standard deviation of f(z) counts as zero-centred.
ZERO_CENTRED_SIGMAS = 0.1
CONTINUITY_CLASSES = ("discontinuous", "C0", "C1", "C2+")
#: The continuity class shown for a declared ``stochastic`` activation (noise is no jump).
STOCHASTIC = "stochastic"

Fn = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class Properties:
    """Measured properties of one activation at one set of parameter values."""

    name: str
    params: dict[str, float]
    view: str
    range_lo: float
    range_hi: float
    f0: float
    d0: float
    max_abs_d1: float
    argmax_abs_d1: float  # NaN when the maximum holds on a whole interval
    monotonic: bool
    increasing: bool
    continuity: str
    jumps: dict[str, float]
    mean: float
    var: float
    grad_gain: float
    dead_fraction: float
    cost: float | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def zero_centred(self) -> bool:
        return abs(self.mean) <= ZERO_CENTRED_SIGMAS * math.sqrt(max(self.var, 0.0)) + 1e-9

    def as_row(self) -> dict[str, object]:
        """Plain values for tables and CSV."""
        return {
            "name": self.name,
            "range_lo": self.range_lo,
            "range_hi": self.range_hi,
            "f(0)": self.f0,
            "f'(0)": self.d0,
            "max|f'|": self.max_abs_d1,
            "monotonic": self.monotonic,
            "continuity": self.continuity,
            "E[f(z)]": self.mean,
            "Var[f(z)]": self.var,
            "E[f'(z)^2]": self.grad_gain,
            "P(f'(z)=0)": self.dead_fraction,
            "cost_vs_relu": self.cost,
            "flags": "; ".join(self.flags),
        }


# -- evaluation along the measured line ---------------------------------------------------


def _functions(act: Activation, params: Mapping[str, float]) -> tuple[Fn, Fn, Fn]:
    """f, f' and f'' of a float64 1-D tensor, each returning a detached tensor.

    f' and f'' come from autograd through ``fn`` (what training sees), never from the
    declared derivative, which :func:`derivative_problem` checks against them instead.
    """

    def f(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return along_line(act, x, params).to(torch.float64)

    def d1_graph(x: torch.Tensor, create_graph: bool) -> torch.Tensor:
        y = along_line(act, x, params)
        if not y.requires_grad:
            return torch.zeros_like(x)
        (g,) = torch.autograd.grad(y.sum(), x, create_graph=create_graph, allow_unused=True)
        return torch.zeros_like(x) if g is None else g

    def d1(x: torch.Tensor) -> torch.Tensor:
        xg = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            return d1_graph(xg, create_graph=False).detach()

    def d2(x: torch.Tensor) -> torch.Tensor:
        xg = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            g = d1_graph(xg, create_graph=True)
            if g.requires_grad:
                (h,) = torch.autograd.grad(g.sum(), xg, allow_unused=True)
                if h is not None:
                    return h.detach()
        # No graph through f' (piecewise-constant, e.g. ReLU's): central differences.
        return (d1(x + FD2_STEP) - d1(x - FD2_STEP)) / (2 * FD2_STEP)

    return f, d1, d2


def derivative_problem(act: Activation, params: Mapping[str, float], d1: Fn) -> str | None:
    """How the declared derivative disagrees with the measured f' (autograd), or ``None``.

    Compared on [-10, 10] offset so that kinks fall between points; vector kinds declare a
    Jacobian diagonal that is not the view line's slope, and are left to validation.
    """
    if act.derivative is None or act.is_vector:
        return None
    x = _t(continuity_grid()[:: CONTINUITY_POINTS // 2000]) * (10.0 / SPAN)
    with torch.no_grad():
        declared = act.derivative(x, **params).to(torch.float64)
    measured = d1(x)
    wrong = (declared - measured).abs() > DERIVATIVE_ATOL + DERIVATIVE_RTOL * measured.abs()
    wrong &= torch.isfinite(measured)
    if not bool(wrong.any()):
        return None
    gap = (declared - measured).abs().masked_fill(~wrong, -1.0)
    i = int(gap.argmax())
    return (
        f"derivative: declared f'({_fmt(float(x[i]))}) = {_fmt(float(declared[i]))}, measured "
        f"{_fmt(float(measured[i]))} by autograd ({int(wrong.sum())} of {x.numel()} points differ)"
    )


def _t(values: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values, dtype=np.float64))


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float64).numpy()


# -- continuity ---------------------------------------------------------------------------


def continuity_grid() -> np.ndarray:
    """[-SPAN, SPAN] shifted by an irrational fraction of a step (kinks fall between points)."""
    xs = np.linspace(-SPAN, SPAN, CONTINUITY_POINTS)
    return xs + (xs[1] - xs[0]) * (math.sqrt(2.0) - 1.0)


def find_jump(g: Fn, xs: np.ndarray, values: np.ndarray) -> float | None:
    """The x of a jump of ``g`` on the grid, or ``None`` when ``g`` looks continuous.

    A step of ``g`` between neighbours that towers over the steps beside it is refined
    by bisection; it is a jump when its height does not shrink with the interval.
    """
    finite = np.isfinite(values)
    if finite.sum() < 8:
        return None
    v = np.where(finite, values, np.nan)
    steps = np.abs(np.diff(v))
    scale = float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 1.0
    floor = 1e-9 * (1.0 + scale)
    padded = np.pad(steps, 2, constant_values=np.nan)
    neighbours = np.fmax(padded[:-4], padded[4:])
    neighbours = np.where(np.isnan(neighbours), 0.0, neighbours)
    spikes = np.flatnonzero((steps > 4.0 * neighbours + floor) & np.isfinite(steps))
    if spikes.size == 0:
        return None
    order = spikes[np.argsort(steps[spikes])[::-1]][:12]
    for i in order:
        where = _refine(g, float(xs[i]), float(xs[i + 1]), scale)
        if where is not None:
            return where
    return None


def _value(g: Fn, x: float) -> float:
    return float(g(torch.tensor([x], dtype=torch.float64))[0])


def _refine(g: Fn, a: float, b: float, scale: float) -> float | None:
    """Bisect towards the larger step; report a jump whose height survives shrinking."""
    ga, gb = _value(g, a), _value(g, b)
    for _ in range(24):
        m = 0.5 * (a + b)
        gm = _value(g, m)
        if not all(math.isfinite(v) for v in (ga, gb, gm)):
            return None
        if abs(gm - ga) >= abs(gb - gm):
            b, gb = m, gm
        else:
            a, ga = m, gm
    c = 0.5 * (a + b)
    wide = abs(_value(g, c + 1e-4) - _value(g, c - 1e-4))
    narrow = abs(_value(g, c + 1e-6) - _value(g, c - 1e-6))
    if not (math.isfinite(wide) and math.isfinite(narrow)):
        return None
    if narrow > 1e-6 * (1.0 + scale) and narrow > 0.5 * wide:
        return c
    return None


def continuity(act: Activation, params: Mapping[str, float]) -> tuple[str, dict[str, float]]:
    """The continuity class (``discontinuous``, ``C0``, ``C1``, ``C2+``) and where f, f', f'' jump.

    ``C2+`` means no jump was found in f, f' or f'' on [-12, 12]; higher orders are not
    examined, so it agrees with a declared ``C2`` or ``Cinf``.
    """
    f, d1, d2 = _functions(act, dict(params))
    xs = continuity_grid()
    x = _t(xs)
    jumps: dict[str, float] = {}
    for label, g, cls in (("f", f, "discontinuous"), ("f'", d1, "C0"), ("f''", d2, "C1")):
        where = find_jump(g, xs, _np(g(x)))
        if where is not None:
            jumps[label] = where
            return cls, jumps
    return "C2+", jumps


# -- range, moments, slope ----------------------------------------------------------------


def wide_grid() -> np.ndarray:
    """Dense near 0, then log-spaced out to +-FAR, so both detail and tails are covered."""
    tail = np.logspace(1.0, math.log10(FAR), 400)
    core = np.linspace(-10.0, 10.0, 8001)
    return np.unique(np.concatenate([-tail[::-1], core, tail, [0.0]]))


def _unbounded(far: float, near: float) -> bool:
    """An end is unbounded when it is still growing in size between |x| = 1e3 and 1e4."""
    return abs(far) > 10.0 and abs(far) > 2.0 * abs(near)


def range_inputs(act: Activation) -> torch.Tensor:
    """Inputs for the output range: the wide grid, or a grid of whole vectors for vector kinds.

    A vector activation gets every pair (u, v) of a coarse wide grid as (u, v, 0); a gated
    one gets every pair as its halves (a, b), so GLU's range covers a * sigmoid(b), not
    only the drawn line.
    """
    if not act.is_vector:
        return _t(wide_grid())
    coarse = np.unique(
        np.concatenate(
            [-np.logspace(-2, math.log10(FAR), 150), [0.0], np.logspace(-2, math.log10(FAR), 150)]
        )
    )
    u, v = np.meshgrid(coarse, coarse, indexing="ij")
    pairs = np.stack([u.ravel(), v.ravel()], axis=1)
    if act.kind == "vector":
        pairs = np.concatenate([pairs, np.zeros((pairs.shape[0], 1))], axis=1)
    return _t(pairs)


def output_range(act: Activation, params: Mapping[str, float]) -> tuple[float, float]:
    """Min and max of f over :func:`range_inputs`; an end that keeps growing is infinite."""
    x = range_inputs(act)
    with torch.no_grad():
        y = act.fn(x, **params).to(torch.float64)
    size = x.abs().amax(dim=-1) if act.is_vector else x.abs()
    if act.is_vector:
        size = size[:, None].expand_as(y)
    ys, sizes = _np(y).ravel(), _np(size).ravel()
    keep = np.isfinite(ys)
    ys, sizes = ys[keep], sizes[keep]
    if ys.size == 0:
        return math.nan, math.nan
    lo, hi = float(ys.min()), float(ys.max())
    near = ys[sizes <= NEAR_FAR]
    if near.size:
        if lo < 0 and _unbounded(lo, float(near.min())):
            lo = -math.inf
        if hi > 0 and _unbounded(hi, float(near.max())):
            hi = math.inf
    return lo, hi


def normal_grid() -> tuple[np.ndarray, np.ndarray]:
    """Quadrature nodes and trapezoid weights for E[g(z)], z ~ N(0, 1)."""
    z = np.linspace(-QUAD_SPAN, QUAD_SPAN, QUAD_POINTS)
    h = z[1] - z[0]
    w = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * h
    w[0] *= 0.5
    w[-1] *= 0.5
    return z, w / w.sum()


def gaussian_moments(f: Fn, d1: Fn) -> tuple[float, float, float, float]:
    """E[f(z)], Var[f(z)], E[f'(z)^2] and P(f'(z) = 0) for z ~ N(0, 1)."""
    z, w = normal_grid()
    zt = _t(z)
    fz = _np(f(zt))
    dz = _np(d1(zt))
    mean = float(np.sum(w * fz))
    var = float(np.sum(w * (fz - mean) ** 2))
    gain = float(np.sum(w * dz * dz))
    dead = float(np.sum(w[np.abs(dz) <= ZERO_SLOPE]))
    return mean, var, gain, dead


def monotonicity(f: Fn) -> tuple[bool, bool]:
    """(monotonic, increasing) from f on a dense grid, allowing rounding-size wiggles."""
    xs = wide_grid()
    ys = _np(f(_t(xs)))
    ys = ys[np.isfinite(ys)]
    steps = np.diff(ys)
    tol = 1e-12 * (1.0 + float(np.max(np.abs(ys)))) if ys.size else 0.0
    rising = bool(np.all(steps >= -tol))
    falling = bool(np.all(steps <= tol))
    increasing = rising or (not falling and float(ys[-1] - ys[0]) >= 0)
    return rising or falling, increasing


def measure(act: Activation, params: Mapping[str, float] | None = None) -> Properties:
    """Measure every property of ``act`` with ``params`` (defaults fill the gaps).

    The cost column is left empty; :func:`relative_cost` fills it (it takes timing).
    """
    values = {**act.defaults(), **(params or {})}
    f, d1, _ = _functions(act, values)
    zero = torch.zeros(1, dtype=torch.float64)
    xs = wide_grid()
    dx = _np(d1(_t(xs)))
    finite = np.isfinite(dx)
    if finite.any():
        magnitude = np.where(finite, np.abs(dx), -1.0)
        idx = int(np.argmax(magnitude))
        max_abs, arg = float(abs(dx[idx])), float(xs[idx])
        if np.count_nonzero(magnitude >= max_abs * (1 - 1e-9)) > 8:
            arg = math.nan  # reached on a whole interval (ReLU's slope 1): no single place
    else:
        max_abs, arg = math.nan, math.nan
    lo, hi = output_range(act, values)
    mono, increasing = monotonicity(f)
    cls, jumps = (STOCHASTIC, {}) if act.stochastic else continuity(act, values)
    mean, var, gain, dead = gaussian_moments(f, d1)
    props = Properties(
        name=act.name,
        params={k: v for k, v in values.items() if not isinstance(v, torch.Tensor)},
        view=vector_view(act),
        range_lo=lo,
        range_hi=hi,
        f0=float(f(zero)[0]),
        d0=float(d1(zero)[0]),
        max_abs_d1=max_abs,
        argmax_abs_d1=arg,
        monotonic=mono,
        increasing=increasing,
        continuity=cls,
        jumps=jumps,
        mean=mean,
        var=var,
        grad_gain=gain,
        dead_fraction=dead,
    )
    props.flags = disagreements(act, props)
    problem = derivative_problem(act, values, d1)
    if problem:
        props.flags.append(problem)
    return props


# -- declared vs measured -----------------------------------------------------------------


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.4g}"


def _bound_problem(side: str, declared: float, measured: float) -> str | None:
    tol = 1e-3 * (1.0 + abs(declared)) if math.isfinite(declared) else 0.0
    if side == "lower":
        if measured < declared - tol:
            return (
                f"output goes below the declared lower bound {_fmt(declared)} "
                f"(min {_fmt(measured)})"
            )
        if math.isinf(declared) and math.isfinite(measured):
            return f"declared unbounded below, but the measured minimum is {_fmt(measured)}"
        if math.isfinite(declared) and measured > declared + max(tol, 0.01 * (1 + abs(declared))):
            return f"declared lower bound {_fmt(declared)} is never reached (min {_fmt(measured)})"
    else:
        if measured > declared + tol:
            return (
                f"output exceeds the declared upper bound {_fmt(declared)} (max {_fmt(measured)})"
            )
        if math.isinf(declared) and math.isfinite(measured):
            return f"declared unbounded above, but the measured maximum is {_fmt(measured)}"
        if math.isfinite(declared) and measured < declared - max(tol, 0.01 * (1 + abs(declared))):
            return f"declared upper bound {_fmt(declared)} is never reached (max {_fmt(measured)})"
    return None


def smoothness_agrees(declared: str, measured: str) -> bool:
    """Whether a declared smoothness (api.SMOOTHNESS) matches a measured continuity class."""
    if measured == "C2+":
        return declared in ("C2", "Cinf")
    return declared == measured


def at_defaults(act: Activation, values: Mapping[str, float]) -> bool:
    """Whether ``values`` are the activation's default parameters (vector and per-unit
    values have no setting to differ from; options compare as they are)."""
    for k, v in act.defaults().items():
        got = values.get(k, v)
        if isinstance(v, torch.Tensor):
            continue
        if isinstance(v, str) or isinstance(got, str):
            if got != v:
                return False
        elif not math.isclose(float(got), float(v), rel_tol=1e-9, abs_tol=1e-12):
            return False
    return True


def declared_here(act: Activation, name: str, values: Mapping[str, float]) -> object:
    """What ``act`` declares for ``name`` at ``values``, or ``None`` when it says nothing there.

    A callable declaration speaks for every setting; a plain value was declared for the
    defaults (elu's range ``(-1, inf)`` holds at alpha = 1 only), so it speaks only there.
    """
    value = getattr(act, name)
    if value is None:
        return None
    if callable(value):
        return act.declared(name, values)
    return value if at_defaults(act, values) else None


def disagreements(act: Activation, props: Properties) -> list[str]:
    """Every declared property that the measurement contradicts, in words."""
    problems: list[str] = []
    declared: dict[str, object] = {}
    for name in DECLARED_FIELDS:
        try:
            declared[name] = declared_here(act, name, props.params)
        except Exception as exc:  # noqa: BLE001 - a plugin's callable may raise anything
            problems.append(f"{name}: the declaration raised {type(exc).__name__}: {exc}")
            declared[name] = None
    output_range, smoothness = declared["output_range"], declared["smoothness"]
    monotonic, zero_centered = declared["monotonic"], declared["zero_centered"]
    if output_range is not None:
        lo, hi = (float(v) for v in output_range)  # type: ignore[union-attr]
        for side, bound, measured in (
            ("lower", lo, props.range_lo),
            ("upper", hi, props.range_hi),
        ):
            problem = _bound_problem(side, bound, measured)
            if problem:
                problems.append(f"range: {problem}")
    if monotonic is not None and not act.stochastic and bool(monotonic) != props.monotonic:
        said = "monotonic" if monotonic else "not monotonic"
        found = "monotonic" if props.monotonic else "not monotonic"
        problems.append(f"monotonic: declared {said}, measured {found}")
    if (
        smoothness is not None
        and not act.stochastic
        and not smoothness_agrees(str(smoothness), props.continuity)
    ):
        where = ", ".join(f"{k} jumps at x={v:.4g}" for k, v in props.jumps.items())
        detail = f" ({where})" if where else ""
        problems.append(f"smoothness: declared {smoothness}, measured {props.continuity}{detail}")
    if zero_centered is not None and bool(zero_centered) != props.zero_centred:
        said = "zero-centred" if zero_centered else "not zero-centred"
        sigma = math.sqrt(max(props.var, 0.0))
        ratio = abs(props.mean) / sigma if sigma > 0 else math.inf
        problems.append(
            f"zero-centred: declared {said}, measured E[f(z)] = {props.mean:.3g} "
            f"({ratio:.2g} standard deviations)"
        )
    return problems


# -- cost ---------------------------------------------------------------------------------


def relative_cost(
    act: Activation,
    params: Mapping[str, float] | None = None,
    *,
    elements: int = 1 << 18,
    repeats: int = 15,
) -> float:
    """Forward time per element in float32 relative to ``torch.relu`` on the same input:
    the median of ``repeats`` interleaved rounds, cached (``actviz.analysis.cost``)."""
    return measure_cost(act, params, elements=elements, rounds=repeats, backward=False).ratio

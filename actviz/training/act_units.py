"""One activation at one hidden layer of a stack, with its derivative, for the tape-free step.

The tape-free step (``tape_free.py``) runs the network's matrix products itself and
asks each *unit* (a segment of models at one hidden layer) for its outputs and, in the
backward pass, for the gradient at its inputs. A unit takes the first of these ways
that applies:

* ``native``: torch's fused kernel pair for the function (``native_twins.py``), where
  it agrees with the plugin's ``fn`` and with autograd through it (checked below); for
  an activation with learnable parameters, the plugin's own ``torch.autograd.Function``
  (``fn.autograd_function``) called directly, where its values, input and parameter
  gradients agree with autograd through ``fn`` (checked below).
* ``declared``: the plugin's ``derivative``, used directly with no autograd at all,
  where it agrees with autograd through ``fn`` (checked below).
  Both need an elementwise, deterministic activation (and ``declared`` one without
  learnable parameters): otherwise training would follow a different gradient from
  the reference step's.
* ``autograd``: autograd on the activation alone (learnable parameters, vector and
  gated kinds, ``train_fn``, stochastic or undeclared derivatives): a tape of a few
  elementwise nodes, never over the network.
* ``failed``: the activation failed earlier; its models output zeros and get no gradient.

The checks run once per race on a probe in race shape at the segment's parameter
values, far stricter than the catalogue's check of declared derivatives (which flags
plainly wrong declarations). Plugin code run here is guarded: an error stops only that
activation, named (``model.ActivationError``), as in the reference step.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import torch

from ..api import Activation
from .model import ActivationError, Segment, check_output
from .native_twins import LearnableTwin, Twin, learnable_twin_for, twin_for
from .seeded_grad import grad as seeded_grad

#: A stand-in (twin or declared derivative) agrees with the plugin within these
#: tolerances: float32 rounding of one formula written two ways.
RTOL = 1e-5
ATOL = 1e-6
#: A learnable twin's parameter gradients (sums over all points) agree within this
#: fraction of the largest one.
PARAM_RTOL = 1e-4
#: Probe points per unit: a sweep of [-30, 30] offset from typical kinks, normal draws
#: of scale 3, a few far points and the non-finite ones (a diverging model must be
#: marked at the same step, so NaN and infinities must come out the same too).
PROBE_POINTS = 192
FAR_POINTS = (-1e4, -300.0, -60.0, 60.0, 300.0, 1e4, math.nan, math.inf, -math.inf)


class Unit:
    """A segment's models at one hidden layer: forward with what the backward needs."""

    def __init__(self, seg: Segment, layer: int, stand_ins: bool = True) -> None:
        self.seg = seg
        self.layer = layer
        self.act: Activation = seg.layer_activation(layer)
        act = self.act
        self.kwargs = seg.kwargs(layer)
        self.learnable = _learnable_at(seg, layer)
        self.fn: Callable[..., Any] = act.train_fn if act.train_fn is not None else act.fn
        self.elementwise = act.kind == "elementwise"
        self.gated = act.kind == "gated"
        self.twin: Twin | LearnableTwin | None = None
        self.why = ""
        plain = act.kind == "elementwise" and act.train_fn is None and not act.stochastic
        if seg.failed:
            self.mode = "failed"
        elif not stand_ins or not plain:
            self.mode = "autograd"
        elif self.learnable:  # a twin that also gives the parameters' gradients, or autograd
            leaves = {id(t) for t in self.learnable}
            named = {k: v for k, v in self.kwargs.items() if id(v) in leaves}
            self.twin = learnable_twin_for(act, self.kwargs, named)
            self.mode = "native" if self.twin is not None else "autograd"
        else:
            self.twin = twin_for(act.name, self.kwargs)
            self.mode = "native" if self.twin is not None else "declared"
            if self.mode == "declared" and act.derivative is None:
                self.mode = "autograd"

    @property
    def name(self) -> str:
        return self.seg.name

    def settle(self, shape: Sequence[int], device: torch.device) -> None:
        """Check the stand-in for autograd on a probe; on any disagreement fall back
        (native -> declared -> autograd) and keep the reason in ``why``."""
        while self.mode in ("native", "declared"):
            why = self._check(shape, device)
            if why is None:
                return
            self.why += f"{self.mode}: {why}; "
            if self.mode == "native" and self.act.derivative is not None:
                self.mode = "declared"
            else:
                self.mode = "autograd"

    # -- the step's calls --------------------------------------------------------------

    def call(self, z: torch.Tensor) -> torch.Tensor:
        """The plugin's activation of ``z`` ``[models, units, points]``, checked like
        ``Segment.call``."""
        out_units = z.shape[1] // 2 if self.gated else z.shape[1]
        try:
            if self.elementwise:
                out = self.fn(z, **self.kwargs)
            else:  # the contract puts the units on the last axis
                out = self.fn(z.transpose(1, 2), **self.kwargs).transpose(1, 2)
        except Exception as exc:  # noqa: BLE001 - any plugin error stops only this activation
            raise blame(self.name, exc) from exc
        check_output(self.name, out, z, out_units)
        return out

    def derivative(self, z: torch.Tensor) -> torch.Tensor:
        """The declared f'(z) (``declared`` units only)."""
        assert self.act.derivative is not None
        try:
            d = self.act.derivative(z, **self.kwargs)
        except Exception as exc:  # noqa: BLE001 - a plugin error stops only this activation
            raise blame(self.name, exc) from exc
        if not isinstance(d, torch.Tensor) or d.shape != z.shape or d.dtype != z.dtype:
            raise ActivationError(self.name, "its derivative returned a wrong shape or dtype")
        return d

    # -- checks ------------------------------------------------------------------------

    def _check_params(
        self, probe: torch.Tensor, out: torch.Tensor, params: dict[str, torch.Tensor]
    ) -> str | None:
        """The twin's parameter gradients against autograd's through ``fn``, summed over
        the probe points where ``fn`` is finite (elsewhere the model diverges either way)."""
        x = torch.where(torch.isfinite(out.detach()), probe, torch.full_like(probe, 0.5))
        names = list(params)
        with torch.enable_grad():
            value = self.fn(x, **self.kwargs)
            found = seeded_grad([value], [self.kwargs[n] for n in names], [torch.ones_like(value)])
        with torch.no_grad():
            twin: LearnableTwin = self.twin  # type: ignore[assignment]
            _, ctx = twin.forward(x, **self.kwargs)
            ours = twin.backward(torch.ones_like(x), ctx, **self.kwargs)[1]
        for name, measured in zip(names, found, strict=True):
            if measured is None:
                measured = torch.zeros_like(ours[name])
            mine = ours[name]
            if mine.shape != measured.shape or not torch.isfinite(mine).all():
                return f"its gradient for {name!r} has the wrong shape or is not finite"
            # sums over every probe point: float32 rounding grows with the number of
            # terms, so compare against the largest gradient rather than element-wise
            gap = float((mine - measured).abs().max())
            if gap > PARAM_RTOL * float(measured.abs().max()) + ATOL:
                return f"its gradient for {name!r} differs from autograd's by {gap:.3g}"
        return None

    def _check(self, shape: Sequence[int], device: torch.device) -> str | None:
        probe = _probe(shape, device)
        try:
            with torch.enable_grad():
                x = probe.clone().requires_grad_()
                out = self.fn(x, **self.kwargs)
                if not isinstance(out, torch.Tensor) or out.shape != x.shape:
                    return "fn does not keep the shape"
                measured = None
                if out.requires_grad:
                    (measured,) = seeded_grad([out], [x], [torch.ones_like(out)])
            if measured is None:
                measured = torch.zeros_like(probe)
            with torch.no_grad():
                if self.mode == "native":
                    assert self.twin is not None
                    ones = torch.ones_like(probe)
                    if isinstance(self.twin, LearnableTwin):
                        value, ctx = self.twin.forward(probe, **self.kwargs)
                        if not _close(value, out.detach()):
                            return "its values differ from fn's"
                        slope, params = self.twin.backward(ones, ctx, **self.kwargs)
                        why = self._check_params(probe, out, params)
                        if why is not None:
                            return why
                    else:
                        value = self.twin.forward(probe, **self.kwargs)
                        if not _close(value, out.detach()):
                            return "its values differ from fn's"
                        slope = self.twin.backward(ones, probe, value, **self.kwargs)
                else:
                    slope = self.derivative(probe)
        except Exception as exc:  # noqa: BLE001 - the training step reports plugin errors
            return f"{type(exc).__name__}: {exc}"
        # Where fn's value is itself non-finite the model's next weight gradient is too
        # (it multiplies that value), whatever the slope: compare slopes elsewhere.
        finite = torch.isfinite(out.detach())
        if not _close(slope[finite], measured[finite]):
            gap = (slope - measured)[finite].abs().nan_to_num(nan=float("inf")).max()
            return f"its slope differs from autograd's by up to {float(gap):.3g}"
        return None


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Close where both are finite, and non-finite (NaN or infinite) at the same places:
    a model whose values turn non-finite then diverges at the same step either way."""
    if not isinstance(a, torch.Tensor) or a.shape != b.shape or a.dtype != b.dtype:
        return False
    finite = torch.isfinite(a)
    if not torch.equal(finite, torch.isfinite(b)):
        return False
    return torch.allclose(a[finite], b[finite], rtol=RTOL, atol=ATOL)


def _learnable_at(seg: Segment, layer: int) -> list[torch.Tensor]:
    """The leaf tensors ``fn`` receives at ``layer`` that are trained."""
    leaves = {id(v) for per_layer in seg.learnable.values() for v in per_layer}
    values = seg.kwargs(layer).values()
    return [v for v in values if isinstance(v, torch.Tensor) and id(v) in leaves]


_PROBES: dict[tuple, torch.Tensor] = {}


def _probe(shape: Sequence[int], device: torch.device) -> torch.Tensor:
    """Deterministic probe inputs of ``shape`` (last axis the points), shuffled per row."""
    key = (tuple(shape), str(device))
    if key not in _PROBES:
        n = int(shape[-1])
        far = torch.tensor(FAR_POINTS)
        half = (n - len(FAR_POINTS)) // 2
        sweep = torch.linspace(-30.0, 30.0, half) + 0.0123
        draws = torch.randn(n - half - len(FAR_POINTS), generator=torch.Generator().manual_seed(22))
        line = torch.cat([sweep, draws * 3.0, far])
        gen = torch.Generator().manual_seed(7)
        rows = 1
        for size in shape[:-1]:
            rows *= int(size)
        perm = torch.stack([torch.randperm(n, generator=gen) for _ in range(rows)])
        _PROBES[key] = line[perm].reshape(*shape).to(device)
    return _PROBES[key]


def blame(name: str, exc: BaseException) -> ActivationError:
    """The error that stops activation ``name`` for ``exc`` raised by its code."""
    return ActivationError(name, f"{type(exc).__name__}: {exc}", traceback.format_exc())


def layer_units(
    segments: Sequence[Segment], layer: int, stand_ins: bool, width: int, device: torch.device
) -> list[Unit]:
    """The units of hidden layer ``layer`` (``width`` pre-activation units), checked."""
    units = [Unit(seg, layer, stand_ins) for seg in segments]
    for unit in units:
        unit.settle((unit.seg.size, width, PROBE_POINTS), device)
    return units

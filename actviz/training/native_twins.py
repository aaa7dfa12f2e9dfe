"""torch's fused kernels for activations it ships, where they compute the plugin's function.

A plugin writes GELU as five tensor operations (``x * 0.5 * erfc(-x / sqrt 2)``) and its
derivative as nine; torch has one kernel for each (``gelu``, ``gelu_backward``). In a toy
network each operation costs its dispatch, so the tape-free step (``tape_free.py``)
computes an activation with its *twin* when the plugin's name is a twin's name **and**
the twin agrees with the plugin's ``fn`` and with autograd through it, at the race's
parameter values, on a probe that sweeps [-30, 30] and beyond (``act_units.py``). A
plugin that merely shares a name but computes something else fails the check and keeps
its own code.

A learnable activation's twin is the plugin's own ``torch.autograd.Function`` when the
plugin names it (``fn.autograd_function``, see ``LearnableTwin``): its closed-form
backward, run without autograd's graph, so the maths is written once, in the plugin.

A twin is ``forward(z, **params) -> h`` and ``backward(grad, z, h, **params) -> dz``,
both torch kernels with no Python scalars wrapped per call. torch's hardtanh, relu6,
hardsigmoid, hardswish and the shrinks are left out: they keep NaN where the built-in
plugins' ``where``/``clamp`` formulas give a number, so they would never pass the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

aten = torch.ops.aten


@dataclass(frozen=True)
class Twin:
    forward: Callable[..., torch.Tensor]
    backward: Callable[..., torch.Tensor]
    #: the float parameters the twin takes (any other parameter rules it out)
    params: tuple[str, ...] = ()
    #: parameter values the twin needs (SiLU's twin is for beta = 1 only)
    needs: tuple[tuple[str, float], ...] = ()


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _elu_backward(g: torch.Tensor, z: torch.Tensor, h: torch.Tensor, alpha: float = 1.0):
    return aten.elu_backward(g, alpha, 1.0, 1.0, False, z)


def _celu_backward(g: torch.Tensor, z: torch.Tensor, h: torch.Tensor, alpha: float = 1.0):
    return aten.elu_backward(g, alpha, 1.0, 1.0 / alpha, False, z)


TWINS: dict[str, Twin] = {
    "relu": Twin(torch.relu, lambda g, z, h: aten.threshold_backward(g, h, 0.0)),
    "tanh": Twin(torch.tanh, lambda g, z, h: aten.tanh_backward(g, h)),
    "sigmoid": Twin(torch.sigmoid, lambda g, z, h: aten.sigmoid_backward(g, h)),
    "gelu": Twin(F.gelu, lambda g, z, h: aten.gelu_backward(g, z)),
    "gelu_tanh": Twin(
        lambda z: F.gelu(z, approximate="tanh"),
        lambda g, z, h: aten.gelu_backward(g, z, approximate="tanh"),
    ),
    "silu": Twin(
        lambda z, beta=1.0: F.silu(z),
        lambda g, z, h, beta=1.0: aten.silu_backward(g, z),
        ("beta",),
        (("beta", 1.0),),
    ),
    "mish": Twin(F.mish, lambda g, z, h: aten.mish_backward(g, z)),
    "elu": Twin(lambda z, alpha=1.0: F.elu(z, alpha), _elu_backward, ("alpha",)),
    "celu": Twin(lambda z, alpha=1.0: F.celu(z, alpha), _celu_backward, ("alpha",)),
    "selu": Twin(
        F.selu,
        lambda g, z, h: aten.elu_backward(g, _SELU_ALPHA, _SELU_SCALE, 1.0, False, z),
    ),
    "softplus": Twin(
        lambda z, beta=1.0, threshold=20.0: F.softplus(z, beta, threshold),
        lambda g, z, h, beta=1.0, threshold=20.0: aten.softplus_backward(g, z, beta, threshold),
        ("beta", "threshold"),
    ),
    "leaky_relu": Twin(
        lambda z, negative_slope=0.01: F.leaky_relu(z, negative_slope),
        lambda g, z, h, negative_slope=0.01: aten.leaky_relu_backward(g, z, negative_slope, False),
        ("negative_slope",),
    ),
}


def twin_for(name: str, kwargs: dict[str, Any]) -> Twin | None:
    """The twin named like the activation, if it takes exactly these float parameters."""
    twin = TWINS.get(name)
    if twin is None:
        return None
    for key, value in kwargs.items():
        if key not in twin.params or isinstance(value, torch.Tensor) or isinstance(value, bool):
            return None
        if not isinstance(value, (int, float)):
            return None
    for key, value in twin.needs:
        if float(kwargs.get(key, value)) != value:
            return None
    return twin


# -- learnable activations ---------------------------------------------------------------


class _Context:
    """What a ``torch.autograd.Function``'s forward and backward use of ``ctx``:
    saved tensors, ``needs_input_grad`` and plain attributes. Anything else (say
    ``mark_dirty``) raises, and the unit's check falls back to autograd."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple[torch.Tensor, ...] = ()

    def save_for_backward(self, *tensors: torch.Tensor) -> None:
        self.saved_tensors = tensors


@dataclass(frozen=True)
class LearnableTwin:
    """A learnable activation whose plugin computes it with a ``torch.autograd.Function``
    and says so (``fn.autograd_function``, arguments after ``x`` in the order of its
    params): the step calls that Function's own ``forward`` and ``backward`` (the
    plugin's closed-form derivative, one implementation) without autograd's graph and
    engine, which cost more than the arithmetic at race sizes."""

    function: type[torch.autograd.Function]
    order: tuple[str, ...]
    learnable: tuple[str, ...]

    def forward(self, z: torch.Tensor, **params: Any) -> tuple[torch.Tensor, _Context]:
        """The activation of ``z`` and the context its backward needs."""
        needs = (True, *(name in self.learnable for name in self.order))
        ctx = _Context(needs)
        h = self.function.forward(ctx, z, *(params[name] for name in self.order))
        return h, ctx

    def backward(
        self, grad: torch.Tensor, ctx: _Context, **params: Any
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The gradient at ``z`` and each learnable parameter's, shaped like it."""
        found = self.function.backward(ctx, grad)
        found = found if isinstance(found, tuple) else (found,)
        grads = {}
        for name, value in zip(self.order, found[1:], strict=False):
            if name in self.learnable:
                grads[name] = torch.zeros_like(params[name]) if value is None else value
        return found[0], grads


def learnable_twin_for(
    act: Any, kwargs: dict[str, Any], learnable: dict[str, torch.Tensor]
) -> LearnableTwin | None:
    """The plugin's own Function as a twin, if it declares one that takes exactly the
    activation's params (classic ``forward(ctx, ...)`` style) and all trained ones are
    among them."""
    function = getattr(act.fn, "autograd_function", None)
    if not (isinstance(function, type) and issubclass(function, torch.autograd.Function)):
        return None
    if "setup_context" in vars(function):  # forward without ctx: not this protocol
        return None
    order = tuple(p.name for p in act.params)
    if set(order) != set(kwargs) or not set(learnable) <= set(order):
        return None
    return LearnableTwin(function, order, tuple(n for n in order if n in learnable))

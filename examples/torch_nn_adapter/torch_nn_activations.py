"""Every activation module of ``torch.nn`` as an actviz activation, found by introspection.

Drop this file into a plugin folder (or ``actviz --plugins examples/torch_nn_adapter``).
Nothing here names a particular activation's formula: each class listed in
``torch.nn.modules.activation.__all__`` is inspected with ``inspect.signature`` and

* float constructor arguments become ``Param`` s (their defaults; required ones start at 0);
* learnable ``nn.Parameter`` s of the module become learnable ``Param`` s; ``PReLU`` 's
  ``num_parameters`` becomes one slope per hidden unit (``shape="per_unit"``);
* ``dim`` arguments are fixed to -1 (the contract puts a vector on the last axis), so
  ``Softmax``, ``Softmin`` and ``LogSoftmax`` are vector activations and ``GLU`` is gated;
* a module that behaves differently in training (``RReLU``'s random slope) runs in eval
  mode as ``fn`` and in training mode as ``train_fn``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import torch
from torch import nn

from actviz import Activation, Param, hookimpl

#: Left out, each with its reason.
SKIPPED = {
    "MultiheadAttention": "attention mixes a sequence of vectors through q/k/v projections; "
    "it is a layer, not a function of one tensor",
    "Softmax2d": "softmax over the channel axis of an image (C, H, W), not over the last axis",
}
VECTOR = {"Softmax", "Softmin", "LogSoftmax"}
GATED = {"GLU"}
#: How one module applies a per-unit parameter: ``nn.PReLU`` holds one weight vector for
#: the whole batch, a race holds one per model, so its formula is applied broadcast.
PER_UNIT_FORMULA = {"PReLU": lambda x, weight: torch.where(x >= 0, x, weight * x)}


def float_args(cls: type[nn.Module]) -> dict[str, float]:
    """The constructor's float arguments with their defaults (0.0 where required)."""
    out: dict[str, float] = {}
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "inplace", "dim", "num_parameters") or p.kind in (
            p.VAR_POSITIONAL,
            p.VAR_KEYWORD,
        ):
            continue
        default = p.default
        if default is inspect.Parameter.empty:
            out[name] = 0.0
        elif isinstance(default, float) and not isinstance(default, bool):
            out[name] = float(default)
    return out


def _fixed_args(cls: type[nn.Module]) -> dict[str, Any]:
    names = inspect.signature(cls.__init__).parameters
    return {"dim": -1} if "dim" in names else {}


@functools.lru_cache(maxsize=256)
def _module(cls: type[nn.Module], args: tuple[tuple[str, float], ...], training: bool):
    module = cls(**_fixed_args(cls), **dict(args))
    return module.train(training)


def _caller(cls: type[nn.Module], floats: list[str], training: bool):
    def call(x: torch.Tensor, **params: Any) -> torch.Tensor:
        args = tuple((k, float(params[k])) for k in floats)
        module = _module(cls, args, training)
        learned = {k: v for k, v in params.items() if k not in floats}
        if learned:
            return torch.func.functional_call(module, learned, (x,))
        return module(x)

    return call


def _behaves_differently_in_training(cls: type[nn.Module]) -> bool:
    forward = inspect.getsource(cls.forward)
    return "self.training" in forward


def adapt(cls: type[nn.Module]) -> Activation:
    """One ``torch.nn`` activation module as an actviz activation."""
    floats = float_args(cls)
    params = [Param(name, default) for name, default in floats.items()]
    probe = cls(**_fixed_args(cls), **floats)
    kind = (
        "vector" if cls.__name__ in VECTOR else "gated" if cls.__name__ in GATED else "elementwise"
    )
    learned = dict(probe.named_parameters())
    if cls.__name__ in PER_UNIT_FORMULA:
        ((name, weight),) = learned.items()
        start = float(weight.detach().reshape(-1)[0])  # from PReLU's `init` argument
        params = [Param(name, start, shape="per_unit", learnable=True)]
        fn = PER_UNIT_FORMULA[cls.__name__]
        train_fn = None
    else:
        for name, weight in learned.items():  # scalar learnable weights, if any
            params.append(Param(name, float(weight.detach().reshape(-1)[0]), learnable=True))
        fn = _caller(cls, list(floats), training=False)
        train_fn = (
            _caller(cls, list(floats), training=True)
            if _behaves_differently_in_training(cls)
            else None
        )
    doc = (inspect.getdoc(cls) or cls.__name__).split("\n\n")[0].replace("\n", " ")
    return Activation(
        name="torch_" + cls.__name__.lower(),
        fn=fn,
        train_fn=train_fn,
        params=params,
        kind=kind,
        description=f"torch.nn.{cls.__name__}: {doc}",
        family="torch.nn",
        references=[f"https://pytorch.org/docs/stable/generated/torch.nn.{cls.__name__}.html"],
    )


def torch_activations() -> list[Activation]:
    """Every adaptable class of ``torch.nn.modules.activation.__all__``."""
    module = nn.modules.activation
    return [adapt(getattr(module, name)) for name in module.__all__ if name not in SKIPPED]


@hookimpl
def actviz_activations() -> list[Activation]:
    return torch_activations()

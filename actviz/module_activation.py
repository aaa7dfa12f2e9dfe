"""An activation written as a ``torch.nn.Module`` class: ``Activation.from_module(Cls, ...)``.

Researchers often have the module already: parameters (``nn.Parameter``), buffers,
``reset_parameters`` and ``forward(x)``. This adapter turns it into an ordinary
:class:`~actviz.api.Activation`, so checks, Curves, plots, races and the Plugins panel
treat it like any function plugin:

* each parameter becomes a ``Param`` (learnable when it requires a gradient), each buffer
  a fixed ``Param``; a name ``inner.scale`` of a sub-module becomes ``inner__scale``.
  Scalars and vectors (0-d and 1-d tensors) are supported;
* initial values come from the module: for each race seed, the module is built and
  ``reset_parameters()`` (where it exists) is called under ``torch.manual_seed(seed)``;
  values that do not change with the seed are plain defaults (a slider in Curves);
* ``fn(x, **params)`` runs ``forward`` with those values through
  ``torch.func.functional_call``. In a race the values carry a leading models axis
  (``[models, 1, 1(, k)]``) and ``x`` is ``[models, ...]``: the call is batched over the
  models with ``torch.func.vmap``, so inside ``forward`` every tensor has the shape the
  module declared (``self.coeffs[0]`` works) and each model uses its own copy, as
  ``torch.func.stack_module_state`` would stack them;
* a ``derivative(self, x)`` method, where the class has one, is the declared derivative
  (checked like any other; races use it where the tape-free step's checks allow);
* a ``forward`` that reads ``self.training`` gets a train-mode twin as ``train_fn``.

Buffers are read-only constants: a forward that updates a buffer in place (running
statistics) fails its check with torch's own message.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["module_fields"]


def module_fields(
    factory: Callable[[], nn.Module],
    *,
    name: str,
    ranges: Mapping[str, tuple[float | None, float | None]] | None = None,
    param_groups: Mapping[str, Mapping[str, float]] | None = None,
    **metadata: Any,
) -> dict[str, Any]:
    """The keyword arguments of an :class:`~actviz.api.Activation` that runs
    ``factory()``'s ``forward``, its ``params`` as the keyword arguments of each
    :class:`~actviz.api.Param` (``Activation.from_module`` builds both: the contract
    stays the one module this file leans on, and it leans on nothing here).

    ``factory`` is the module class (or any callable returning a module) taking no
    arguments. ``ranges`` gives slider ranges ``{param: (min, max)}``; ``param_groups``
    gives learnable ones their own optimiser settings, ``{param: {"lr": 1e-3,
    "weight_decay": 1e-4}}`` (see ``Param.lr``). Other keyword
    arguments (``formula``, ``description``, ``family``, ``references``, declared
    metadata, ``kind``...) are the :class:`Activation`'s.
    """
    template = _build(factory, name)
    spec = _spec(template, name)
    ranges = dict(ranges or {})
    groups = {k: dict(v) for k, v in (param_groups or {}).items()}
    for option, given in (("ranges", ranges), ("param_groups", groups)):
        unknown = set(given) - {p for p, _, _, _ in spec}
        if unknown:
            known = ", ".join(p for p, _, _, _ in spec) or "none"
            raise ValueError(
                f"activation {name!r}: {option} names {', '.join(sorted(unknown))}, "
                f"which the module does not have (it has: {known})"
            )
    for pname, settings in groups.items():
        extra_keys = set(settings) - {"lr", "weight_decay"}
        if extra_keys:
            raise ValueError(
                f"activation {name!r}: param_groups[{pname!r}] takes lr and weight_decay, "
                f"not {', '.join(sorted(extra_keys))}"
            )
    initial = functools.lru_cache(maxsize=64)(lambda seed: _initial(factory, spec, seed))
    params = [
        dict(
            name=pname,
            default=_default(initial, pname, shape),
            min=ranges.get(pname, (None, None))[0],
            max=ranges.get(pname, (None, None))[1],
            learnable=learnable,
            shape=shape,
            lr=groups.get(pname, {}).get("lr"),
            weight_decay=groups.get(pname, {}).get("weight_decay"),
            description=f"{'parameter' if learnable else 'buffer'} {key!r} of the module",
        )
        for pname, key, shape, learnable in spec
    ]
    keys = {pname: key for pname, key, _, _ in spec}
    shapes = {pname: shape for pname, _, shape, _ in spec}
    cls_name = type(template).__qualname__
    metadata.setdefault("description", _docline(type(template)))
    metadata.setdefault("family", "module")
    extra = dict(metadata.pop("extra", {}) or {})
    extra.setdefault("module", f"{type(template).__module__}.{cls_name}")
    evaluating = template.eval()
    fn = _caller(evaluating, "forward", keys, shapes)
    train_fn = None
    if _reads_training(type(template)):
        training = _build(factory, name).train()
        train_fn = _caller(training, "forward", keys, shapes)
    derivative = None
    if callable(getattr(template, "derivative", None)):
        derivative = _caller(evaluating, "derivative", keys, shapes)
    return dict(
        name=name,
        fn=fn,
        derivative=derivative,
        train_fn=train_fn,
        params=params,
        extra=extra,
        **metadata,
    )


def _build(factory: Callable[[], nn.Module], name: str) -> nn.Module:
    module = factory()
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"activation {name!r}: from_module needs a torch.nn.Module class (or a function "
            f"returning one), got {type(module).__name__}"
        )
    return module


def _spec(module: nn.Module, name: str) -> list[tuple[str, str, tuple[int, ...], bool]]:
    """``(param name, module key, shape, learnable)`` per parameter and buffer."""
    out = []
    tensors = [(k, v, v.requires_grad) for k, v in module.named_parameters()]
    tensors += [(k, v, False) for k, v in module.named_buffers()]
    for key, value, learnable in tensors:
        if value.dim() > 1:
            raise ValueError(
                f"activation {name!r}: module tensor {key!r} has shape {list(value.shape)}; "
                "an activation module's parameters and buffers are scalars or vectors"
            )
        if not value.is_floating_point():
            raise ValueError(
                f"activation {name!r}: module tensor {key!r} is {value.dtype}; "
                "parameters and buffers must be floating point"
            )
        out.append((key.replace(".", "__"), key, tuple(value.shape), learnable))
    return out


def _initial(factory: Callable[[], nn.Module], spec: list, seed: int) -> dict[str, np.ndarray]:
    """Every tensor's initial value for ``seed``: the module built and reset under it."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        module = factory()
        reset = getattr(module, "reset_parameters", None)
        if callable(reset):
            reset()
    state = dict(module.named_parameters()) | dict(module.named_buffers())
    return {
        pname: state[key].detach().to("cpu", torch.float64).numpy().copy()
        for pname, key, _, _ in spec
    }


def _default(initial: Callable[[int], dict], pname: str, shape: tuple[int, ...]) -> Any:
    """A plain default where the module's value does not depend on the seed, else a
    function of the seed (``Param``'s per-seed initial value)."""
    first = initial(0)[pname]
    if all(np.array_equal(first, initial(seed)[pname]) for seed in (1, 2)):
        return float(first) if shape == () else first.tolist()
    return lambda seed, width: initial(seed)[pname]


def _caller(
    module: nn.Module, method: str, keys: dict[str, str], shapes: dict[str, tuple[int, ...]]
) -> Callable[..., torch.Tensor]:
    """``call(x, **params)``: ``module.<method>(x)`` with the given tensor values."""
    target: nn.Module = module if method == "forward" else _Method(module, method)
    prefix = "" if method == "forward" else "inner."

    def call(x: torch.Tensor, **params: Any) -> torch.Tensor:
        batched: dict[str, torch.Tensor] = {}
        shared: dict[str, torch.Tensor] = {}
        for pname, key in keys.items():
            value = params[pname]
            if not isinstance(value, torch.Tensor):
                value = torch.as_tensor(value, dtype=x.dtype, device=x.device)
            shape = shapes[pname]
            if value.dim() > len(shape):  # one value per model: [models, 1, 1(, k)]
                batched[prefix + key] = value.reshape(value.shape[0], *shape)
            else:
                shared[prefix + key] = value
        if not batched:
            return torch.func.functional_call(target, shared, (x,))
        models = {v.shape[0] for v in batched.values()}
        if len(models) != 1 or x.dim() == 0 or x.shape[0] not in models:
            raise ValueError(
                f"per-model parameter values for {sorted(models)} models and input of "
                f"shape {list(x.shape)}: the first axis of x must count the models"
            )

        def one(values: dict[str, torch.Tensor], xi: torch.Tensor) -> torch.Tensor:
            return torch.func.functional_call(target, {**values, **shared}, (xi,))

        return torch.func.vmap(one, randomness="different")(batched, x)

    return call


class _Method(nn.Module):
    """A module whose forward is another method of ``inner`` (its ``derivative``), so
    ``functional_call`` can run that method with substituted tensors."""

    def __init__(self, inner: nn.Module, method: str) -> None:
        super().__init__()
        self.inner = inner
        self.method = method

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return getattr(self.inner, self.method)(x)


def _reads_training(cls: type) -> bool:
    try:
        return "self.training" in inspect.getsource(cls.forward)
    except (OSError, TypeError):
        return False


def _docline(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.split("\n\n")[0].replace("\n", " ")

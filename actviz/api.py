"""The public plugin contract: what plugin authors import from ``actviz``.

Keep this module small and stable: third-party plugins are written against it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pluggy

from .deferred_errors import deferrable

PROJECT_NAME = "actviz"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

ActivationKind = Literal["elementwise", "vector", "gated"]
KINDS: tuple[str, ...] = ("elementwise", "vector", "gated")

#: Declared smoothness, weakest first: a jump, a kink in f, a kink in f', a kink in f'', smooth.
Smoothness = Literal["discontinuous", "C0", "C1", "C2", "Cinf"]
SMOOTHNESS: tuple[str, ...] = ("discontinuous", "C0", "C1", "C2", "Cinf")

#: Metadata that may be declared as a value or as a function of the parameters.
DECLARED_FIELDS: tuple[str, ...] = ("output_range", "smoothness", "monotonic", "zero_centered")


#: The shape entry meaning "one value per hidden unit of the layer".
PER_UNIT = "per_unit"

ParamKind = Literal["real", "integer", "choice"]
#: An initial value: a number, an array (nested sequence) or a function of (seed, width).
InitialValue = Any


#: Words the command line reads in place of activation names (``actviz plot all``): an
#: activation with one of these names could never be named there.
COMMAND_WORDS = frozenset({"all"})


def reserved_message(name: str) -> str:
    """Why ``name`` cannot name an activation."""
    return (
        f"activation name {name!r} is a command word (actviz plot {name} means every "
        "activation), so it could never be chosen by name: choose another name"
    )


@dataclass(frozen=True)
class Param:
    """A parameter of an activation, passed to ``fn`` as a keyword argument.

    * ``shape``: ``()`` a scalar (the default); ``(k,)`` a fixed vector of ``k`` values
      (rational coefficients, spline control points); ``"per_unit"`` one value per hidden
      unit of the layer; ``("per_unit", k)`` a vector per unit. See docs/plugin-guide.md
      for the exact tensor shapes ``fn`` receives in a race, in validation and in Curves.
    * ``default``: the initial value, a number (every element), an array of the
      parameter's shape, or a callable ``(seed, width) -> number or array`` evaluated per
      race seed and per layer (``width`` is the layer's number of units).
    * ``min``/``max`` bound sliders and sweeps only: they never constrain training.
    * ``bounds=(low, high)`` (either may be ``None``) is a training constraint: a
      learnable value is clamped to it after every optimiser step. Without ``bounds`` a
      learnable value moves freely.
    * ``learnable``: trained with the network (arrives as a tensor); its trajectory is
      recorded. Non-scalar parameters always arrive as tensors, learnable or not.
    * ``kind``: ``"real"``; ``"integer"`` and ``"choice"`` are structural options (a
      spline's degree, a base function), never learnable: make them with
      :meth:`integer` and :meth:`choice`.
    * ``lr`` and ``weight_decay`` (learnable parameters only) are the parameter's own
      group in the optimiser, as torch.optim's parameter groups: its own learning rate
      (``0`` keeps it at its initial value) and an L2 weight decay added to its gradient
      (torch.optim's ``weight_decay``). ``None``: the race's learning rate, no decay.
    """

    name: str
    default: InitialValue
    min: float | None = None
    max: float | None = None
    learnable: bool = False
    description: str = ""
    shape: Any = ()
    bounds: tuple[float | None, float | None] | None = None
    kind: ParamKind = "real"
    choices: tuple[str, ...] = ()
    lr: float | None = None
    weight_decay: float | None = None

    @deferrable
    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"parameter name {self.name!r} is not a Python identifier")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"parameter {self.name!r}: min {self.min} > max {self.max}")
        object.__setattr__(self, "shape", _normal_shape(self.name, self.shape))
        object.__setattr__(self, "choices", tuple(self.choices))
        if self.kind not in ("real", "integer", "choice"):
            raise ValueError(f"parameter {self.name!r}: kind must be real, integer or choice")
        if self.kind != "real" and (self.learnable or self.shape):
            raise ValueError(f"parameter {self.name!r}: an option is a fixed scalar")
        if self.kind == "choice" and self.default not in self.choices:
            raise ValueError(f"parameter {self.name!r}: {self.default!r} is not a choice")
        if self.bounds is not None:
            low, high = self.bounds
            if low is not None and high is not None and low > high:
                raise ValueError(f"parameter {self.name!r}: bounds low {low} > high {high}")
        for option in ("lr", "weight_decay"):
            value = getattr(self, option)
            if value is None:
                continue
            if not self.learnable:
                raise ValueError(f"parameter {self.name!r}: {option} is for learnable parameters")
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (0 <= value < float("inf"))
            ):
                raise ValueError(
                    f"parameter {self.name!r}: {option} must be a number >= 0, not {value!r}"
                )
        if self.shape == () and self.kind == "real" and not callable(self.default):
            if isinstance(self.default, bool) or not isinstance(self.default, (int, float)):
                raise TypeError(f"parameter {self.name!r}: a scalar default must be a number")

    @classmethod
    def integer(
        cls, name: str, default: int, min: int | None = None, max: int | None = None, **kw: Any
    ) -> Param:
        """A structural whole-number option (a degree, a count); passed to ``fn`` as int."""
        return cls(name, int(default), min, max, kind="integer", **kw)

    @classmethod
    def choice(cls, name: str, default: str, choices: Sequence[str], **kw: Any) -> Param:
        """A structural option picked from named ``choices``; passed to ``fn`` as str."""
        return cls(name, default, kind="choice", choices=tuple(choices), **kw)

    @property
    def per_unit(self) -> bool:
        """True when the parameter has one value (or vector) per hidden unit."""
        return bool(self.shape) and self.shape[0] == PER_UNIT

    @property
    def vector(self) -> tuple[int, ...]:
        """The trailing vector shape: ``(k,)`` or ``()``."""
        return tuple(self.shape[1:] if self.per_unit else self.shape)

    @property
    def is_scalar(self) -> bool:
        """A plain number: slider, sweep and float keyword argument, as before shapes."""
        return self.shape == () and not callable(self.default)

    def clamp(self, value: float) -> float:
        """Return ``value`` limited to the slider range ``[min, max]`` where set."""
        if self.min is not None:
            value = max(self.min, value)
        if self.max is not None:
            value = min(self.max, value)
        if self.kind == "integer":
            value = int(round(value))
        return value

    def value_shape(self, width: int) -> tuple[int, ...]:
        """The shape of one model's value at a layer of ``width`` units."""
        vector = tuple(int(k) for k in self.vector)
        return (int(width), *vector) if self.per_unit else vector

    def initial_value(self, seed: int, width: int, chosen: Any = None) -> np.ndarray:
        """One model's initial value (float64) at a layer of ``width`` units: what
        ``default`` means, in one place (races, validation and Curves build on it through
        :mod:`actviz.param_shapes`).

        ``chosen`` (a number picked by the user) replaces the default in every element.
        Raises ``ValueError`` naming the parameter when the default has the wrong shape.
        """
        shape = self.value_shape(width)
        source = self.default if chosen is None else chosen
        if callable(source):
            try:
                source = _call_init(source, seed, width)
            except Exception as exc:  # noqa: BLE001 - plugin code: name the parameter
                raise ValueError(
                    f"parameter {self.name!r}: its initial value function raised "
                    f"{type(exc).__name__}: {exc} (seed {seed}, width {width})"
                ) from exc
        try:
            array = np.asarray(source, dtype=np.float64)
            return np.broadcast_to(array, shape).copy()
        except (TypeError, ValueError) as exc:
            got = np.shape(source)
            raise ValueError(
                f"parameter {self.name!r}: initial value of shape {got} does not fit "
                f"shape {shape} (layer width {width})"
            ) from exc


def _call_init(init: Any, seed: int, width: int) -> Any:
    try:
        n_args = len(inspect.signature(init).parameters)
    except (TypeError, ValueError):
        n_args = 2
    return init(seed, width) if n_args >= 2 else init(seed)


def _normal_shape(name: str, shape: Any) -> tuple[Any, ...]:
    """``()``, ``(k,)``, ``("per_unit",)`` or ``("per_unit", k)``; anything else raises."""
    if shape is None:
        return ()
    if shape == PER_UNIT:
        return (PER_UNIT,)
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    shape = tuple(shape)
    rest = shape[1:] if shape[:1] == (PER_UNIT,) else shape
    ok = len(rest) <= 1 and all(
        isinstance(k, int) and not isinstance(k, bool) and k > 0 for k in rest
    )
    if not ok:
        raise ValueError(
            f"parameter {name!r}: shape must be (), (k,), 'per_unit' or ('per_unit', k), "
            f"got {shape!r}"
        )
    return shape


@dataclass
class Activation:
    """One activation function: the callable, its derivative and what is known about it.

    ``fn(x, **params)`` and ``derivative(x, **params)`` take and return torch tensors.
    ``kind`` says how the function treats its input:

    * ``"elementwise"``: ``f`` acts on each element; ``derivative`` returns f'(x).
    * ``"vector"``: ``f`` acts over the last dimension and keeps the shape (softmax);
      ``derivative`` returns the diagonal of the Jacobian, d f_i / d x_i.
    * ``"gated"``: the last dimension is split into halves ``a, b`` and the output has
      half the size (GLU); ``derivative`` returns ``cat([d out/d a, d out/d b], -1)``.

    Declared metadata (``output_range``, ``monotonic``, ``smoothness``...) is checked
    against measurements and disagreements are flagged; it is never trusted blindly.
    Each of :data:`DECLARED_FIELDS` is either a value, which describes the function at
    its default parameters (and is checked only there), or a callable taking the
    parameters as keyword arguments and returning the value, which is checked at every
    setting: ``output_range=lambda alpha: (-alpha, math.inf)``.

    ``stochastic=True`` declares that ``fn`` itself is random (noise even in evaluation);
    validation otherwise requires two calls on the same input to agree, and a random
    training-only form belongs in ``train_fn`` (RReLU). Properties of a stochastic
    activation are shown as such rather than as discontinuities.
    """

    name: str
    fn: Callable[..., Any]
    derivative: Callable[..., Any] | None = None
    params: Sequence[Param] = ()
    formula: str = ""
    description: str = ""
    family: str = "other"
    references: Sequence[str] = ()
    year: int | None = None
    use_cases: Sequence[str] = ()
    limitations: Sequence[str] = ()
    output_range: tuple[float, float] | Callable[..., tuple[float, float]] | None = None
    smoothness: Smoothness | Callable[..., Smoothness] | None = None
    monotonic: bool | Callable[..., bool] | None = None
    zero_centered: bool | Callable[..., bool] | None = None
    kind: ActivationKind = "elementwise"
    train_fn: Callable[..., Any] | None = None
    stochastic: bool = False
    init: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @deferrable
    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("an activation needs a non-empty name")
        if self.name != self.name.lower() or not self.name.replace("_", "a").isalnum():
            raise ValueError(
                f"activation name {self.name!r} must be lower-case letters, digits and '_'"
            )
        if self.name in COMMAND_WORDS:
            raise ValueError(reserved_message(self.name))
        if not callable(self.fn):
            raise TypeError(f"activation {self.name!r}: fn is not callable")
        if self.derivative is not None and not callable(self.derivative):
            raise TypeError(f"activation {self.name!r}: derivative is not callable")
        smooth = self.smoothness
        if smooth is not None and not callable(smooth) and smooth not in SMOOTHNESS:
            raise ValueError(f"activation {self.name!r}: smoothness must be one of {SMOOTHNESS}")
        if self.kind not in KINDS:
            raise ValueError(f"activation {self.name!r}: kind must be one of {KINDS}")
        self.params = tuple(self.params)
        names = [p.name for p in self.params]
        if self.kind != "elementwise" and any(p.per_unit for p in self.params):
            raise ValueError(f"activation {self.name!r}: per-unit parameters need kind elementwise")
        if len(set(names)) != len(names):
            raise ValueError(f"activation {self.name!r}: parameter names repeat: {names}")
        self.references = tuple(self.references)
        self.use_cases = tuple(self.use_cases)
        self.limitations = tuple(self.limitations)

    @classmethod
    def from_module(cls, factory: Callable[[], Any], *, name: str, **options: Any) -> Activation:
        """An activation from a ``torch.nn.Module`` class (parameters, buffers,
        ``reset_parameters``, an optional ``derivative(x)`` method), raced batched over
        models with per-model copies: see :mod:`actviz.module_activation`."""
        from .module_activation import module_fields  # torch: only for module plugins

        fields = module_fields(factory, name=name, **options)
        fields["params"] = [Param(**p) for p in fields["params"]]
        return cls(**fields)

    @property
    def is_vector(self) -> bool:
        """True for activations over the last dimension (softmax family, GLU)."""
        return self.kind != "elementwise"

    def defaults(self) -> dict[str, Any]:
        """Parameter values to use outside a network (Curves, properties, plots).

        Scalars and options are their default; a vector or per-unit parameter is a
        tensor of its initial value for seed 0 (one unit's value where per unit).
        """
        values: dict[str, Any] = {}
        for p in self.params:
            if p.is_scalar:
                values[p.name] = p.default
            else:
                import torch  # only for vector and per-unit parameters: a cheap import of api

                array = p.initial_value(0, 1)  # seed 0, unit 0 where per unit
                values[p.name] = torch.as_tensor(
                    array[0] if p.per_unit else array, dtype=torch.float32
                )
        return values

    def declared(self, name: str, params: Mapping[str, float] | None = None) -> Any:
        """Declared metadata ``name`` at ``params`` (defaults fill the gaps): a callable
        declaration is called with the parameters as keyword arguments."""
        value = getattr(self, name)
        if callable(value):
            return value(**{**self.defaults(), **(params or {})})
        return value

    def _declared_at_defaults(self, name: str) -> Any:
        """The declared value at the defaults; ``None`` when a declaring function raises."""
        try:
            return self.declared(name)
        except Exception:  # noqa: BLE001 - a plugin's function may raise anything
            return None

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"activation {self.name!r} has no parameter {name!r}")

    def metadata(self) -> dict[str, Any]:
        """The JSON-friendly description of this activation (no callables)."""
        return {
            "name": self.name,
            "family": self.family,
            "kind": self.kind,
            "formula": self.formula,
            "description": self.description,
            "references": list(self.references),
            "year": self.year,
            "use_cases": list(self.use_cases),
            "limitations": list(self.limitations),
            "output_range": _json_range(self._declared_at_defaults("output_range")),
            "smoothness": self._declared_at_defaults("smoothness"),
            "monotonic": self._declared_at_defaults("monotonic"),
            "zero_centered": self._declared_at_defaults("zero_centered"),
            "depends_on_params": [f for f in DECLARED_FIELDS if callable(getattr(self, f))],
            "init": self.init,
            "stochastic": self.stochastic,
            "has_derivative": self.derivative is not None,
            "params": [
                {
                    "name": p.name,
                    "default": _json_default(p.default),
                    "min": p.min,
                    "max": p.max,
                    "learnable": p.learnable,
                    "description": p.description,
                    "shape": list(p.shape),
                    "bounds": list(p.bounds) if p.bounds is not None else None,
                    "kind": p.kind,
                    "choices": list(p.choices),
                    "lr": p.lr,
                    "weight_decay": p.weight_decay,
                }
                for p in self.params
            ],
        }


def _json_default(default: Any) -> Any:
    """A default for JSON: numbers and strings as they are, arrays as lists, a callable
    (drawn per seed and layer) as ``None``."""
    if callable(default):
        return None
    if isinstance(default, (int, float, str)):
        return default
    try:
        return [float(v) if not isinstance(v, (list, tuple)) else list(v) for v in default]
    except TypeError:
        return None


def _json_range(bounds: tuple[float, float] | None) -> list[float | None] | None:
    """A declared range for JSON: infinite ends become ``None`` (unbounded)."""
    if bounds is None:
        return None
    return [b if b not in (float("inf"), float("-inf")) else None for b in bounds]

"""The public plugin contract: what plugin authors import from ``actviz``.

Keep this module small and stable: third-party plugins are written against it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pluggy

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


@dataclass(frozen=True)
class Param:
    """A numeric parameter of an activation, passed to ``fn`` as a keyword argument.

    ``min``/``max`` bound the sliders and sweeps; a ``learnable`` parameter is
    trained with the network (it then arrives as a tensor, not a float).
    """

    name: str
    default: float
    min: float | None = None
    max: float | None = None
    learnable: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"parameter name {self.name!r} is not a Python identifier")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"parameter {self.name!r}: min {self.min} > max {self.max}")

    def clamp(self, value: float) -> float:
        """Return ``value`` limited to ``[min, max]`` where those are set."""
        if self.min is not None:
            value = max(self.min, value)
        if self.max is not None:
            value = min(self.max, value)
        return value


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

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("an activation needs a non-empty name")
        if self.name != self.name.lower() or not self.name.replace("_", "a").isalnum():
            raise ValueError(
                f"activation name {self.name!r} must be lower-case letters, digits and '_'"
            )
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
        if len(set(names)) != len(names):
            raise ValueError(f"activation {self.name!r}: parameter names repeat: {names}")
        self.references = tuple(self.references)
        self.use_cases = tuple(self.use_cases)
        self.limitations = tuple(self.limitations)

    @property
    def is_vector(self) -> bool:
        """True for activations over the last dimension (softmax family, GLU)."""
        return self.kind != "elementwise"

    def defaults(self) -> dict[str, float]:
        """Parameter values to use when the user has chosen none."""
        return {p.name: p.default for p in self.params}

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
                    "default": p.default,
                    "min": p.min,
                    "max": p.max,
                    "learnable": p.learnable,
                    "description": p.description,
                }
                for p in self.params
            ],
        }


def _json_range(bounds: tuple[float, float] | None) -> list[float | None] | None:
    """A declared range for JSON: infinite ends become ``None`` (unbounded)."""
    if bounds is None:
        return None
    return [b if b not in (float("inf"), float("-inf")) else None for b in bounds]

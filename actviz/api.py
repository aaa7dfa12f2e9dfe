"""The public plugin contract: what plugin authors import from ``actviz``.

Keep this module small and stable: third-party plugins are written against it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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

    @deferrable
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
    output_range: tuple[float, float] | None = None
    smoothness: Smoothness | None = None
    monotonic: bool | None = None
    zero_centered: bool | None = None
    kind: ActivationKind = "elementwise"
    train_fn: Callable[..., Any] | None = None
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
        if not callable(self.fn):
            raise TypeError(f"activation {self.name!r}: fn is not callable")
        if self.derivative is not None and not callable(self.derivative):
            raise TypeError(f"activation {self.name!r}: derivative is not callable")
        if self.smoothness is not None and self.smoothness not in SMOOTHNESS:
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
            "output_range": _json_range(self.output_range),
            "smoothness": self.smoothness,
            "monotonic": self.monotonic,
            "zero_centered": self.zero_centered,
            "init": self.init,
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

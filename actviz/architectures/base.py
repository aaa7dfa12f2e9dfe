"""What an architecture plugin provides: a description, options, and a batched network.

An :class:`Architecture` is plain data plus three functions, so a plugin can add one
with the ``actviz_architectures`` hook exactly as it adds tasks:

* ``sites(shape, options)`` -> the number of units at each place the raced activation
  is applied (a hidden layer, a conv layer's channels, a GRU's candidate state);
* ``init(shape, outputs, options, generator)`` -> one model's parameters, as one dict
  per group (a group per activation site, then the readout); every number is drawn from
  ``generator``, which the race seeds per seed, so every activation starts from the
  same weights;
* ``forward(params, x, act, options, shape)`` -> outputs ``[models, outputs, points]``
  for inputs ``x`` ``[points, *shape]``, where each parameter carries a leading models
  axis and ``act`` (a :class:`~actviz.architectures.sites.Sites`) applies the raced
  activations.

``build=None`` marks the engine's own stacked MLP (``mlp``), kept on its fast path.

``extra={"gated": True}`` says the architecture takes GLU-family (gated) activations:
their models are stacked apart and ``init`` is called with ``gated=True``, and must
then give each activation site twice the pre-activations (values first, gates second).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: What an architecture reads: any table of numbers, a 1-D signal, or an image.
INPUTS = ("any", "signal", "image")

Shape = tuple[int, ...]
Params = list[dict[str, Any]]


@dataclass(frozen=True)
class Option:
    """A size or switch of an architecture (``--depth 4``, ``--norm layer``)."""

    name: str
    default: int | float | str | bool
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    description: str = ""

    def problem(self, value: Any) -> str | None:
        """Why ``value`` does not fit this option, or ``None``."""
        if self.choices:
            if value not in self.choices:
                return f"must be one of {', '.join(self.choices)}, got {value!r}"
            return None
        if isinstance(self.default, bool):
            return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
        if isinstance(self.default, str):  # free text (a list of kernel sizes): the
            # architecture's own check reads it
            return None if isinstance(value, str) else f"must be text, got {value!r}"
        if isinstance(self.default, int) and not (
            isinstance(value, int) and not isinstance(value, bool)
        ):
            return f"must be an integer, got {value!r}"
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return f"must be a number, got {value!r}"
        if (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        ):
            low = "-inf" if self.min is None else f"{self.min:g}"
            high = "inf" if self.max is None else f"{self.max:g}"
            return f"must be in [{low}, {high}], got {value!r}"
        return None


@dataclass
class Architecture:
    """A network shape the race can train for every activation x seed at once.

    :param site: where the raced activation sits, in words (shown with the description).
    :param inputs: ``"any"`` (a table's columns), ``"signal"`` (a task whose
        ``extras["signal_length"]`` names the length of a 1-D signal) or ``"image"``
        (``extras["image_shape"]`` = ``(channels, height, width)``).
    """

    name: str
    description: str = ""
    site: str = ""
    inputs: str = "any"
    options: Sequence[Option] = ()
    sites: Callable[[Shape, Mapping[str, Any]], list[int]] | None = None
    init: Callable[..., Params] | None = None
    forward: Callable[..., Any] | None = None
    references: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or self.name != self.name.lower():
            raise ValueError(f"architecture name {self.name!r} must be non-empty and lower-case")
        if self.inputs not in INPUTS:
            raise ValueError(f"architecture {self.name!r}: inputs must be one of {INPUTS}")
        self.options = tuple(self.options)
        native = self.sites is None and self.init is None and self.forward is None
        complete = None not in (self.sites, self.init, self.forward)
        if not (native or complete):
            raise ValueError(
                f"architecture {self.name!r}: give sites, init and forward (or none: the MLP)"
            )

    @property
    def native(self) -> bool:
        """The engine's own stacked MLP (no functions of its own)."""
        return self.forward is None

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def resolved(self, chosen: Mapping[str, Any] | None) -> dict[str, Any]:
        """The options a race uses: the chosen ones over the defaults."""
        return {**self.defaults(), **dict(chosen or {})}

    def metadata(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "site": self.site,
            "inputs": self.inputs,
            "options": [
                {
                    "name": o.name,
                    "default": o.default,
                    "min": o.min,
                    "max": o.max,
                    "choices": list(o.choices),
                    "description": o.description,
                }
                for o in self.options
            ],
            "references": list(self.references),
        }

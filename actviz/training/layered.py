"""A different activation per hidden layer: race configurations named ``relu>tanh``.

The name lists one elementwise activation per hidden layer, first layer first. It is
raced, coloured, stored and compared like any other name; inside a race it resolves
to a :class:`LayeredActivation` whose ``parts`` the network applies layer by layer.
Each part takes its own parameters (``config.params["tanh"]``, else its defaults);
inside a segment they are keyed ``"name@layer"`` (see :func:`key`), so two layers
with same-named parameters (``prelu>prelu``) keep and train their own values.

Gated activations change a layer's width and vector ones mix units, so only
elementwise parts are accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..api import Activation
from ..paths import PLUGIN_HINT

SEPARATOR = ">"


def is_layered(name: str) -> bool:
    """Whether ``name`` names one activation per layer (``relu>tanh``)."""
    return SEPARATOR in name


def parts_of(name: str) -> list[str]:
    """The part names of ``name``, first hidden layer first (``[name]`` for a plain one)."""
    return [p.strip() for p in name.split(SEPARATOR)]


def canonical(name: str) -> str:
    """``name`` without spaces around the separators (``relu > tanh`` -> ``relu>tanh``)."""
    return SEPARATOR.join(parts_of(name)) if is_layered(name) else name.strip()


def key(param: str, layer: int) -> str:
    """How a part's parameter is keyed inside a layered segment."""
    return f"{param}@{layer}"


def problems(
    name: str, activations: Mapping[str, Activation] | None, n_hidden: int | None
) -> list[str]:
    """One line per reason ``name`` cannot be raced (empty when it can).

    ``activations`` (the loaded ones) checks the parts exist and are elementwise;
    ``n_hidden`` checks there is exactly one part per hidden layer.
    """
    parts = parts_of(name)
    if any(not p for p in parts):
        return [f"activations: {name!r} has an empty part; join names with '>', e.g. relu>tanh"]
    found: list[str] = []
    if activations is not None:
        for part in dict.fromkeys(parts):
            act = activations.get(part)
            if act is None:
                found.append(f"activations: {name!r}: unknown activation {part!r} ({PLUGIN_HINT})")
            elif act.kind != "elementwise":
                found.append(
                    f"activations: {name!r}: {part} is a {act.kind} activation; "
                    "only elementwise ones can be chosen per layer"
                )
            elif isinstance(act, LayeredActivation):
                found.append(f"activations: {name!r}: {part} is itself per layer")
    if n_hidden is not None and len(parts) != n_hidden:
        found.append(
            f"activations: {name} names {len(parts)} layer{'s' if len(parts) != 1 else ''} "
            f"but the network has {n_hidden} hidden layer{'s' if n_hidden != 1 else ''}"
        )
    return found


def _not_callable(*_args: Any, **_kwargs: Any) -> Any:
    raise TypeError(
        "a per-layer activation has no single function: use part(layer) for one layer's"
    )


@dataclass
class LayeredActivation(Activation):
    """An activation per hidden layer, raced under a name such as ``relu>tanh``.

    Its own ``fn`` raises: code that computes a layer asks :meth:`part` for that layer.
    """

    parts: tuple[Activation, ...] = ()

    def __post_init__(self) -> None:  # the name has '>' on purpose; parts were checked
        self.parts = tuple(self.parts)
        self.params = ()

    def part(self, layer: int) -> Activation:
        """The activation of hidden layer ``layer`` (0-based)."""
        return self.parts[layer]


def layered(name: str, activations: Mapping[str, Activation]) -> LayeredActivation:
    """The :class:`LayeredActivation` for ``name``; ``ValueError`` says why it cannot be."""
    found = problems(name, activations, None)
    if found:
        raise ValueError(found[0].split(": ", 1)[1])
    parts = tuple(activations[p] for p in parts_of(name))
    described = ", ".join(f"layer {i + 1}: {p.name}" for i, p in enumerate(parts))
    return LayeredActivation(
        name=canonical(name),
        fn=_not_callable,
        description=f"a different activation per hidden layer ({described})",
        family="per layer",
        parts=parts,
    )


def resolve(names: Iterable[str], activations: Mapping[str, Activation]) -> dict[str, Activation]:
    """``{name: Activation}`` for race names, building per-layer ones from their parts."""
    out: dict[str, Activation] = {}
    for name in names:
        out[name] = layered(name, activations) if is_layered(name) else activations[name]
    return out


def plugin_names(names: Iterable[str]) -> list[str]:
    """The activations that plugins provide behind race names (the parts of layered ones),
    each once, in order."""
    return list(dict.fromkeys(p for n in names for p in parts_of(n)))


def layer_params(act: Activation) -> list[tuple[str, int | None, Any]]:
    """``(key, layer, Param)`` of every parameter of a race activation: plain ones with
    layer ``None``, each part's keyed per layer (:func:`key`)."""
    if isinstance(act, LayeredActivation):
        return [
            (key(p.name, layer), layer, p)
            for layer, part in enumerate(act.parts)
            for p in part.params
        ]
    return [(p.name, None, p) for p in act.params]


def chosen_params(
    act: Activation, params: Mapping[str, Mapping[str, Any]]
) -> list[tuple[Activation, dict[str, Any]]]:
    """Per hidden layer of a layered activation, (part, the user's values for it)."""
    assert isinstance(act, LayeredActivation)
    return [(part, dict(params.get(part.name, {}))) for part in act.parts]


def describe(name: str, hidden: Sequence[int] | None = None) -> str:
    """A one-line description for tooltips: which function each layer applies."""
    parts = parts_of(name)
    widths = list(hidden or [])
    items = []
    for i, part in enumerate(parts):
        width = f" ({widths[i]} units)" if i < len(widths) else ""
        items.append(f"layer {i + 1}{width}: {part}")
    return "; ".join(items)

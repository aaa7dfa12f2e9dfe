"""One colour per activation, fixed by its name, the same in every panel, theme and file.

The colours are the colour-blind-safe sets of Okabe & Ito and Paul Tol, each with a
lighter companion for the dark theme (the print colours sink into a dark background).
A name always gets the same colour: the common built-ins have a fixed slot, any other
name is placed by a stable hash. When two curves shown together share a colour, the
later one gets a line style (dashed, dotted, dash-dot) so they stay apart.

Qt-free: the GUI, the CLI and the figure renderer all read it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Colours for a light background (print).
LIGHT = (
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7",
    "#56b4e9", "#882255", "#999933", "#332288", "#661100",
)  # fmt: skip

#: The same hues lifted for a dark background.
DARK = (
    "#4da3e0", "#f0b73a", "#2fc79b", "#ff7a3d", "#e59bc6",
    "#a9e0ff", "#c55d8f", "#c8c85a", "#9d94f0", "#a35844",
)  # fmt: skip

#: No two colours of a palette are closer than this CIEDE2000 difference
#: (``figures.colour_distance``; about 1 is just noticeable side by side): curves and
#: bands of different activations are told apart at a glance. Tol's teal (#44aa99)
#: stood 9.6 from tanh's bluish green and is replaced by his dark red; three dark-theme
#: colours were moved for the same reason.
MIN_DISTANCE = 15.0

#: Line styles used once a colour repeats among the curves shown together.
LINE_STYLES = ("solid", "dash", "dot", "dashdot")

#: Fixed slots, so the activations people compare most never share a colour.
FIXED = {
    "relu": 0,
    "sigmoid": 1,
    "tanh": 2,
    "gelu": 3,
    "silu": 4,
    "swish": 4,
    "softplus": 5,
    "elu": 6,
    "leaky_relu": 7,
    "selu": 8,
    "mish": 9,
}


@dataclass(frozen=True)
class CurveStyle:
    """How one activation's curve is drawn: a colour and a line style."""

    colour: str
    line: str = "solid"


def slot(name: str) -> int:
    """The palette index of ``name``: a fixed slot, else a stable hash of the name."""
    if name in FIXED:
        return FIXED[name]
    if ">" in name and not re.search(r"[\[,(]", name):
        return _layered_slot(name)
    base = re.split(r"[>\[,(]", name)[0].strip().lower()
    if base and base != name:
        # variants (``relu[a=0.1]``, ``relu, lr 0.1``) keep their activation's colour;
        # a line style tells them apart
        return slot(base)
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    return digest[0] % len(LIGHT)


def _layered_slot(name: str) -> int:
    """A per-layer name (``relu>tanh``) is raced beside its parts: its own colour, by a
    stable hash, stepped past the colours of its parts so their curves stay apart."""
    taken = {slot(part.strip()) for part in name.split(">") if part.strip()}
    start = hashlib.sha1(name.encode("utf-8")).digest()[0] % len(LIGHT)
    for k in range(len(LIGHT)):
        candidate = (start + k) % len(LIGHT)
        if candidate not in taken:
            return candidate
    return start


def colour_for(name: str, dark: bool = False) -> str:
    """The colour of ``name`` in the light or dark theme (``#rrggbb``)."""
    return (DARK if dark else LIGHT)[slot(name)]


def styles_for(names: Iterable[str], dark: bool = False) -> dict[str, CurveStyle]:
    """A style per name for curves drawn together: colour by name, dashes where colours repeat."""
    used: dict[int, int] = {}
    out: dict[str, CurveStyle] = {}
    for name in names:
        if name in out:
            continue
        s = slot(name)
        n = used.get(s, 0)
        used[s] = n + 1
        out[name] = CurveStyle(colour_for(name, dark), LINE_STYLES[n % len(LINE_STYLES)])
    return out


def distinct_colours(names: Iterable[str], dark: bool = False) -> dict[str, str]:
    """A colour per name for views that tell curves apart by colour alone (the
    Playground, where dashes mean training data): each name keeps its own colour
    unless a name before it has that colour, then it takes the next free one. Names
    with a fixed slot are placed first, so they always keep theirs. Beyond ten names
    colours repeat."""
    palette = DARK if dark else LIGHT
    unique = list(dict.fromkeys(names))
    taken: set[int] = set()
    chosen: dict[str, str] = {}
    for name in sorted(unique, key=lambda n: n not in FIXED):
        s = slot(name)
        if s in taken and len(taken) < len(palette):
            s = next(
                (s + k) % len(palette)
                for k in range(len(palette))
                if (s + k) % len(palette) not in taken
            )
        taken.add(s)
        chosen[name] = palette[s]
    return {name: chosen[name] for name in unique}


#: matplotlib's names for the line styles.
MATPLOTLIB_LINES = {"solid": "-", "dash": "--", "dot": ":", "dashdot": "-."}

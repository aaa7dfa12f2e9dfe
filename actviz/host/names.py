"""Names that only look alike: ``rеlu`` with a Cyrillic ``е`` is not a second relu.

:func:`skeleton` folds a name to what it looks like (NFKC, then a small map of the
letters that are drawn like Latin ones), so two names with the same skeleton would
show as two identical rows. The host refuses the later one.
"""

from __future__ import annotations

import unicodedata

#: Non-ASCII letters drawn like an ASCII one (Cyrillic, Greek and a few Latin extras).
LOOK_ALIKE = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "о": "o", "р": "p", "с": "c", "у": "y",
        "х": "x", "к": "k", "м": "m", "н": "h", "т": "t", "і": "i", "ї": "i", "ј": "j",
        "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g", "ı": "i",
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ѵ": "v", "ɑ": "a", "ℓ": "l",
    }
)  # fmt: skip


def skeleton(name: str) -> str:
    """What ``name`` looks like, in ASCII where a look-alike is known."""
    return unicodedata.normalize("NFKC", name).casefold().translate(LOOK_ALIKE)


def non_ascii(name: str) -> list[str]:
    """The non-ASCII characters of a name, as ``'е' (U+0435 CYRILLIC SMALL LETTER IE)``."""
    return [
        f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
        for ch in dict.fromkeys(name)
        if ord(ch) > 127
    ]


def look_alike_problem(name: str, taken: dict[str, str]) -> str | None:
    """Why ``name`` is refused given ``taken`` (skeleton -> name already in use), or ``None``."""
    other = taken.get(skeleton(name))
    if other is None or other == name:
        return None
    chars = ", ".join(non_ascii(name)) or "its letters"
    return (
        f"name {name!r} only looks like {other!r} (it differs by {chars}); "
        "names that differ only by look-alike characters are refused"
    )

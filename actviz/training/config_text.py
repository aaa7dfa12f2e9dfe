"""A race's settings typed as text: one set of rules for the command line
(``--seeds 0,3,7 --hidden 8,8``), the Playground's form and the notebook API.

Lists may be separated by commas, semicolons or spaces. A bad value raises
:class:`ValueError` whose message names the setting and shows an example; each caller
puts it in its own words (``--seeds: ...`` on the command line, a problem line in the
form). Ranges (a width of at least 1, a seed count of at least 1) are checked by
:meth:`RaceConfig.validate`, the one place a configuration is judged.
"""

from __future__ import annotations

from collections.abc import Sequence


def split_list(text: str) -> list[str]:
    """``"0, 3;7 9"`` -> ``["0", "3", "7", "9"]``."""
    return [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]


def parse_seeds(text: str) -> int | list[int]:
    """A count (``"5"``: seeds 0..4) or a list of seeds (``"0,3,7"``, ``"4,"``)."""
    try:
        values = [int(v) for v in split_list(text)]
    except ValueError:
        raise ValueError(f"seeds: give a count or a list of integers, not {text!r}") from None
    if not values:
        raise ValueError("seeds: give a count or a list of integers, not nothing")
    if len(values) == 1 and "," not in text and ";" not in text:
        return values[0]
    return values


def parse_widths(text: str) -> tuple[int, ...]:
    """Hidden layer widths, ``"8,8"`` -> ``(8, 8)`` (``""``: no hidden layer)."""
    try:
        return tuple(int(v) for v in split_list(text))
    except ValueError:
        raise ValueError(f"hidden: give widths like 8,8, not {text!r}") from None


def seeds_value(seeds: int | str | Sequence[int]) -> int | list[int]:
    """Seeds as the notebook takes them: a count, a list, or the text the CLI takes."""
    if isinstance(seeds, str):
        return parse_seeds(seeds)
    return seeds if isinstance(seeds, int) else [int(s) for s in seeds]


def widths_value(hidden: str | Sequence[int]) -> tuple[int, ...]:
    """Hidden widths as the notebook takes them: a sequence, or the text the CLI takes."""
    if isinstance(hidden, str):
        return parse_widths(hidden)
    return tuple(int(w) for w in hidden)

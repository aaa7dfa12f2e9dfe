"""``progress=`` for :func:`actviz.race` and :func:`actviz.bench`.

``True`` shows a tqdm bar with the time left (a widget in Jupyter when ipywidgets is
installed, a text bar otherwise); a callable receives one line of text per update;
``None``/``False`` shows nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

TQDM_MISSING = "progress=True needs tqdm: pip install 'actviz[notebook]' (or pip install tqdm)"


def _tqdm_class() -> Any:
    try:
        import ipywidgets  # noqa: F401 - the notebook bar needs it
        from tqdm.notebook import tqdm
    except ImportError:
        try:
            from tqdm.std import tqdm
        except ImportError:
            raise ImportError(TQDM_MISSING) from None
    return tqdm


class Reporter:
    """Counts ``done`` of ``total`` units (steps, shards) and reports as ``progress`` asks."""

    def __init__(self, progress: Any, total: int, unit: str, label: str) -> None:
        if progress is not None and not isinstance(progress, bool) and not callable(progress):
            raise TypeError(
                f"progress must be True, False, None or a function taking one line of text, "
                f"not {type(progress).__name__}"
            )
        self.total, self.unit, self.label = total, unit, label
        self.done = 0
        self.say: Callable[[str], None] | None = progress if callable(progress) else None
        self.bar = None
        if progress is True:
            self.bar = _tqdm_class()(total=total, unit=unit, desc=label, leave=True)

    def update(self, done: int, seconds: float | None = None, note: str = "") -> None:
        """``done`` units so far (monotone), ``seconds`` since the start."""
        step = max(0, done - self.done)
        self.done = max(self.done, done)
        if self.bar is not None:
            if note:
                self.bar.set_postfix_str(note, refresh=False)
            self.bar.update(step)
        if self.say is not None:
            self.say(self.line(seconds, note))

    def line(self, seconds: float | None, note: str = "") -> str:
        text = f"{self.label}: {self.done}/{self.total} {self.unit}s"
        if seconds is not None and self.done:
            left = seconds * (self.total - self.done) / self.done
            text += f" ({seconds:.1f} s, about {math.ceil(left)} s left)"
        return text + (f", {note}" if note else "")

    def message(self, text: str) -> None:
        """A line that is not a count (a shard skipped, a batch decided)."""
        if self.bar is not None:
            self.bar.write(text)
        if self.say is not None:
            self.say(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

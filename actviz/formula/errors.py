"""The one error the formula tools raise, carrying where in the text the problem is."""

from __future__ import annotations


class FormulaError(ValueError):
    """A formula (or its parameter list) that actviz will not build.

    ``start``/``end`` are 0-based character offsets into the formula text
    (``end`` exclusive), so an editor can underline the offending part;
    both are ``None`` when the problem has no place in the text (a bad
    parameter declaration, say). ``param`` names the parameter at fault, if any.
    """

    def __init__(
        self,
        message: str,
        start: int | None = None,
        end: int | None = None,
        *,
        param: str | None = None,
    ) -> None:
        if start is not None and (end is None or end < start):
            end = start
        self.message = message
        self.start = start
        self.end = end
        self.param = param
        super().__init__(str(self))

    @property
    def span(self) -> tuple[int, int] | None:
        """``(start, end)`` character offsets, or ``None``."""
        if self.start is None or self.end is None:
            return None
        return (self.start, self.end)

    def __str__(self) -> str:
        if self.start is None:
            return self.message
        return f"{self.message} (column {self.start + 1})"

    def caret(self, text: str) -> str:
        """``text`` with a line of carets under the offending part, for terminals."""
        if self.span is None:
            return text
        start, end = self.span
        start = min(start, len(text))
        width = max(1, min(end, len(text)) - start)
        return f"{text}\n{' ' * start}{'^' * width}"

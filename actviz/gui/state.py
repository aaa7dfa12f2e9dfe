"""The one shared state every panel reads: catalogue, selection, parameters, x range, theme.

Panels never talk to each other; they change this object and react to its signals,
so a new panel (a tab) needs nothing but a reference to it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

from ..api import Activation
from ..figures.palette import CurveStyle, colour_for, styles_for
from ..host import Catalogue, PluginHost
from .theme import LIGHT, Theme

DEFAULT_SELECTION = ("relu", "sigmoid", "tanh", "gelu", "silu")
DEFAULT_RANGE = (-6.0, 6.0)
DEFAULT_POINTS = 2001
#: Fewest samples on the x range: fewer draws a polyline, not a curve.
MIN_POINTS = 11


class AppState(QObject):
    """Shared state with Qt signals; see the module docstring."""

    catalogueChanged = Signal()
    selectionChanged = Signal()
    currentChanged = Signal(str)
    paramsChanged = Signal(str)
    xRangeChanged = Signal()
    themeChanged = Signal()
    message = Signal(str)

    def __init__(self, host: PluginHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.catalogue = Catalogue()
        self.generation = 0
        self._usable: dict[str, Activation] = {}
        self._usable_key: tuple[int, int, int] | None = None
        self.selected: list[str] = []
        self.current: str | None = None
        self.params: dict[str, dict[str, float]] = {}
        self.x_range: tuple[float, float] = DEFAULT_RANGE
        self.points = DEFAULT_POINTS
        self.theme: Theme = LIGHT
        self.theme_choice = "system"

    # -- plugins ----------------------------------------------------------------------

    def reload(self) -> Catalogue:
        """Load every plugin afresh; keep the selection and values of what still exists."""
        return self.set_catalogue(self.host.load())

    def set_catalogue(self, catalogue: Catalogue) -> Catalogue:
        """Show a (possibly partial, see ``PluginLoader``) catalogue; keep what still exists."""
        self.catalogue = catalogue
        self.generation += 1
        usable = self.usable()
        self.selected = [n for n in self.selected if n in usable]
        if self.current is not None and self.current not in {
            e.name for e in self.catalogue.entries
        }:
            self.current = self.selected[0] if self.selected else None
        self.catalogueChanged.emit()
        self.selectionChanged.emit()
        self.currentChanged.emit(self.current or "")
        return self.catalogue

    def usable(self) -> dict[str, Activation]:
        """The usable activations by name (do not change the dict). Kept per catalogue:
        panels ask for one activation at a time, and rebuilding the dict of hundreds
        on every call made the start-up with a large plugin quadratic."""
        key = (id(self.catalogue), self.generation, len(self.catalogue.entries))
        if self._usable_key != key:
            self._usable = self.catalogue.activations
            self._usable_key = key
        return self._usable

    def activation(self, name: str | None) -> Activation | None:
        if name is None:
            return None
        return self.usable().get(name)

    # -- selection --------------------------------------------------------------------

    def set_selected(self, names: list[str]) -> None:
        usable = self.usable()
        names = [n for n in dict.fromkeys(names) if n in usable]
        if names == self.selected:
            return
        self.selected = names
        self.selectionChanged.emit()

    def toggle(self, name: str, on: bool) -> None:
        if on and name not in self.selected:
            self.set_selected([*self.selected, name])
        elif not on and name in self.selected:
            self.set_selected([n for n in self.selected if n != name])

    def set_current(self, name: str | None) -> None:
        if name == self.current:
            return
        self.current = name
        self.currentChanged.emit(name or "")

    def focus(self) -> str | None:
        """The activation shading and marks are drawn for: the current one if shown."""
        if self.current in self.selected:
            return self.current
        return self.selected[0] if self.selected else None

    def colour(self, name: str) -> str:
        """The activation's colour in the current theme (fixed by name in the palette)."""
        return colour_for(name, self.theme.dark)

    def style(self, name: str) -> CurveStyle:
        """Colour and line style of ``name`` among the selected curves (dashes where colours
        repeat)."""
        return styles_for([*self.selected, name], self.theme.dark)[name]

    # -- parameters -------------------------------------------------------------------

    def params_for(self, name: str) -> dict[str, float]:
        """Current values of every parameter of ``name`` (defaults where unset)."""
        act = self.activation(name)
        if act is None:
            return {}
        chosen = self.params.get(name, {})
        cast = {"choice": str, "integer": int, "real": float}
        return {
            p.name: cast[p.kind](chosen.get(p.name, p.default))
            for p in act.params
            if p.is_scalar  # vector and per-unit values have no slider
        }

    def set_param(self, name: str, param: str, value: float | str) -> None:
        act = self.activation(name)
        if act is None:
            return
        try:
            p = act.param(param)
        except KeyError:
            return
        if p.kind == "choice":
            if value not in p.choices:
                return
        elif not isinstance(value, (int, float)) or not math.isfinite(value):
            return
        else:
            value = p.clamp(float(value))
        values = self.params.setdefault(name, {})
        if values.get(param) == value:
            return
        values[param] = value
        self.paramsChanged.emit(name)

    def reset_params(self, name: str) -> None:
        if self.params.pop(name, None) is not None:
            self.paramsChanged.emit(name)

    # -- x range and theme ------------------------------------------------------------

    def set_x_range(self, lo: float, hi: float, points: int | None = None) -> None:
        """Change the sampled range; a bad range is reported, not applied."""
        points = int(points or self.points)
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            self.notify(f"x range must be two finite numbers with from < to (got {lo}, {hi})")
            return
        if points < MIN_POINTS:
            self.notify(f"at least {MIN_POINTS} points are needed (got {points})")
            return
        if (lo, hi) == self.x_range and points == self.points:
            return
        self.x_range, self.points = (float(lo), float(hi)), points
        self.xRangeChanged.emit()

    def set_theme(self, theme: Theme, choice: str) -> None:
        self.theme, self.theme_choice = theme, choice
        self.themeChanged.emit()

    def notify(self, text: str) -> None:
        """Tell the user something (the status bar shows it); never raises."""
        self.message.emit(text)

"""The main window's tabs, in order. A new panel is one more entry in :data:`PANELS`.

A panel class takes ``(state, measurements)`` and subclasses :class:`base.Panel`.
"""

from __future__ import annotations

from .base import Panel
from .compare import ComparePanel
from .curves import CurvesPanel
from .discover import DiscoverPanel
from .lessons import LessonsPanel
from .playground import PlaygroundPanel
from .plugins import PluginsPanel
from .properties import PropertiesPanel

PANELS: list[type[Panel]] = [
    CurvesPanel,
    PropertiesPanel,
    PlaygroundPanel,
    ComparePanel,
    LessonsPanel,
    DiscoverPanel,
    PluginsPanel,
]

__all__ = [
    "PANELS",
    "ComparePanel",
    "CurvesPanel",
    "DiscoverPanel",
    "LessonsPanel",
    "Panel",
    "PlaygroundPanel",
    "PluginsPanel",
    "PropertiesPanel",
]

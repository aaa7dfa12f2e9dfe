"""The plugin host: discovers plugins, calls their hooks safely, validates what they give.

The rest of actviz talks to :class:`PluginHost` and the :class:`Catalogue` it
returns, never to pluggy directly.
"""

from .manager import PluginHost, load_catalogue
from .records import ActivationEntry, Catalogue, LoadError, PluginRecord

__all__ = [
    "ActivationEntry",
    "Catalogue",
    "LoadError",
    "PluginHost",
    "PluginRecord",
    "load_catalogue",
]

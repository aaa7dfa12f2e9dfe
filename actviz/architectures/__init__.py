"""Architectures a race can train: the MLP and residual, convolutional, recurrent and
attention networks, every activation x seed batched into one network.

Architectures are plugins (hook ``actviz_architectures``); the built-ins come from
``plugins/architectures.py`` like any other plugin. :mod:`.build` turns a race's
configuration into a batched :class:`~.stack.ArchStack`; :mod:`.memory` estimates
what one model needs.
"""

from __future__ import annotations

from ..training import engine as _engine
from . import race as _race
from .base import Architecture, Option

_engine.use_architectures(_race)  # the engine trains these without importing them

__all__ = ["Architecture", "Option"]

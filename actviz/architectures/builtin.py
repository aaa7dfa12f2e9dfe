"""The architectures actviz ships (registered from ``plugins/architectures.py``)."""

from __future__ import annotations

from .attention import TRANSFORMER
from .base import Architecture
from .conv import CNN1D, CNN2D
from .recurrent import GRU
from .simple import LINEAR, MLP, RESMLP

BUILTIN: tuple[Architecture, ...] = (MLP, LINEAR, RESMLP, CNN1D, CNN2D, GRU, TRANSFORMER)

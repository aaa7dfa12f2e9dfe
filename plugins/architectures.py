"""The built-in architectures, registered like any plugin's: MLP, logistic regression,
residual MLP, 1-D and 2-D CNNs, GRU and a small transformer (actviz.architectures)."""

from __future__ import annotations

from actviz import hookimpl


@hookimpl
def actviz_architectures():
    from actviz.architectures.builtin import BUILTIN

    return list(BUILTIN)

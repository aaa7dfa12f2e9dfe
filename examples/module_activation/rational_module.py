"""A torch.nn.Module activation as an actviz plugin: ``Activation.from_module``.

``SwishRational`` is the kind of module a researcher already has: a learnable Swish slope
``beta`` (a parameter), learnable rational coefficients (a vector parameter, indexed the
usual way, ``self.p[0]``), a fixed temperature (a buffer), ``reset_parameters`` (random
coefficients per seed) and its own ``derivative``. actviz races it batched, one copy of
the parameters per model; the coefficients have their own optimiser group.

Try it::

    actviz check examples/module_activation/rational_module.py
    actviz --plugins examples/module_activation plot swish_rational -d -o curves.png
    actviz --plugins examples/module_activation train --activations swish_rational,relu
"""

from __future__ import annotations

import torch
from torch import nn

from actviz import Activation, hookimpl


class SwishRational(nn.Module):
    """Swish with a learnable slope, plus a small learnable odd rational term."""

    def __init__(self) -> None:
        super().__init__()
        self.beta = nn.Parameter(torch.tensor(1.0))
        self.p = nn.Parameter(torch.zeros(2))
        self.register_buffer("temperature", torch.tensor(1.0))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.beta.fill_(1.0)
            self.p.normal_(0.0, 0.05)  # a different start per seed

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = x / self.temperature
        swish = x * torch.sigmoid(self.beta * u)
        return swish + self.p[0] * u / (1 + u * u) + self.p[1] * torch.tanh(u)

    def derivative(self, x: torch.Tensor) -> torch.Tensor:
        u = x / self.temperature
        s = torch.sigmoid(self.beta * u)
        d_swish = s + x * self.beta / self.temperature * s * (1 - s)
        d_rational = self.p[0] * (1 - u * u) / (1 + u * u) ** 2 / self.temperature
        d_tanh = self.p[1] * (1 - torch.tanh(u) ** 2) / self.temperature
        return d_swish + d_rational + d_tanh


@hookimpl
def actviz_activations() -> list[Activation]:
    return [
        Activation.from_module(
            SwishRational,
            name="swish_rational",
            ranges={"beta": (0.1, 5.0), "temperature": (0.25, 4.0)},
            # the rational coefficients: their own, slower learning rate and a small decay
            param_groups={"p": {"lr": 0.003, "weight_decay": 1e-4}},
            formula=r"x\,\sigma(\beta x / T) + p_0 \frac{u}{1+u^2} + p_1 \tanh u,\ u = x/T",
            references=["arXiv:1710.05941"],
        )
    ]

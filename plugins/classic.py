"""The classic activations: identity, logistic sigmoid, tanh and the Heaviside step."""

from __future__ import annotations

from typing import Any

import torch

from actviz import Activation, Param, hookimpl

Scalar = float | torch.Tensor


def _linear(x: torch.Tensor, c: Scalar = 1.0) -> torch.Tensor:
    return c * x


def _linear_d(x: torch.Tensor, c: Scalar = 1.0) -> torch.Tensor:
    return torch.ones_like(x) * c


def _sigmoid_d(x: torch.Tensor) -> torch.Tensor:
    # s(1 - s) written with sigmoid(-x) so neither factor loses precision in the tails.
    return torch.sigmoid(x) * torch.sigmoid(-x)


def _tanh_d(x: torch.Tensor) -> torch.Tensor:
    t = torch.tanh(x)
    return 1 - t * t


class _HeavisideZeroGrad(torch.autograd.Function):
    """Heaviside step whose backward pass sends exact zeros.

    Cutting the graph would leave ``.grad`` as ``None`` on earlier layers; a zero
    gradient shows what really happens: the hidden layers receive nothing to learn from.
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: torch.Tensor) -> torch.Tensor:
        return (x > 0).to(x.dtype)

    @staticmethod
    def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
        pass

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(grad)


def _step(x: torch.Tensor) -> torch.Tensor:
    return _HeavisideZeroGrad.apply(x)


def _step_d(x: torch.Tensor) -> torch.Tensor:
    return torch.zeros_like(x)


@hookimpl
def actviz_activations() -> list[Activation]:
    return [
        Activation(
            name="linear",
            fn=_linear,
            derivative=_linear_d,
            params=[Param("c", default=1.0, min=0.1, max=5.0, description="slope")],
            formula=r"c\,x",
            description=(
                "The identity, scaled. A stack of linear layers is still one linear map, so "
                "depth adds nothing: the network can only draw straight decision boundaries. "
                "It is the baseline every nonlinearity is measured against."
            ),
            family="linear",
            references=["Rosenblatt 1958, Psychological Review 65(6) (the linear perceptron)"],
            year=1958,
            use_cases=["regression output layers", "baseline showing why nonlinearity matters"],
            limitations=["cannot represent any nonlinear function, however deep the network"],
            output_range=(float("-inf"), float("inf")),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=True,
        ),
        Activation(
            name="sigmoid",
            fn=torch.sigmoid,
            derivative=_sigmoid_d,
            formula=r"\sigma(x) = \frac{1}{1+e^{-x}}",
            description=(
                "The logistic function squashes any input into (0, 1). Its slope is at most "
                "0.25 (at x = 0), so every sigmoid layer shrinks the backpropagated gradient by "
                "at least four: deep sigmoid networks suffer vanishing gradients. Its outputs "
                "are all positive, which also slows learning in the next layer."
            ),
            family="sigmoid-like",
            references=["Rumelhart, Hinton, Williams 1986, Nature 323 (backpropagation)"],
            year=1986,
            use_cases=["binary-classification output (a probability)", "gates in LSTM/GRU"],
            limitations=[
                "vanishing gradients: f' <= 0.25 and near 0 once |x| > 5",
                "not zero-centred",
            ],
            output_range=(0.0, 1.0),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=False,
        ),
        Activation(
            name="tanh",
            fn=torch.tanh,
            derivative=_tanh_d,
            formula=r"\tanh(x) = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}",
            description=(
                "A rescaled sigmoid with outputs in (-1, 1). It is zero-centred and its slope "
                "at 0 is 1, so it trains better than the sigmoid, but it still saturates: for "
                "|x| beyond about 3 the gradient nearly vanishes."
            ),
            family="sigmoid-like",
            references=["LeCun, Bottou, Orr, Mueller 1998, Efficient BackProp (LNCS 1524)"],
            year=1998,
            use_cases=["recurrent networks", "small smooth regressors", "bounded outputs"],
            limitations=["saturates for large |x|, so gradients vanish in deep stacks"],
            output_range=(-1.0, 1.0),
            smoothness="Cinf",
            monotonic=True,
            zero_centered=True,
        ),
        Activation(
            name="step",
            fn=_step,
            derivative=_step_d,
            formula=r"H(x) = 1\ \mathrm{if}\ x>0,\ 0\ \mathrm{otherwise}",
            description=(
                "The Heaviside step of the McCulloch-Pitts neuron: fire or do not. Its "
                "derivative is zero everywhere except the jump, so backpropagation passes "
                "exact zeros to every earlier layer and only the output layer can learn: a "
                "step network cannot be trained by gradient descent."
            ),
            family="threshold",
            references=[
                "McCulloch, Pitts 1943, Bulletin of Mathematical Biophysics 5",
                "Rosenblatt 1958, Psychological Review 65(6)",
            ],
            year=1943,
            use_cases=["history and teaching: why differentiable activations were needed"],
            limitations=["zero gradient almost everywhere: hidden layers never learn"],
            output_range=(0.0, 1.0),
            smoothness="discontinuous",
            monotonic=True,
            zero_centered=False,
        ),
    ]

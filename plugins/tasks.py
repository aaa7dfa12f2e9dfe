"""The built-in toy tasks of the race: 2-D classification, 1-D regression and signal fitting.

Every task draws its random numbers from the ``torch.Generator`` it is given, so a
seed fixes the data exactly; nothing is downloaded. The 64x64 image of ``signal2d``
is drawn here in code (``resources/signal2d.png`` is the same picture, for people).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from actviz import Task, hookimpl

IMAGE_SIZE = 64


def _normal(shape: tuple[int, ...], gen: torch.Generator) -> torch.Tensor:
    return torch.randn(shape, generator=gen)


def _uniform(shape: tuple[int, ...], low: float, high: float, gen: torch.Generator):
    return low + (high - low) * torch.rand(shape, generator=gen)


def _labels(n: int, classes: int) -> torch.Tensor:
    """Balanced labels 0, 1, ... in blocks (the split shuffles them)."""
    return torch.arange(n) * classes // n


def _moons(n: int, noise: float, gen: torch.Generator):
    y = _labels(n, 2)
    t = math.pi * torch.rand(n, generator=gen)
    outer = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    inner = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
    x = torch.where(y[:, None] == 0, outer, inner)
    return x + noise * _normal((n, 2), gen), y.float()


def _circles(n: int, noise: float, gen: torch.Generator):
    y = _labels(n, 2)
    t = 2 * math.pi * torch.rand(n, generator=gen)
    radius = torch.where(y == 0, 1.0, 0.5)
    x = radius[:, None] * torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    return x + noise * _normal((n, 2), gen), y.float()


def _xor(n: int, noise: float, gen: torch.Generator):
    x = _uniform((n, 2), -1.0, 1.0, gen)
    y = (x[:, 0] * x[:, 1] > 0).float()
    return x + noise * _normal((n, 2), gen), y


def _noise(n: int, noise: float, gen: torch.Generator):
    """Inputs in the square, labels fair coin flips drawn apart from them: no signal."""
    x = _uniform((n, 2), -1.0, 1.0, gen)
    y = (torch.rand(n, generator=gen) < 0.5).float()
    return x, y


def _spiral_arms(n: int, classes: int, turns: float, noise: float, gen: torch.Generator):
    y = _labels(n, classes)
    r = _uniform((n,), 0.05, 1.0, gen)
    theta = 2 * math.pi * (turns * r + y.float() / classes)
    x = r[:, None] * torch.stack([torch.sin(theta), torch.cos(theta)], dim=1)
    return x + noise * _normal((n, 2), gen), y


def _spiral(n: int, noise: float, gen: torch.Generator):
    x, y = _spiral_arms(n, 2, 0.875, noise, gen)
    return x, y.float()


def _spiral3(n: int, noise: float, gen: torch.Generator):
    return _spiral_arms(n, 3, 0.75, noise, gen)


def _gaussians(n: int, noise: float, gen: torch.Generator):
    y = _labels(n, 2)
    centre = torch.where(y[:, None] == 0, -0.7, 0.7) * torch.ones(1, 2)
    return centre + noise * _normal((n, 2), gen), y.float()


def _curve(fn, low: float, high: float):
    """A 1-D regression sampler: uniform x on [low, high], y = fn(x) + noise."""

    def sample(n: int, noise: float, gen: torch.Generator):
        x = _uniform((n, 1), low, high, gen)
        return x, fn(x) + noise * _normal((n, 1), gen)

    return sample


def _chirp(n: int, noise: float, gen: torch.Generator):
    """A sine whose frequency rises from 1 to 12 cycles per unit across [-1, 1]."""
    x = torch.linspace(-1.0, 1.0, n)[:, None]
    t = (x + 1) / 2
    y = torch.sin(2 * math.pi * (2 * t + 11 * t * t))
    return x, y + noise * _normal((n, 1), gen)


def signal_image(size: int = IMAGE_SIZE) -> np.ndarray:
    """The ``signal2d`` picture as uint8 ``[size, size]`` (row 0 at the top, y = +1).

    Flat regions, sharp edges, a smooth ramp and fine ripples: a network must fit
    both low and high frequencies, which is where sine activations with SIREN
    initialisation beat ReLU.
    """
    u = np.linspace(-1.0, 1.0, size)
    xs, ys = np.meshgrid(u, -u, indexing="xy")
    img = 0.15 + 0.2 * (xs + 1) / 2
    disc = (xs + 0.4) ** 2 + (ys - 0.35) ** 2 < 0.33**2
    img = np.where(disc, 0.92, img)
    square = (xs > 0.1) & (xs < 0.75) & (ys > -0.8) & (ys < -0.15)
    img = np.where(square, 0.5 + 0.35 * np.sin(14 * xs), img)
    r = np.sqrt((xs - 0.45) ** 2 + (ys - 0.45) ** 2)
    img = np.where(r < 0.32, 0.5 + 0.4 * np.cos(28 * r), img)
    bar = (np.abs(ys + 0.5) < 0.06) & (xs < -0.1)
    img = np.where(bar, 0.05, img)
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)


def _image_coords(size: int) -> torch.Tensor:
    u = torch.linspace(-1.0, 1.0, size)
    ys, xs = torch.meshgrid(-u, u, indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)


def _image(n: int, noise: float, gen: torch.Generator):
    """Pixels of :func:`signal_image`: coordinates in [-1, 1]^2 -> intensity in [0, 1]."""
    x = _image_coords(IMAGE_SIZE)
    y = torch.from_numpy(signal_image(IMAGE_SIZE).astype(np.float32) / 255.0).reshape(-1, 1)
    if n < x.shape[0]:
        keep = torch.randperm(x.shape[0], generator=gen)[:n]
        x, y = x[keep], y[keep]
    return x, y + noise * _normal(tuple(y.shape), gen)


_INPUT_NOISE = "standard deviation of Gaussian noise added to the inputs"
_TARGET_NOISE = "standard deviation of Gaussian noise added to the targets"


@hookimpl
def actviz_tasks() -> list[Task]:
    box = ((-1.5, 1.5), (-1.5, 1.5))
    return [
        Task(
            name="moons",
            sample=_moons,
            description="Two interleaving half circles: the classic non-linear 2-D problem.",
            default_points=200,
            default_noise=0.1,
            domain=((-1.6, 2.6), (-1.1, 1.6)),
            noise_help=_INPUT_NOISE,
        ),
        Task(
            name="circles",
            sample=_circles,
            description="A ring around a disc: needs a closed decision boundary.",
            default_points=200,
            default_noise=0.08,
            domain=box,
            noise_help=_INPUT_NOISE,
        ),
        Task(
            name="xor",
            sample=_xor,
            description="Four quadrants, opposite corners share a class: not linearly separable.",
            default_points=200,
            default_noise=0.05,
            domain=box,
            noise_help=_INPUT_NOISE,
        ),
        Task(
            name="spiral",
            sample=_spiral,
            description="Two interleaved spirals: hard for shallow or kinked networks.",
            default_points=300,
            default_noise=0.03,
            domain=box,
            noise_help=_INPUT_NOISE,
        ),
        Task(
            name="gaussians",
            sample=_gaussians,
            description="Two overlapping Gaussian blobs: nearly linear; noise sets the overlap.",
            default_points=200,
            default_noise=0.4,
            domain=((-2.2, 2.2), (-2.2, 2.2)),
            noise_help="standard deviation of each blob",
        ),
        Task(
            name="noise",
            sample=_noise,
            description=(
                "No signal: labels are coin flips independent of the inputs, drawn afresh "
                "per data seed. Every activation's true test accuracy is 50%, so any "
                "'better' or 'worse' here is a false verdict: race it to see the error "
                "rates of the whole comparison."
            ),
            default_points=200,
            default_noise=0.0,
            domain=box,
            noise_help="not used: the labels carry no information at any setting",
        ),
        Task(
            name="spiral3",
            sample=_spiral3,
            description="Three spiral arms, three classes: softmax output, cross-entropy loss.",
            output_dim=3,
            loss="ce",
            default_points=300,
            default_noise=0.03,
            domain=box,
            noise_help=_INPUT_NOISE,
        ),
        Task(
            name="sine",
            sample=_curve(lambda x: torch.sin(2 * x), -math.pi, math.pi),
            description="y = sin(2x): a smooth target that smooth activations fit easily.",
            kind="regression",
            input_dim=1,
            loss="mse",
            metric="r2",
            default_points=200,
            default_noise=0.05,
            domain=((-math.pi, math.pi),),
            noise_help=_TARGET_NOISE,
        ),
        Task(
            name="kink",
            sample=_curve(torch.abs, -1.5, 1.5),
            description="y = |x|: a kinked target that piecewise-linear units fit exactly.",
            kind="regression",
            input_dim=1,
            loss="mse",
            metric="r2",
            default_points=200,
            default_noise=0.02,
            domain=((-1.5, 1.5),),
            noise_help=_TARGET_NOISE,
        ),
        Task(
            name="steps",
            sample=_curve(lambda x: 0.5 * torch.floor(x) + 0.25, -2.0, 2.0),
            description="A staircase with three jumps: discontinuities no smooth net fits.",
            kind="regression",
            input_dim=1,
            loss="mse",
            metric="r2",
            default_points=200,
            default_noise=0.02,
            domain=((-2.0, 2.0),),
            noise_help=_TARGET_NOISE,
        ),
        Task(
            name="signal",
            sample=_chirp,
            description=(
                "A chirp, sin(2pi(2t + 11t^2)), sampled on a grid: high frequencies that "
                "ReLU nets blur and sine nets with SIREN init fit."
            ),
            kind="signal",
            input_dim=1,
            loss="mse",
            metric="r2",
            default_points=400,
            default_noise=0.0,
            test_fraction=0.2,
            domain=((-1.0, 1.0),),
            noise_help=_TARGET_NOISE,
        ),
        Task(
            name="signal2d",
            sample=_image,
            description=(
                f"A {IMAGE_SIZE}x{IMAGE_SIZE} grey image as a function of pixel coordinates; "
                "the test set is held-out pixels."
            ),
            kind="signal",
            input_dim=2,
            loss="mse",
            metric="r2",
            default_points=IMAGE_SIZE * IMAGE_SIZE,
            default_noise=0.0,
            test_fraction=0.25,
            domain=((-1.0, 1.0), (-1.0, 1.0)),
            noise_help=_TARGET_NOISE,
            extras={"grid_shape": (IMAGE_SIZE, IMAGE_SIZE)},
        ),
    ]

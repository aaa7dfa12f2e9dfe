"""MNIST-1D and its spatially shuffled control; the scikit-learn digits as 8x8 images.

MNIST-1D (Greydanus 2020, arXiv:2011.14439) is 5,000 one-dimensional digit signals of
length 40 (4,000 train, 1,000 test), built locally by the ``mnist1d`` package
(``pip install 'actviz[data]'``). ``mnist1d_shuffled`` applies one fixed permutation of
the 40 positions to every signal (drawn from the data seed, as the package does): a
model with a spatial prior (CNN, GRU) loses it, an MLP does not care.
"""

from __future__ import annotations

import numpy as np
import torch

from actviz import Task, hookimpl
from actviz.training.mnist1d_data import generate
from actviz.training.task import TaskData

LENGTH = 40


class MNIST1DTask(Task):
    """A :class:`Task` whose split is the package's own (first 80% train)."""

    def generate(self, n_points=None, noise=None, seed=0, test_fraction=None) -> TaskData:
        n = int(self.default_points if n_points is None else n_points)
        noise = float(self.default_noise if noise is None else noise)
        fraction = float(self.test_fraction if test_fraction is None else test_fraction)
        if n < 20:
            raise ValueError(f"task {self.name!r}: need at least 20 signals, got {n}")
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"test fraction must be in (0, 1), got {fraction}")
        shuffle = bool(self.extras.get("shuffled"))
        x, y, xt, yt = generate(int(seed), n, 1.0 - fraction, shuffle, noise)
        t = torch.from_numpy
        return TaskData(t(x), t(y), t(xt), t(yt), ((-4.0, 4.0),) * LENGTH, dict(self.extras))


def _sample(shuffle: bool):
    def sample(n: int, noise: float, gen: torch.Generator):
        seed = int(torch.randint(0, 2**20, (1,), generator=gen))
        x, y, xt, yt = generate(seed, n, 0.8, shuffle, noise)
        return np.concatenate([x, xt]), np.concatenate([y, yt])

    return sample


def _mnist1d(name: str, shuffled: bool) -> Task:
    text = (
        "MNIST-1D: 10 digit templates padded, shifted, scaled, sheared and noised into "
        "signals of length 40 (4,000 train, 1,000 test; Greydanus 2020)."
    )
    if shuffled:
        text += " Spatially shuffled: one fixed permutation of the 40 positions."
    return MNIST1DTask(
        name=name,
        sample=_sample(shuffled),
        description=text,
        kind="classification",
        input_dim=LENGTH,
        output_dim=10,
        loss="ce",
        metric="accuracy",
        default_points=5000,
        default_noise=0.25,
        test_fraction=0.2,
        noise_help="scale of the correlated (smooth) noise added to each signal",
        extras={"signal_length": LENGTH, "shuffled": shuffled, "source": "mnist1d"},
    )


def _digits(n: int, noise: float, gen: torch.Generator):
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise RuntimeError(
            "the digits8x8 task needs scikit-learn: pip install 'actviz[data]'"
        ) from None
    bunch = load_digits()
    x = torch.as_tensor(bunch.data, dtype=torch.float32) / 16.0
    y = torch.as_tensor(bunch.target, dtype=torch.int64)
    if n < len(x):
        rows = torch.randperm(len(x), generator=gen)[:n]
        x, y = x[rows], y[rows]
    return x + noise * torch.randn(x.shape, generator=gen), y


@hookimpl
def actviz_tasks() -> list[Task]:
    return [
        _mnist1d("mnist1d", False),
        _mnist1d("mnist1d_shuffled", True),
        Task(
            name="digits8x8",
            sample=_digits,
            description=(
                "scikit-learn's 1,797 handwritten digits as 8x8 images (pixels 0..1), for "
                "the 2-D CNN; the same data as 'digits', not standardised per pixel."
            ),
            input_dim=64,
            output_dim=10,
            loss="ce",
            metric="accuracy",
            default_points=1797,
            default_noise=0.0,
            test_fraction=0.3,
            domain=((0.0, 1.0),) * 64,
            noise_help="standard deviation of Gaussian noise added to each pixel",
            extras={"image_shape": (1, 8, 8)},
        ),
    ]

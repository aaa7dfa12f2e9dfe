"""MNIST-1D (Greydanus 2020) generated locally with the ``mnist1d`` package.

Only ``mnist1d.data.make_dataset`` is called (it builds the signals from code in about
2 s); never ``get_dataset``, which downloads. The package seeds numpy's and Python's
global generators; their states are restored afterwards, so generating data does not
change anything else's random numbers. Data seed ``s`` uses the package's seed
``42 + s``: seed 0 is the published dataset.
"""

from __future__ import annotations

import random
from functools import lru_cache

import numpy as np

PUBLISHED_SEED = 42
MISSING = "the {name} task needs the mnist1d package, which is not installed: pip install mnist1d"


@lru_cache(maxsize=8)
def generate(
    seed: int, num_samples: int, train_split: float, shuffle: bool, corr_noise: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_test, y_test)`` float32 / int64, as the package splits them."""
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError:
        raise RuntimeError(MISSING.format(name="mnist1d")) from None
    args = get_dataset_args()
    args.seed = PUBLISHED_SEED + int(seed)
    args.num_samples = int(num_samples)
    args.train_split = float(train_split)
    args.shuffle_seq = bool(shuffle)
    args.corr_noise_scale = float(corr_noise)
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    return (
        np.asarray(data["x"], np.float32),
        np.asarray(data["y"], np.int64),
        np.asarray(data["x_test"], np.float32),
        np.asarray(data["y_test"], np.int64),
    )

"""MNIST-1D tasks: the published sizes, the data seed changes the draw, nothing else's
random numbers move, the shuffled control permutes positions; digits as 8x8 images."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from actviz.training.config import RaceConfig

pytest.importorskip("mnist1d")


def test_published_sizes_and_the_packages_own_draw(builtin_catalogue):
    from mnist1d.data import get_dataset_args, make_dataset

    data = builtin_catalogue.tasks["mnist1d"].generate(seed=0)
    assert tuple(data.x_train.shape) == (4000, 40) and tuple(data.x_test.shape) == (1000, 40)
    assert data.y_train.dtype == torch.int64 and set(data.y_train.tolist()) == set(range(10))
    reference = make_dataset(get_dataset_args())  # the package's published seed, 42
    np.testing.assert_allclose(data.x_test.numpy(), reference["x_test"], rtol=1e-6, atol=1e-6)
    assert data.y_train.tolist() == reference["y"].tolist()


def test_data_seed_changes_the_draw_and_leaves_global_generators_alone(builtin_catalogue):
    task = builtin_catalogue.tasks["mnist1d"]
    np.random.seed(7)
    random.seed(7)
    a = task.generate(n_points=400, seed=1)
    assert np.random.rand() == np.random.RandomState(7).rand()
    assert random.random() == random.Random(7).random()
    b = task.generate(n_points=400, seed=2)
    again = task.generate(n_points=400, seed=1)
    assert not torch.equal(a.x_train, b.x_train)
    assert torch.equal(a.x_train, again.x_train)
    assert tuple(a.x_train.shape) == (320, 40)


def test_shuffled_control_is_one_fixed_permutation(builtin_catalogue):
    plain = builtin_catalogue.tasks["mnist1d"].generate(n_points=400, seed=3)
    shuffled = builtin_catalogue.tasks["mnist1d_shuffled"].generate(n_points=400, seed=3)
    x, xs = plain.x_train.numpy(), shuffled.x_train.numpy()
    assert torch.equal(plain.y_train, shuffled.y_train)
    perm = [int(np.argmin(np.abs(x[:50] - xs[:50, [j]]).sum(axis=0))) for j in range(40)]
    assert sorted(perm) == list(range(40)) and perm != list(range(40))
    np.testing.assert_allclose(x[:, perm], xs, rtol=1e-5, atol=1e-5)  # same for every signal


def test_digits_as_images(builtin_catalogue):
    pytest.importorskip("sklearn")
    task = builtin_catalogue.tasks["digits8x8"]
    data = task.generate(seed=0)
    assert task.extras["image_shape"] == (1, 8, 8)
    assert data.n_train + data.n_test == 1797
    assert 0.0 <= float(data.x_train.min()) and float(data.x_train.max()) <= 1.0


def test_old_configs_read_as_mlp():
    old = RaceConfig().to_dict()
    del old["arch"], old["arch_options"]
    cfg = RaceConfig.from_dict(old)
    assert cfg.arch == "mlp" and cfg.arch_options == {}
    new = RaceConfig(arch="cnn1d", arch_options={"channels": 8})
    assert RaceConfig.from_dict(new.to_dict()) == new

"""Built-in toy tasks: deterministic per seed, the right shapes, and the shipped image.

``python tests/test_tasks.py --write-image`` regenerates ``resources/signal2d.png``
from the ``signal2d`` task (the picture is drawn in code; the PNG is for people).
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
IMAGE = REPO / "resources" / "signal2d.png"

EXPECTED = {
    "moons": ("classification", 2, 1, "bce", "accuracy"),
    "circles": ("classification", 2, 1, "bce", "accuracy"),
    "xor": ("classification", 2, 1, "bce", "accuracy"),
    "spiral": ("classification", 2, 1, "bce", "accuracy"),
    "gaussians": ("classification", 2, 1, "bce", "accuracy"),
    "noise": ("classification", 2, 1, "bce", "accuracy"),
    "spiral3": ("classification", 2, 3, "ce", "accuracy"),
    "sine": ("regression", 1, 1, "mse", "r2"),
    "kink": ("regression", 1, 1, "mse", "r2"),
    "steps": ("regression", 1, 1, "mse", "r2"),
    "signal": ("signal", 1, 1, "mse", "r2"),
    "signal2d": ("signal", 2, 1, "mse", "r2"),
}


@pytest.fixture
def tasks(builtin_catalogue):
    return builtin_catalogue.tasks


def test_every_builtin_task_loads_with_its_loss_and_metric(tasks):
    assert set(EXPECTED) <= set(tasks)
    for name, (kind, n_in, n_out, loss, metric) in EXPECTED.items():
        t = tasks[name]
        assert (t.kind, t.input_dim, t.output_dim, t.loss, t.metric) == (
            kind,
            n_in,
            n_out,
            loss,
            metric,
        )
        assert t.description and t.metadata()["name"] == name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_data_is_deterministic_per_seed_and_shaped_for_the_loss(tasks, name):
    t = tasks[name]
    a, b, c = t.generate(seed=1), t.generate(seed=1), t.generate(seed=2)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_train, b.y_train)
    assert not torch.equal(a.x_train, c.x_train)
    n = a.n_train + a.n_test
    assert a.n_test == round(n * t.test_fraction)
    assert a.x_train.shape == (a.n_train, t.input_dim) and a.x_train.dtype == torch.float32
    if t.loss == "ce":
        assert a.y_train.dtype == torch.int64 and set(a.y_train.tolist()) == {0, 1, 2}
    else:
        assert a.y_train.shape == (a.n_train, t.output_dim)
        assert a.y_train.dtype == torch.float32
    if t.loss == "bce":
        assert set(a.y_train.flatten().tolist()) == {0.0, 1.0}
    assert torch.isfinite(a.x_train).all() and torch.isfinite(a.y_train.float()).all()
    assert len(a.domain) == t.input_dim


@pytest.mark.parametrize("name", ["moons", "circles", "spiral", "spiral3", "gaussians"])
def test_classes_are_balanced(tasks, name):
    t = tasks[name]
    d = t.generate(n_points=300, seed=0, test_fraction=0.2)
    labels = torch.cat([d.y_train.flatten(), d.y_test.flatten()]).long()
    counts = torch.bincount(labels).tolist()
    assert len(counts) == t.classes and max(counts) - min(counts) <= 1


def test_points_and_noise_are_honoured(tasks):
    moons = tasks["moons"]
    d = moons.generate(n_points=100, noise=0.0, seed=0, test_fraction=0.25)
    assert (d.n_train, d.n_test) == (75, 25)
    x = torch.cat([d.x_train, d.x_test])
    y = torch.cat([d.y_train, d.y_test]).flatten()
    outer = x[y == 0]
    assert torch.allclose(outer.norm(dim=1), torch.ones(len(outer)), atol=1e-5)
    inner = x[y == 1] - torch.tensor([1.0, 0.5])
    assert torch.allclose(inner.norm(dim=1), torch.ones(len(inner)), atol=1e-5)
    noisy = moons.generate(n_points=100, noise=0.3, seed=0)
    assert not torch.allclose(noisy.x_train.norm(dim=1), torch.ones(noisy.n_train))


def test_regression_targets_follow_their_formula(tasks):
    for name, fn in [
        ("sine", lambda x: torch.sin(2 * x)),
        ("kink", torch.abs),
        ("steps", lambda x: 0.5 * torch.floor(x) + 0.25),
    ]:
        d = tasks[name].generate(noise=0.0, seed=3)
        assert torch.allclose(d.y_train, fn(d.x_train), atol=1e-6), name


def _write_png_gray(path: Path, image: np.ndarray) -> None:
    height, width = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def _read_png_gray(path: Path) -> np.ndarray:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
            assert body[8:10] == b"\x08\x00", "8-bit greyscale expected"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert size is not None
    width, height = size
    raw = zlib.decompress(idat)
    rows = []
    for r in range(height):
        line = raw[r * (width + 1) : (r + 1) * (width + 1)]
        assert line[0] == 0, "only unfiltered rows are written"
        rows.append(np.frombuffer(line[1:], dtype=np.uint8))
    return np.stack(rows)


def _signal2d_pixels(tasks) -> np.ndarray:
    t = tasks["signal2d"]
    size = t.extras["grid_shape"]
    x, y = t.sample(size[0] * size[1], 0.0, torch.Generator().manual_seed(0))
    assert x[0].tolist() == [-1.0, 1.0]  # row 0 is the top (y = +1), left to right
    return np.round(y.numpy().reshape(size) * 255).astype(np.uint8)


def test_shipped_image_is_the_signal2d_picture(tasks):
    pixels = _signal2d_pixels(tasks)
    assert pixels.shape == (64, 64)
    assert pixels.std() > 40  # a picture, not a flat field
    assert IMAGE.exists(), "run: python tests/test_tasks.py --write-image"
    assert np.array_equal(_read_png_gray(IMAGE), pixels)
    d = tasks["signal2d"].generate(seed=0)
    assert d.n_train + d.n_test == 64 * 64
    assert d.n_test == 1024


def test_task_definitions_are_checked():
    from actviz import Task

    sample = lambda n, noise, gen: (torch.zeros(n, 2), torch.zeros(n))
    with pytest.raises(ValueError, match="loss"):
        Task(name="bad", sample=sample, loss="hinge")
    with pytest.raises(ValueError, match="output_dim"):
        Task(name="bad", sample=sample, loss="ce", output_dim=1)
    with pytest.raises(ValueError, match="lower-case"):
        Task(name="Bad", sample=sample)
    wrong = Task(name="wrong", sample=lambda n, noise, gen: (torch.zeros(n, 3), torch.zeros(n)))
    with pytest.raises(ValueError, match="width 3"):
        wrong.generate()


if __name__ == "__main__":
    if "--write-image" in sys.argv:
        from actviz.host import load_catalogue

        catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
        IMAGE.parent.mkdir(exist_ok=True)
        _write_png_gray(IMAGE, _signal2d_pixels(catalogue.tasks))
        print(f"wrote {IMAGE}")

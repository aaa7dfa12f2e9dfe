"""Evaluation takes faster paths than training (plain convolutions per model instead of one
grouped convolution, inputs in chunks): they give the training path's numbers."""

from __future__ import annotations

import pytest
import torch

from actviz.architectures import stack as stack_module
from actviz.architectures.race import stacks
from actviz.training.config import RaceConfig

pytest.importorskip("mnist1d")


@pytest.mark.parametrize(
    ("arch", "task", "inputs"), [("cnn1d", "mnist1d", 40), ("cnn2d", "digits8x8", 64)]
)
def test_evaluation_equals_the_training_forward(builtin_catalogue, arch, task, inputs):
    cat = builtin_catalogue
    cfg = RaceConfig(task=task, activations=["relu", "gelu", "prelu"], seeds=2, arch=arch)
    (stack,) = stacks(
        cfg, cat.architectures[arch], cat.activations, cat.tasks[task], torch.device("cpu"), 100
    )
    x = torch.randn(inputs, 2 * stack_module.EVAL_CHUNK + 37)  # three chunks, the last short
    trained, layers = stack.forward(x, train=False, record=True)  # gradients on: grouped, whole
    with torch.no_grad():
        evaluated, recorded = stack.forward(x, train=False, record=True)
    torch.testing.assert_close(evaluated, trained.detach(), rtol=1e-4, atol=1e-5)
    assert len(recorded) == len(layers)
    for (z, h), (z2, h2) in zip(layers, recorded, strict=True):
        assert z2.shape == z.shape  # the first record_points points, as in one pass
        torch.testing.assert_close(h2, h.detach(), rtol=1e-4, atol=1e-5)


def test_attention_is_softmax_of_scaled_scores_times_values():
    """The fused attention equals the textbook formula, head by head, model by model."""
    from actviz.architectures.attention import _attention

    torch.manual_seed(0)
    m, d, n, t, heads = 3, 8, 5, 6, 2
    p = {
        "w_qkv#0": torch.randn(m, 3 * d, d) / 3,
        "b_qkv#0": torch.randn(m, 3 * d, 1),
        "w_o#0": torch.randn(m, d, d) / 3,
        "b_o#0": torch.randn(m, d, 1),
    }
    h = torch.randn(m, d, n, t)
    out = _attention(p, h, 0, heads)
    c = d // heads
    for model in range(m):
        for point in range(n):
            tokens = h[model, :, point, :].t()  # [t, d]
            qkv = tokens @ p["w_qkv#0"][model].t() + p["b_qkv#0"][model, :, 0]
            q, k, v = qkv.split(d, dim=1)
            mixed = []
            for head in range(heads):
                cols = slice(head * c, (head + 1) * c)
                weights = torch.softmax(q[:, cols] @ k[:, cols].t() / c**0.5, dim=1)
                mixed.append(weights @ v[:, cols])
            expected = torch.cat(mixed, dim=1) @ p["w_o#0"][model].t() + p["b_o#0"][model, :, 0]
            torch.testing.assert_close(out[model, :, point, :].t(), expected, rtol=1e-4, atol=1e-5)

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

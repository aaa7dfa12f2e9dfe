"""L1 and L2 weight penalties, added to the gradient of the flat parameters.

The race trains all models as views of one flat tensor (``model.ParamPack``); the
penalties' gradient is added to it directly, on fixed tensors, so a captured CUDA
graph replays it like the rest of the step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from .config import RaceConfig
    from .model import ModelStack, ParamPack


def penalty_scales(
    config: RaceConfig, pack: ParamPack, stacks: list[ModelStack]
) -> tuple[torch.Tensor | None, torch.Tensor | None] | None:
    """The weight penalties as fixed scale tensors over the flat parameters, or ``None``.

    Each model's loss gets ``l1 * sum|W| + l2 * sum W^2`` over its weight matrices (not
    biases, not activation parameters); its gradient ``l1 * sign(W) + 2 * l2 * W`` is
    added straight to the flat gradient (see :func:`add_penalty_gradient`): the same
    update as differentiating the penalised loss, for two or three fused operations
    instead of a dozen per layer, on fixed tensors (so a CUDA graph captures them)."""
    l1 = float(getattr(config, "l1", 0.0) or 0.0)
    l2 = float(getattr(config, "l2", 0.0) or 0.0)
    if not (l1 or l2):
        return None
    mask = pack.mask([w for stack in stacks for w in stack.weights])
    return (mask * l1 if l1 else None), (mask * (2 * l2) if l2 else None)


def add_penalty_gradient(
    flat: torch.Tensor, l1_scale: torch.Tensor | None, l2_scale: torch.Tensor | None
) -> None:
    """Add the penalties' gradient to ``flat.grad`` in place. A frozen model's weights
    are zero, so it gets none (``sign(0) = 0``, as autograd's ``abs`` has at 0)."""
    with torch.no_grad():
        if l2_scale is not None:
            flat.grad.addcmul_(l2_scale, flat)
        if l1_scale is not None:
            flat.grad.addcmul_(l1_scale, flat.sign())

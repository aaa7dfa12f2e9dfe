"""Parameter groups for activation parameters: their own learning rate and weight decay.

A race trains every parameter as a view of one flat tensor with one optimiser
(``model.ParamPack``). A learnable ``Param`` with ``lr`` or ``weight_decay`` is its own
group, as in torch.optim: ``weight_decay`` adds ``wd * p`` to its gradient before the
step (torch.optim's L2 ``weight_decay``), and ``lr`` rescales the step's change of its
entries by ``lr / race lr``. Every one of the five update rules moves a parameter by
its learning rate times a quantity that does not depend on it, so the rescaled change
is the step torch.optim takes for a group with that learning rate. Only the group's
entries are read and written (gathered by index), so everything else keeps bit-equal
numbers, and all tensors are fixed: a captured CUDA graph replays it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .layered import layer_params
from .model import ModelStack, ParamPack


@dataclass
class ParamGroups:
    """The grouped entries of the flat parameters, with their scale and decay."""

    index: torch.Tensor
    scale: torch.Tensor | None
    decay: torch.Tensor | None
    before: torch.Tensor

    @torch.no_grad()
    def before_step(self, flat: torch.Tensor) -> None:
        """Add the groups' weight decay to the gradient; keep their values."""
        values = flat.index_select(0, self.index)
        self.before.copy_(values)
        if self.decay is not None:
            flat.grad.index_add_(0, self.index, values.mul_(self.decay))

    @torch.no_grad()
    def after_step(self, flat: torch.Tensor) -> None:
        """Rescale the groups' change by their learning rate over the race's."""
        if self.scale is None:
            return
        moved = flat.index_select(0, self.index).sub_(self.before).mul_(self.scale)
        flat.index_copy_(0, self.index, moved.add_(self.before))


def param_groups(lr: float, pack: ParamPack, stacks: Sequence[ModelStack]) -> ParamGroups | None:
    """The groups of the activation parameters that declare ``lr`` or ``weight_decay``
    (``None`` when none does: the step is then untouched)."""
    views: list[tuple[torch.Tensor, float, float]] = []
    for stack in stacks:
        for seg in stack.segments:
            for name, _, p in layer_params(seg.activation):
                if p.learnable and (p.lr is not None or p.weight_decay is not None):
                    scale = 1.0 if p.lr is None else p.lr / lr
                    decay = p.weight_decay or 0.0
                    views += [(t, scale, decay) for t in seg.learnable[name]]
    if not views:
        return None
    flat = pack.flat
    mask = pack.mask([v for v, _, _ in views])
    index = mask.nonzero().flatten()
    scale_flat = torch.ones_like(flat)
    decay_flat = torch.zeros_like(flat)
    for view, scale, decay in views:
        scale_flat += pack.mask([view]) * (scale - 1.0)
        decay_flat += pack.mask([view]) * decay
    scales = scale_flat.index_select(0, index)
    decays = decay_flat.index_select(0, index)
    return ParamGroups(
        index=index,
        scale=None if bool((scales == 1.0).all()) else scales,
        decay=None if bool((decays == 0.0).all()) else decays,
        before=torch.zeros_like(scales),
    )

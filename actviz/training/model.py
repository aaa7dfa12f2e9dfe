"""Many MLPs stacked into one: weights ``[models, out, in]``, one ``baddbmm`` per layer.

Activations are laid out feature-major, ``[models, units, points]``: the batched
product ``W @ h`` then has the long point axis innermost, which is several times
faster on the CPU than ``h @ W`` for toy widths. Models are grouped by activation
into contiguous *segments*; each hidden layer applies every segment's function to
its slice (one ``split``, one call per activation, one ``cat``).
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch

from ..api import Activation
from ..plugin_trace import located

if TYPE_CHECKING:
    from .optim import FlatOptimizer


class ActivationError(Exception):
    """An activation's function raised or returned the wrong shape during training."""

    def __init__(self, activation: str, message: str, tb: str = "") -> None:
        super().__init__(f"activation {activation!r}: {message}")
        self.activation = activation
        self.message = message
        self.traceback = tb


@dataclass
class Segment:
    """The models of one activation inside a stack (local indices ``start:stop``)."""

    activation: Activation
    start: int
    stop: int
    run_ids: list[int]
    fixed: dict[str, object]
    #: Per parameter, one leaf tensor per hidden layer, already in race shape
    #: (``param_shapes.race_value``): ``[models, 1, 1(, k)]`` or ``[models, units, 1(, k)]``.
    learnable: dict[str, list[torch.Tensor]] = field(default_factory=dict)
    #: Fixed parameters that are tensors (vectors, per unit, drawn per seed), per layer.
    constants: dict[str, list[torch.Tensor]] = field(default_factory=dict)
    failed: bool = False

    @property
    def name(self) -> str:
        return self.activation.name

    def layer_activation(self, layer: int) -> Activation:
        """The activation hidden layer ``layer`` applies (differs per layer for a
        per-layer race name such as ``relu>tanh``, see ``layered.py``)."""
        parts = getattr(self.activation, "parts", None)
        return parts[layer] if parts else self.activation

    @property
    def size(self) -> int:
        return self.stop - self.start

    def kwargs(self, layer: int) -> dict[str, object]:
        """Keyword arguments for ``fn`` at ``layer``: floats for fixed plain parameters,
        race-shaped tensors for the others (see ``actviz/param_shapes.py``)."""
        if getattr(self.activation, "parts", None):
            return self._layer_kwargs(layer)
        if not self.learnable and not self.constants:
            return self.fixed
        kw: dict[str, object] = dict(self.fixed)
        for name, per_layer in self.constants.items():
            kw[name] = per_layer[layer]
        for name, per_layer in self.learnable.items():
            kw[name] = per_layer[layer]
        return kw

    def _layer_kwargs(self, layer: int) -> dict[str, object]:
        """A per-layer segment keys each part's values ``"name@layer"``, the tensors in
        one-element lists (only that layer has them)."""
        suffix = f"@{layer}"
        kw: dict[str, object] = {}
        for source in (self.fixed, self.constants, self.learnable):
            for name, value in source.items():
                if name.endswith(suffix):
                    kw[name[: -len(suffix)]] = value[0] if isinstance(value, list) else value
        return kw

    def call(self, z: torch.Tensor, layer: int, train: bool) -> torch.Tensor:
        """Apply the activation to ``z`` ``[models, units, points]``; errors name the plugin."""
        act = self.layer_activation(layer)
        out_units = z.shape[1] // 2 if act.kind == "gated" else z.shape[1]
        if self.failed:
            return z.new_zeros(z.shape[0], out_units, z.shape[2])
        fn = act.train_fn if (train and act.train_fn is not None) else act.fn
        try:
            if act.kind == "elementwise":
                out = fn(z, **self.kwargs(layer))
            else:  # the contract puts the units on the last axis
                out = fn(z.transpose(1, 2), **self.kwargs(layer)).transpose(1, 2)
        except Exception as exc:  # noqa: BLE001 - any plugin error stops only this activation
            raise ActivationError(  # where in the plugin, and a hint for torch pitfalls
                self.name, f"{type(exc).__name__}: {exc}{located(exc)}", traceback.format_exc()
            ) from exc
        check_output(self.name, out, z, out_units)
        return out


def check_output(name: str, out: object, z: torch.Tensor, out_units: int) -> None:
    """Raise :class:`ActivationError` unless ``out`` is ``[models, out_units, points]``
    of ``z``'s dtype and device (the contract every step relies on)."""
    expected = (z.shape[0], out_units, z.shape[2])
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != expected:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ActivationError(name, f"returned shape {got}, expected {expected}")
    if out.dtype != z.dtype or out.device != z.device:
        raise ActivationError(
            name, f"returned {out.dtype} on {out.device} for {z.dtype} input on {z.device}"
        )


class ModelStack:
    """Models that share layer shapes, trained as one batched network.

    :param weights: per layer ``[models, out, in]`` leaf tensors.
    :param biases: per layer ``[models, out, 1]`` leaf tensors.
    """

    def __init__(
        self,
        segments: Sequence[Segment],
        weights: list[torch.Tensor],
        biases: list[torch.Tensor],
    ) -> None:
        self.segments = list(segments)
        self.weights = weights
        self.biases = biases
        self.size = int(weights[0].shape[0])
        self.run_ids = [r for seg in self.segments for r in seg.run_ids]
        self._split = [seg.size for seg in self.segments]
        device = weights[0].device
        self.live = torch.ones(self.size, device=device, dtype=torch.float32)
        self.ok = torch.ones(self.size, dtype=torch.bool, device=device)
        self.finite_steps = torch.zeros(self.size, dtype=torch.long, device=device)
        self.frozen: set[int] = set()
        self.all_live = True

    @property
    def n_hidden(self) -> int:
        return len(self.weights) - 1

    def parameters(self) -> list[torch.Tensor]:
        params = list(self.weights) + list(self.biases)
        for seg in self.segments:
            for per_layer in seg.learnable.values():
                params.extend(per_layer)
        return params

    def forward(
        self, x: torch.Tensor, train: bool, record: bool = False
    ) -> tuple[torch.Tensor, list[tuple[torch.Tensor, torch.Tensor]]]:
        """Outputs ``[models, outputs, points]`` for inputs ``x`` ``[inputs, points]``
        (shared by every model) or ``[models, inputs, points]`` (one data set per model).

        With ``record`` also returns each hidden layer's (pre-activation, activation).
        """
        h = x if x.ndim == 3 else x.unsqueeze(0).expand(self.size, -1, -1)
        layers: list[tuple[torch.Tensor, torch.Tensor]] = []
        for layer in range(self.n_hidden):
            z = torch.baddbmm(self.biases[layer], self.weights[layer], h)
            if len(self.segments) == 1:
                h = self.segments[0].call(z, layer, train)
            else:
                parts = z.split(self._split)
                h = torch.cat(
                    [s.call(p, layer, train) for s, p in zip(self.segments, parts, strict=False)]
                )
            if record:
                layers.append((z, h))
        out = torch.baddbmm(self.biases[-1], self.weights[-1], h)
        return out, layers

    def grad_norms(self) -> list[torch.Tensor]:
        """Per layer, each model's gradient norm (weights and biases together)."""
        return [
            (w.grad.square().sum(dim=(1, 2)) + b.grad.square().sum(dim=(1, 2))).sqrt()
            for w, b in zip(self.weights, self.biases, strict=True)
        ]

    def segment_of(self, local: int) -> Segment:
        for seg in self.segments:
            if seg.start <= local < seg.stop:
                return seg
        raise IndexError(local)

    def tensors(self) -> list[tuple[str, object, torch.Tensor, int]]:
        """Every parameter as ``(kind, key, tensor, first model)``; rows index models."""
        items: list[tuple[str, object, torch.Tensor, int]] = []
        items += [("w", i, w, 0) for i, w in enumerate(self.weights)]
        items += [("b", i, b, 0) for i, b in enumerate(self.biases)]
        for seg in self.segments:
            items += [
                ("p", (seg, name, layer), v, seg.start)
                for name, per_layer in seg.learnable.items()
                for layer, v in enumerate(per_layer)
            ]
        return items

    def replace(self, kind: str, key: object, tensor: torch.Tensor) -> None:
        if kind == "w":
            self.weights[key] = tensor  # type: ignore[index]
        elif kind == "b":
            self.biases[key] = tensor  # type: ignore[index]
        else:
            seg, name, layer = key  # type: ignore[misc]
            seg.learnable[name][layer] = tensor

    @torch.no_grad()
    def freeze(self, locals_: Sequence[int], pack: ParamPack | None = None) -> None:
        """Zero these models' weights, gradients and optimiser state and drop them from the
        loss, so a diverged or failed model cannot move or spread NaN to the others."""
        idx = [i for i in locals_ if i not in self.frozen]
        if not idx:
            return
        self.frozen.update(idx)
        self.all_live = False
        self.live[torch.tensor(idx, device=self.live.device)] = 0.0
        for _, _, tensor, first in self.tensors():
            rows = [i - first for i in idx if first <= i < first + tensor.shape[0]]
            if not rows:
                continue
            index = torch.tensor(rows, dtype=torch.long, device=tensor.device)
            targets = [tensor, tensor.grad] if pack is None else pack.aliases(tensor)
            for target in targets:
                if target is not None:
                    target.index_fill_(0, index, 0.0)


class ParamPack:
    """All parameters of all stacks as views of one flat tensor (and its gradient).

    The optimiser then updates one tensor in a single fused call, and clearing the
    gradients is one ``zero_()``, instead of a few launches per weight matrix.
    """

    def __init__(self, stacks: Sequence[ModelStack]) -> None:
        entries = [(stack, item) for stack in stacks for item in stack.tensors()]
        total = sum(item[2].numel() for _, item in entries)
        device = entries[0][1][2].device
        self.flat = torch.zeros(total, device=device, dtype=torch.float32)
        self.flat.grad = torch.zeros(total, device=device, dtype=torch.float32)
        self._where: dict[int, tuple[int, tuple[int, ...]]] = {}
        self._optimizer: torch.optim.Optimizer | FlatOptimizer | None = None
        offset = 0
        for stack, (kind, key, tensor, _) in entries:
            n = tensor.numel()
            view = self.flat[offset : offset + n].view(tensor.shape)
            view.copy_(tensor.detach())
            view.requires_grad_()
            view.grad = self.flat.grad[offset : offset + n].view(tensor.shape)
            stack.replace(kind, key, view)
            self._where[id(view)] = (offset, tuple(tensor.shape))
            offset += n

    def mask(self, views: Sequence[torch.Tensor]) -> torch.Tensor:
        """A flat 0/1 tensor marking the entries of these parameters (views of ``flat``)."""
        out = torch.zeros_like(self.flat)
        for view in views:
            offset, _ = self._where[id(view)]
            out[offset : offset + view.numel()] = 1.0
        return out

    def attach(self, optimizer: torch.optim.Optimizer | FlatOptimizer) -> None:
        self._optimizer = optimizer

    def zero_grad(self) -> None:
        self.flat.grad.zero_()

    def aliases(self, view: torch.Tensor) -> list[torch.Tensor]:
        """The parameter, its gradient and its optimiser state, as views shaped like it."""
        offset, shape = self._where[id(view)]
        n = view.numel()
        flats = [self.flat, self.flat.grad]
        if self._optimizer is not None:
            state = self._optimizer.state.get(self.flat, {})
            flats += [
                v
                for v in state.values()
                if isinstance(v, torch.Tensor) and v.shape == self.flat.shape
            ]
        return [f[offset : offset + n].view(shape) for f in flats]

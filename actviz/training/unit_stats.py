"""What the hidden units of a stack of models do: dead units, mean and spread.

A unit is dead when its output is the same at every input, or its slope is 0 at every
input. The race's dead-unit fraction and the "Inside the network" view both use
:func:`dead_masks`, so they cannot disagree. Plugin code run here is guarded: an error
stops only that activation, with the plugin named (``model.ActivationError``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..api import Activation
from .model import ActivationError, ModelStack, Segment
from .seeded_grad import grad as seeded_grad


def hidden_stats(
    stack: ModelStack, layers: list[tuple[torch.Tensor, torch.Tensor]]
) -> list[torch.Tensor]:
    """Dead-unit fraction, mean and std of each hidden layer's activations, per model.

    A unit is dead when its output is the same for every training input, or when
    the activation's derivative is exactly zero at every training input (no
    gradient can reach the weights before it).
    """
    stats: list[torch.Tensor] = []
    for (_, h), (constant, zero) in zip(layers, dead_masks(stack, layers), strict=True):
        dead = (constant | zero).float().mean(dim=1)
        mean, std = _mean_std(h)
        stats += [dead, mean, std]
    return stats


def dead_masks(
    stack: ModelStack, layers: list[tuple[torch.Tensor, torch.Tensor]]
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per hidden layer ``(constant, zero_slope)``, each ``[models, units]``, over the
    inputs of ``layers`` (``forward(record=True)``): a unit is dead when its output is
    the same at every input, or its slope is 0 at every input. The race's dead-unit
    fraction and the inside view both read this, so they cannot disagree."""
    zero = _zero_slopes(stack, [z for z, _ in layers])
    return [
        ((h.amax(dim=2) - h.amin(dim=2)) == 0, flat)
        for (_, h), flat in zip(layers, zero, strict=True)
    ]


def _zero_slopes(stack: ModelStack, zs: list[torch.Tensor]) -> list[torch.Tensor]:
    """Per hidden layer ``[models, units]``: True where the slope is 0 at every input.

    Elementwise activations are differentiated by autograd (what training sees), all
    segments and layers in one backward pass; the others use their declared derivative.
    """
    first = stack.segments[0].activation  # a stack is all gated or all not
    flats = [
        torch.zeros(z.shape[0], _units(first, z), dtype=torch.bool, device=z.device) for z in zs
    ]
    sizes = [seg.size for seg in stack.segments]
    outs: list[torch.Tensor] = []
    ins: list[torch.Tensor] = []
    where: list[tuple[int, Segment]] = []
    with torch.enable_grad():
        for layer, z in enumerate(zs):
            for seg, part in zip(stack.segments, z.split(sizes), strict=True):
                if seg.failed:
                    continue
                if seg.activation.kind != "elementwise":
                    flats[layer][seg.start : seg.stop] = _declared_zero_slope(seg, part, layer)
                    continue
                zz = part.detach().requires_grad_()
                out = _guarded(seg, lambda s=seg, x=zz, i=layer: _train_fn(s, i)(x, **_plain(s, i)))
                if not out.requires_grad:  # the output does not depend on the input
                    flats[layer][seg.start : seg.stop] = True
                    continue
                outs.append(out)
                ins.append(zz)
                where.append((layer, seg))
        if not outs:
            return flats
        try:
            slopes = seeded_grad(outs, ins, [torch.ones_like(o) for o in outs])
        except Exception:
            _blame_backward(where, ins)  # raises ActivationError naming the plugin
            raise
    for (layer, seg), slope in zip(where, slopes, strict=True):
        zero = True if slope is None else (slope == 0).all(dim=2)
        flats[layer][seg.start : seg.stop] = zero
    return flats


def _train_fn(seg: Segment, layer: int) -> Callable[..., Any]:
    act = seg.layer_activation(layer)
    return act.train_fn or act.fn


def _plain(seg: Segment, layer: int) -> dict[str, object]:
    """The segment's keyword arguments with learnable values detached."""
    return {
        k: (v.detach() if isinstance(v, torch.Tensor) else v) for k, v in seg.kwargs(layer).items()
    }


def _guarded(seg: Segment, call: Callable[[], torch.Tensor]) -> torch.Tensor:
    """Run a plugin's code; any error stops only that activation, with the plugin named."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - a plugin error stops only this activation
        import traceback

        raise ActivationError(
            seg.name, f"{type(exc).__name__}: {exc}", traceback.format_exc()
        ) from exc


def _blame_backward(where: list[tuple[int, Segment]], ins: list[torch.Tensor]) -> None:
    """The joint backward pass failed: find the plugin whose own backward fails."""
    for (layer, seg), zz in zip(where, ins, strict=True):
        x = zz.detach().requires_grad_()

        def slope(s: Segment = seg, x: torch.Tensor = x, i: int = layer) -> torch.Tensor:
            out = _train_fn(s, i)(x, **_plain(s, i))
            return torch.autograd.grad(out.sum(), x, allow_unused=True)[0]

        _guarded(seg, slope)


def _declared_zero_slope(seg: Segment, z: torch.Tensor, layer: int) -> torch.Tensor:
    """Vector and gated activations: where the declared derivative is 0 at every input."""
    act = seg.activation
    if act.derivative is None:
        return torch.zeros(z.shape[0], _units(act, z), dtype=torch.bool, device=z.device)
    derivative = act.derivative
    d = _guarded(seg, lambda: derivative(z.transpose(1, 2), **_plain(seg, layer)).transpose(1, 2))
    zero = (d == 0).all(dim=2)
    if act.kind == "gated":
        half = zero.shape[1] // 2
        return zero[:, :half] & zero[:, half:]
    return zero


def _mean_std(h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and sample std over all but the first axis, two-pass: ``torch.std_mean`` takes
    several times longer on the small strided slices evaluated here."""
    mean = h.mean(dim=(1, 2), keepdim=True)
    n = h[0].numel()
    if n < 2:
        return mean.flatten(), torch.zeros_like(mean.flatten())
    var = (h - mean).square().sum(dim=(1, 2)) / (n - 1)
    return mean.flatten(), var.sqrt()


def _units(act: Activation, z: torch.Tensor) -> int:
    return z.shape[1] // 2 if act.kind == "gated" else z.shape[1]

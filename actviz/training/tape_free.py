"""The race's training step without an autograd tape over the network.

A toy network's step costs what its operations cost to dispatch, not what they
compute: on the CPU the reference step (``stack.forward`` + ``loss.backward()``)
spends most of its time recording and replaying autograd's graph. Here the forward
and backward of a stacked MLP are written out as the few batched products they are
(``baddbmm`` forward; ``bmm`` for each weight gradient and each layer's input
gradient), the loss gradient in closed form, and each activation's derivative applied
directly (``act_units.py``: the declared derivative where it matches autograd, else
autograd on the activation alone). Gradients are written straight into the race's flat
gradient buffer (``ParamPack``), so the optimiser updates one tensor.

The step reads nothing back to the host, so a CUDA graph can capture it as it
captures the reference step. :func:`plan` says why a race cannot take it (an unknown
loss, a model that is not a stacked MLP); the engine then keeps the reference step.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import torch

from .act_units import Unit, blame, layer_units
from .metrics import per_model_loss
from .model import ModelStack, check_output
from .native_twins import LearnableTwin
from .seeded_grad import grad as seeded_grad

log = logging.getLogger(__name__)

#: ``ACTVIZ_TAPE_FREE=0`` keeps every race on the reference (autograd) step.
ENV_SWITCH = "ACTVIZ_TAPE_FREE"
#: ``ACTVIZ_STAND_INS=0`` differentiates every activation by autograd on it alone (no
#: torch twins, no declared derivatives; still no tape over the network): for
#: comparisons and debugging.
ENV_STAND_INS = "ACTVIZ_STAND_INS"
LOSSES = ("bce", "ce", "mse")


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1") != "0"


def plan(stacks: Sequence[object], loss: str) -> tuple[list[StackStep] | None, str]:
    """The tape-free steps of these stacks, or ``None`` and why the race keeps the
    reference step. The reason is also logged at debug level."""
    reason = _unsupported(stacks, loss)
    if reason is None:
        stand_ins = os.environ.get(ENV_STAND_INS, "1") != "0"
        try:
            steps = [StackStep(s, loss, stand_ins) for s in stacks]  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - any surprise keeps the reference step
            reason = f"{type(exc).__name__}: {exc}"
        else:
            log.debug("tape-free step: %s", "; ".join(s.describe() for s in steps))
            return steps, "tape-free"
    log.debug("reference (autograd) step: %s", reason)
    return None, reason


def _unsupported(stacks: Sequence[object], loss: str) -> str | None:
    if not enabled():
        return f"{ENV_SWITCH}=0"
    if loss not in LOSSES:
        return f"no closed-form gradient for loss {loss!r}"
    for stack in stacks:
        if type(stack) is not ModelStack:
            return f"{type(stack).__name__} is not a stacked MLP"
        if stack.weights[0].dtype != torch.float32:
            return f"parameters are {stack.weights[0].dtype}"
        for tensor in (*stack.weights, *stack.biases):
            if tensor.grad is None:
                return "parameters are not views of one flat buffer"
    return None


class StackStep:
    """Forward, loss gradient and backward of one :class:`ModelStack`, tape-free."""

    def __init__(self, stack: ModelStack, loss: str, stand_ins: bool = True) -> None:
        self.stack = stack
        self.loss = loss
        self.sizes = [seg.size for seg in stack.segments]
        device = stack.weights[0].device
        self.units: list[list[Unit]] = [
            layer_units(stack.segments, layer, stand_ins, stack.weights[layer].shape[1], device)
            for layer in range(stack.n_hidden)
        ]
        for layer, units in enumerate(self.units):
            for unit in units:
                if unit.why:
                    log.debug("%s, layer %d: %s-> %s", unit.name, layer + 1, unit.why, unit.mode)
        self.all_declared = [all(u.mode == "declared" for u in units) for units in self.units]

    def describe(self) -> str:
        modes = [u.mode for units in self.units for u in units]
        counts = {m: modes.count(m) for m in ("native", "declared", "autograd", "failed")}
        return ", ".join(f"{n} {m}" for m, n in counts.items() if n)

    # -- the step ----------------------------------------------------------------------

    def run(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """One forward and backward; gradients land in the parameters' ``.grad`` views."""
        stack = self.stack
        with torch.no_grad():
            h = x if x.ndim == 3 else x.unsqueeze(0).expand(stack.size, -1, -1)
            inputs = [h]
            saved = []
            for layer in range(stack.n_hidden):
                z = torch.baddbmm(stack.biases[layer], stack.weights[layer], h)
                h, keep = self._forward_layer(layer, z)
                inputs.append(h)
                saved.append(keep)
            out = torch.baddbmm(stack.biases[-1], stack.weights[-1], h)
            per_model = per_model_loss(self.loss, out, y)
            stack.ok.logical_and_(torch.isfinite(per_model))
            stack.finite_steps.add_(stack.ok)
            g = _loss_gradient(self.loss, out, y)
            if not stack.all_live:
                g.mul_(stack.live.view(-1, 1, 1))
            for layer in range(stack.n_hidden, -1, -1):
                w = stack.weights[layer]
                torch.bmm(g, inputs[layer].transpose(1, 2), out=w.grad)
                torch.sum(g, dim=2, keepdim=True, out=stack.biases[layer].grad)
                if layer:
                    dh = torch.bmm(w.transpose(1, 2), g)
                    g = self._backward_layer(layer - 1, dh, saved[layer - 1])

    def _forward_layer(self, layer: int, z: torch.Tensor) -> tuple[torch.Tensor, object]:
        units = self.units[layer]
        if len(units) == 1:
            h, keep = _unit_forward(units[0], z)
            return h, [keep]
        parts = z.split_with_sizes(self.sizes)
        outs, keeps = [], []
        for unit, part in zip(units, parts, strict=True):
            h, keep = _unit_forward(unit, part)
            outs.append(h)
            keeps.append(keep)
        h = torch.cat(outs)
        if self.all_declared[layer] and all(isinstance(k, torch.Tensor) for k in keeps):
            return h, torch.cat(keeps)  # one multiply in the backward pass
        return h, keeps

    def _backward_layer(self, layer: int, dh: torch.Tensor, keep: object) -> torch.Tensor:
        """The loss gradient at layer ``layer``'s pre-activations from the one at its output."""
        if isinstance(keep, torch.Tensor):
            return dh.mul_(keep)
        units = self.units[layer]
        parts = dh.split_with_sizes(self.sizes) if len(units) > 1 else [dh]
        grads: list[torch.Tensor | None] = []
        outs, ins, seeds, where = [], [], [], []
        for i, (unit, part, saved) in enumerate(zip(units, parts, keep, strict=True)):  # type: ignore[call-overload]
            if saved is None:  # failed, or an output that depends on nothing trained
                grads.append(None)
            elif unit.mode == "native" and isinstance(unit.twin, LearnableTwin):
                # the plugin's own backward: the input's and its parameters' gradients
                try:
                    dz, params = unit.twin.backward(part, saved, **unit.kwargs)
                except Exception as exc:  # noqa: BLE001 - stops only this activation
                    raise blame(unit.name, exc) from exc
                for name, grad in params.items():
                    unit.kwargs[name].grad.copy_(grad)
                grads.append(dz)
            elif unit.mode == "native":
                z, h = saved
                grads.append(unit.twin.backward(part, z, h, **unit.kwargs))  # type: ignore[union-attr]
            elif unit.mode == "declared":
                grads.append(part.mul_(saved))
            else:
                z_leaf, out = saved
                grads.append(None)
                outs.append(out)
                ins.append(z_leaf)
                seeds.append(part)
                where.append(i)
        if outs:
            self._autograd(layer, units, outs, ins, seeds, where, grads)
        for i, grad in enumerate(grads):
            if grad is None:
                z_shape = keep_shape(units[i], parts[i])
                grads[i] = parts[i].new_zeros(z_shape)
        return grads[0] if len(grads) == 1 else torch.cat(grads)  # type: ignore[arg-type]

    def _autograd(self, layer, units, outs, ins, seeds, where, grads) -> None:
        """Input gradients of the autograd units of a layer, and their parameters'
        gradients, in one call."""
        params = [p for i in where for p in units[i].learnable]
        with torch.enable_grad():
            try:
                found = seeded_grad(outs, ins + params, seeds)
            except Exception:
                _blame_backward([units[i] for i in where], ins, outs, seeds)
                raise
        for i, grad in zip(where, found[: len(ins)], strict=True):
            grads[i] = grad
        for p, grad in zip(params, found[len(ins) :], strict=True):
            if grad is None:
                p.grad.zero_()
            else:
                p.grad.copy_(grad)


def keep_shape(unit: Unit, dh_part: torch.Tensor) -> tuple[int, ...]:
    """The pre-activation shape of a unit from its output gradient (gated: twice the units)."""
    m, u, n = dh_part.shape
    return (m, 2 * u, n) if unit.gated else (m, u, n)


def _unit_forward(unit: Unit, z: torch.Tensor) -> tuple[torch.Tensor, object]:
    if unit.seg.failed:  # an activation failed during the race
        unit.mode = "failed"
    if unit.mode == "native" and isinstance(unit.twin, LearnableTwin):
        try:  # the plugin's own Function: its output and the ctx its backward needs
            h, ctx = unit.twin.forward(z, **unit.kwargs)
        except Exception as exc:  # noqa: BLE001 - a plugin error stops only this activation
            raise blame(unit.name, exc) from exc
        check_output(unit.name, h, z, z.shape[1])
        return h, ctx
    if unit.mode == "native":
        h = unit.twin.forward(z, **unit.kwargs)  # type: ignore[union-attr]
        return h, (z, h)
    if unit.mode == "declared":
        return unit.call(z), unit.derivative(z)
    if unit.mode == "failed":
        out_units = z.shape[1] // 2 if unit.gated else z.shape[1]
        return z.new_zeros(z.shape[0], out_units, z.shape[2]), None
    z_leaf = z.detach().requires_grad_()
    with torch.enable_grad():
        out = unit.call(z_leaf)
    if not out.requires_grad:
        return out, None
    return out.detach(), (z_leaf, out)


def _loss_gradient(loss: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d(sum of per-model mean losses)/d out, as ``metrics.per_model_loss`` defines them."""
    if loss == "bce":
        return torch.sigmoid(out).sub_(y).mul_(1.0 / (out.shape[1] * out.shape[2]))
    if loss == "mse":
        return (out - y).mul_(2.0 / (out.shape[1] * out.shape[2]))
    # ce: out [models, classes, points], y [points] (or [models, points]) class indices
    g = torch.softmax(out, dim=1)
    index = y.unsqueeze(1) if y.ndim == 2 else y.view(1, 1, -1).expand(out.shape[0], 1, -1)
    g.scatter_add_(1, index, _minus_ones(out, y))
    return g.mul_(1.0 / out.shape[2])


_MINUS: dict[tuple, torch.Tensor] = {}


def _minus_ones(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    shape = (out.shape[0], 1, y.shape[-1])
    key = (shape, out.dtype, out.device)
    if key not in _MINUS:
        _MINUS.clear()
        _MINUS[key] = torch.full(shape, -1.0, dtype=out.dtype, device=out.device)
    return _MINUS[key]


def _blame_backward(
    units: list[Unit], ins: list[torch.Tensor], outs: list[torch.Tensor], seeds: list
) -> None:
    """The joint backward failed: raise :class:`ActivationError` for the unit whose own
    backward fails, each run afresh (the failed call may have freed the graphs); return
    if none does alone."""
    for unit, z_leaf, seed in zip(units, ins, seeds, strict=True):
        z = z_leaf.detach().requires_grad_()
        with torch.enable_grad():
            out = unit.call(z)
            if not out.requires_grad:
                continue
            try:
                seeded_grad([out], [z, *unit.learnable], [seed])
            except Exception as exc:  # noqa: BLE001 - a plugin error stops only this activation
                raise blame(unit.name, exc) from exc

"""Per-model losses and metrics for stacked outputs ``[models, outputs, points]``.

Each function returns one value per model. The training loss of the whole stack is
the *sum* of the per-model mean losses, so every model receives exactly the gradient
it would get if trained alone.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def targets_for(loss: str, y: torch.Tensor) -> torch.Tensor:
    """Targets in the stacked layout: ``[1, n]`` (bce), ``[n]`` (ce), ``[outputs, n]`` (mse);
    a leading models axis where each model has its own data."""
    if loss == "ce":
        return y.reshape(-1).long()
    return y.reshape(y.shape[0], -1).t().contiguous().float()


def per_model_loss(loss: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean loss of each model, shape ``[models]``."""
    if loss == "bce":
        full = F.binary_cross_entropy_with_logits(out, y.expand_as(out), reduction="none")
        return full.mean(dim=(1, 2))
    if loss == "ce":
        target = y if y.ndim == 2 else y.unsqueeze(0).expand(out.shape[0], -1)
        return F.cross_entropy(out, target, reduction="none").mean(dim=1)
    if loss == "mse":
        return (out - y).square().mean(dim=(1, 2))
    raise ValueError(f"unknown loss {loss!r}")


def per_model_metric(metric: str, loss: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Accuracy or R^2 of each model, shape ``[models]``."""
    if metric == "accuracy":
        if loss == "ce":
            return (out.argmax(dim=1) == y).float().mean(dim=1)
        return ((out > 0) == (y > 0.5)).float().mean(dim=(1, 2))
    if metric == "r2":
        # R^2 is undefined for fewer than two points or constant targets: NaN, not -1e11.
        sse = (out - y).square().sum(dim=(1, 2))
        sst = (y - y.mean(dim=-1, keepdim=True)).square().sum(dim=(-2, -1))  # per model if 3-D
        if y.shape[-1] < 2:
            return torch.full_like(sse, math.nan)
        return torch.where(sst > 0, 1.0 - sse / sst.clamp_min(1e-30), math.nan)
    raise ValueError(f"unknown metric {metric!r}")


def grid_values(loss: str, out: torch.Tensor) -> torch.Tensor:
    """What a heatmap or fitted curve shows, ``[models, points]``: P(class 1) for binary
    tasks, the predicted class for multi-class tasks, the first output for regression."""
    if loss == "bce":
        return torch.sigmoid(out[:, 0, :])
    if loss == "ce":
        return out.argmax(dim=1).float()
    return out[:, 0, :]

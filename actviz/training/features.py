"""Extra input features for 2-D tasks, chosen per race: x1², x2², x1·x2, sin x1, sin x2.

The network then sees ``[x1, x2, *features]``; the data, the plots and the decision
boundaries stay in the plane of ``(x1, x2)``. Every place that feeds points to a
network (training, evaluation, the decision grid, views of stored snapshots) goes
through :func:`network_inputs`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

#: id -> (label shown to people, function of (x1, x2))
FEATURES: dict[str, tuple[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]]] = {
    "x1sq": ("x1²", lambda a, b: a * a),
    "x2sq": ("x2²", lambda a, b: b * b),
    "x1x2": ("x1·x2", lambda a, b: a * b),
    "sinx1": ("sin x1", lambda a, b: torch.sin(a)),
    "sinx2": ("sin x2", lambda a, b: torch.sin(b)),
}


def label(feature: str) -> str:
    return FEATURES[feature][0]


def problems(features: Sequence[str], input_dim: int | None = None) -> list[str]:
    """What is wrong with a choice of features (empty when it can be used)."""
    found: list[str] = []
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        found.append(
            f"features: unknown {', '.join(map(repr, unknown))}; known: {', '.join(FEATURES)}"
        )
    if len(set(features)) != len(list(features)):
        found.append("features: a feature is listed twice")
    if features and input_dim is not None and input_dim != 2:
        found.append(f"features: extra input features need a 2-D task; this one has {input_dim}")
    return found


def network_inputs(x: torch.Tensor, features: Sequence[str]) -> torch.Tensor:
    """``x`` ``[2, points]`` (feature-major, as the engine feeds it) with the chosen
    features appended as rows; ``x`` itself when none are chosen."""
    if not features:
        return x
    a, b = x[0], x[1]
    extra = [FEATURES[f][1](a, b) for f in features]
    return torch.cat([x, torch.stack(extra)], dim=0)

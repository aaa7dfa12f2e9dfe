"""Where a curve saturates, where it is dead, and its notable points (Qt-free numerics)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEAD_SLOPE = 1e-12


@dataclass(frozen=True)
class Mark:
    """A point worth labelling: on plot ``row`` ("f" or "d1") at (x, y)."""

    row: str
    x: float
    y: float
    label: str


def runs(x: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """The x intervals where ``mask`` holds, as (start, end) pairs."""
    if x.size == 0 or not mask.any():
        return []
    m = mask.astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], m, [0]])))
    starts, ends = edges[::2], edges[1::2] - 1
    return [(float(x[s]), float(x[e])) for s, e in zip(starts, ends, strict=True) if e > s]


def dead_regions(x: np.ndarray, d1: np.ndarray) -> list[tuple[float, float]]:
    """Where f' = 0 exactly: no gradient flows back through these inputs."""
    return runs(x, np.abs(d1) <= DEAD_SLOPE)


def saturated_regions(x: np.ndarray, d1: np.ndarray, threshold: float) -> list[tuple[float, float]]:
    """Where 0 < |f'| < threshold: the gradient is small but not zero."""
    a = np.abs(d1)
    return runs(x, (a < threshold) & (a > DEAD_SLOPE))


def _fmt(v: float) -> str:
    return f"{v + 0.0:.3g}"


def notable_points(x: np.ndarray, f: np.ndarray, d1: np.ndarray, limit: int = 3) -> list[Mark]:
    """The peak of |f'| (when it is a real peak) and the interior extremes of f."""
    marks: list[Mark] = []
    finite = np.isfinite(d1)
    if finite.sum() > 4:
        a = np.where(finite, np.abs(d1), -np.inf)
        i = int(np.argmax(a))
        peak = a[i]
        plateau = np.count_nonzero(a >= peak - 1e-9 * (1 + peak))
        edges = max(a[0], a[-1])
        if 0 < i < len(a) - 1 and plateau <= max(2, len(a) // 100) and peak > edges + 1e-6:
            name = "max f′" if d1[i] > 0 else "min f′"
            marks.append(
                Mark("d1", float(x[i]), float(d1[i]), f"{name} = {_fmt(d1[i])} at x = {_fmt(x[i])}")
            )
    s = np.sign(np.where(np.isfinite(d1), d1, 0.0))
    change = np.flatnonzero((s[:-1] * s[1:]) < 0)
    change = change[np.argsort(np.abs(x[change]))][:limit]
    for i in sorted(change):
        # Interpolate the zero of f' between the two samples.
        t = d1[i] / (d1[i] - d1[i + 1])
        xz = float(x[i] + t * (x[i + 1] - x[i]))
        fz = float(f[i] + t * (f[i + 1] - f[i]))
        kind = "min f" if s[i] < 0 else "max f"
        marks.append(Mark("f", xz, fz, f"{kind} = {_fmt(fz)} at x = {_fmt(xz)}"))
    return marks

"""Applying the raced activations inside a batched architecture, and recording them.

A forward pass hands each activation site's pre-activations to :class:`Sites` in one of
two layouts; the models of one activation are contiguous (a *segment*), so each segment
gets its own slice:

* :meth:`Sites.units` takes ``[models, units, points, *positions]`` (units first, as the
  MLP stack lays them out); per-unit parameters then have one value per unit. A gated
  activation (GLU) returns half the units: values first, gates second, as in the MLP.
* :meth:`Sites.channels` takes a grouped convolution's ``[points, models * channels,
  *positions]``; a segment whose function is elementwise with plain-number parameters is
  applied in place, others go through :meth:`units` (a copy each way).

With ``record`` each site keeps ``(pre-activation, activation)`` of the first
``record_points`` points as ``[models, units, points * positions]`` (positions folded
into the point axis), what the race's dead-unit and mean/spread statistics read.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..training.model import Segment


class Sites:
    """The activation sites of one forward pass over a stack of ``models``."""

    def __init__(
        self,
        segments: Sequence[Segment],
        models: int,
        train: bool,
        record: bool = False,
        record_points: int = 256,
    ) -> None:
        self.segments = list(segments)
        self.models = models
        self.train = train
        self.record = record
        self.record_points = max(1, int(record_points))
        self._split = [s.size for s in self.segments]
        self._records: dict[int, list[tuple[torch.Tensor, torch.Tensor]]] = {}

    def units(self, layer: int, z: torch.Tensor) -> torch.Tensor:
        """The activation of ``z`` ``[models, units, points, *positions]``, same shape."""
        shape = z.shape
        flat = z.reshape(shape[0], shape[1], -1)
        if len(self.segments) == 1:
            h = self.segments[0].call(flat, layer, self.train)
        else:
            parts = flat.split(self._split)
            h = torch.cat(
                [s.call(p, layer, self.train) for s, p in zip(self.segments, parts, strict=True)]
            )
        h = h.reshape(shape[0], h.shape[1], *shape[2:])  # a gated activation halves the units
        if self.record:
            self._keep(layer, z, h)
        return h

    def channels(self, layer: int, z: torch.Tensor) -> torch.Tensor:
        """The activation of a grouped convolution's ``z`` ``[points, models * channels,
        *positions]``, same shape."""
        n, mc = z.shape[0], z.shape[1]
        c = mc // self.models
        rest = tuple(z.shape[2:])
        if not all(_plain(s, layer) for s in self.segments):
            moved = z.reshape(n, self.models, c, *rest).movedim(0, 2)  # [m, c, n, *rest]
            h = self.units(layer, moved)
            return h.movedim(2, 0).reshape(z.shape)
        if len(self.segments) == 1:
            h = self.segments[0].call(z.reshape(n, mc, -1), layer, self.train).reshape(z.shape)
        else:
            parts = z.split([k * c for k in self._split], dim=1)
            h = torch.cat(
                [
                    s.call(p.reshape(n, p.shape[1], -1), layer, self.train).reshape(p.shape)
                    for s, p in zip(self.segments, parts, strict=True)
                ],
                dim=1,
            )
        if self.record:
            r = min(n, self.record_points)

            def first(t: torch.Tensor) -> torch.Tensor:
                return t[:r].reshape(r, self.models, c, *rest).movedim(0, 2)

            self._keep(layer, first(z), first(h))
        return h

    def _keep(self, layer: int, z: torch.Tensor, h: torch.Tensor) -> None:
        r = min(z.shape[2], self.record_points)
        m = z.shape[0]
        pair = (z[:, :, :r].reshape(m, z.shape[1], -1), h[:, :, :r].reshape(m, h.shape[1], -1))
        self._records.setdefault(layer, []).append(pair)

    def recorded(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per site, ``(pre-activation, activation)`` ``[models, units, samples]``; a site
        visited several times (a recurrence's steps) has its visits side by side."""
        out = []
        for layer in sorted(self._records):
            pairs = self._records[layer]
            out.append(
                (torch.cat([z for z, _ in pairs], dim=2), torch.cat([h for _, h in pairs], dim=2))
            )
        return out


def _plain(seg: Segment, layer: int) -> bool:
    """Whether a segment's function can run on any layout: elementwise, number parameters."""
    if seg.layer_activation(layer).kind != "elementwise":
        return False
    return not any(isinstance(v, torch.Tensor) for v in seg.kwargs(layer).values())

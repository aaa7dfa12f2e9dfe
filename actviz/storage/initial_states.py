"""Each stored race's networks before the first step, so a race can be replayed from them.

One row per member: its weights, biases and learnable activation parameters at step 0
as an ``.npz`` blob (float32 arrays, read back bit for bit). ``race(..., initial=...)``
loads them, so a re-run with another learning rate starts from exactly the same point.

The table is created with ``IF NOT EXISTS`` next to the versioned schema, like the
liveness tables: files written before it existed open unchanged (their runs simply
have no initial states) and older actviz versions ignore it.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Mapping

import numpy as np
import torch

from ..training.snapshots import RunParams

TABLE = """
    CREATE TABLE IF NOT EXISTS initial_states (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        blob BLOB NOT NULL,
        PRIMARY KEY (run_id, idx)
    )"""


def ensure_table(conn: sqlite3.Connection) -> None:
    """Create the table if this file lacks it (a read when it has it)."""
    have = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'initial_states'"
    ).fetchone()
    if not have:
        conn.execute(TABLE)


def encode(params: RunParams) -> bytes:
    """One member's values as an ``.npz`` blob (``w0``, ``b0``, ... and ``p:NAME:LAYER``)."""
    arrays: dict[str, np.ndarray] = {}
    for i, w in enumerate(params.weights):
        arrays[f"w{i}"] = w.detach().cpu().numpy()
    for i, b in enumerate(params.biases):
        arrays[f"b{i}"] = b.detach().cpu().numpy()
    for name, per_layer in params.learnable.items():
        for i, t in enumerate(per_layer):
            arrays[f"p:{name}:{i}"] = t.detach().cpu().numpy()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def decode(blob: bytes) -> RunParams:
    """The inverse of :func:`encode` (never unpickles anything)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:
        arrays = {key: torch.from_numpy(data[key].copy()) for key in data.files}
    weights = [arrays[f"w{i}"] for i in range(_count(arrays, "w"))]
    biases = [arrays[f"b{i}"] for i in range(_count(arrays, "b"))]
    learnable: dict[str, list[torch.Tensor]] = {}
    for key in sorted(k for k in arrays if k.startswith("p:")):
        _, name, _layer = key.split(":")
        learnable.setdefault(name, [])
    for name, per_layer in learnable.items():
        layer = 0
        while f"p:{name}:{layer}" in arrays:
            per_layer.append(arrays[f"p:{name}:{layer}"])
            layer += 1
    return RunParams(weights, biases, learnable)


def _count(arrays: Mapping[str, torch.Tensor], prefix: str) -> int:
    n = 0
    while f"{prefix}{n}" in arrays:
        n += 1
    return n


def write(conn: sqlite3.Connection, run_id: int, members: Mapping[int, RunParams]) -> None:
    """Store ``{member index: values}`` for ``run_id`` (inside the caller's transaction)."""
    conn.executemany(
        "INSERT OR REPLACE INTO initial_states (run_id, idx, blob) VALUES (?, ?, ?)",
        [(run_id, int(idx), sqlite3.Binary(encode(p))) for idx, p in members.items()],
    )


class UnreadableInitialState(ValueError):
    """A stored blob is damaged: says which run and member."""


def read(conn: sqlite3.Connection, run_id: int) -> dict[tuple[str, int], RunParams]:
    """``{(activation, seed): values}`` of ``run_id``; empty when none were stored.
    A damaged blob raises :class:`UnreadableInitialState` naming the member."""
    rows = conn.execute(
        "SELECT m.activation, m.seed, s.blob FROM initial_states s"
        " JOIN members m ON m.run_id = s.run_id AND m.idx = s.idx"
        " WHERE s.run_id = ? ORDER BY s.idx",
        (run_id,),
    ).fetchall()
    out = {}
    for act, seed, blob in rows:
        try:
            out[(act, int(seed))] = decode(bytes(blob))
        except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError) as exc:
            raise UnreadableInitialState(
                f"run #{run_id}: the stored initial networks of {act} seed {seed} are "
                f"damaged ({type(exc).__name__}: {exc})"
            ) from None
    return out

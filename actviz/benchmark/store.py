"""Finished benchmark shards in the run database, found again by their key.

The run store (``store.py``) owns the runs, members and evaluations; this module owns
only the ``bench_shards`` table (created by schema migration 2) and uses its own
connection to the same file, so the two never share a transaction.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..storage.store import RunStore


def shard_key(config: Mapping[str, Any]) -> str:
    """A hash of a shard's whole race configuration (task, activations, seeds, network,
    optimiser, budget, data): equal keys train the same thing."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class ShardStore:
    """Read and write ``bench_shards`` of the run database at ``path`` (user data if None)."""

    def __init__(self, path: str | Path | None = None) -> None:
        with RunStore(path) as store:  # creates the file and brings its schema up to date
            self.path = store.path
        self._conn = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ShardStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self, key: str) -> dict[str, Any] | None:
        """The stored race of a finished shard (``RaceResult.to_dict()`` without
        histories), or ``None``."""
        row = self._conn.execute("SELECT result FROM bench_shards WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def save(
        self,
        key: str,
        task: str,
        activations: Sequence[str],
        seeds: Sequence[int],
        config: Mapping[str, Any],
        result: Mapping[str, Any],
    ) -> None:
        """Keep a finished shard (replacing one with the same key), in one transaction."""
        kept = {**result, "runs": [_without_history(r) for r in result.get("runs", [])]}
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.execute(
                "INSERT OR REPLACE INTO bench_shards "
                "(key, task, activations, seeds, config, created, train_seconds, result) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    task,
                    ",".join(activations),
                    ",".join(str(s) for s in seeds),
                    json.dumps(dict(config), sort_keys=True),
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    float(result.get("train_seconds") or 0.0),
                    json.dumps(kept),
                ),
            )
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM bench_shards").fetchone()[0])


def _without_history(run: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if k not in ("history", "final_grid")}

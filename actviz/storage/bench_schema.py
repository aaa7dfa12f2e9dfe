"""The benchmark's table in the run database: one row per finished shard.

A shard is one batched race of a benchmark: a task, a set of activations, a batch of
seeds, under one configuration. Its ``key`` hashes all of that, so a re-run of the
same benchmark finds the shards it already trained and skips them.
"""

from __future__ import annotations

import sqlite3


def create_bench_shards(conn: sqlite3.Connection) -> None:
    """Schema version 2: the ``bench_shards`` table."""
    conn.execute(
        """
        CREATE TABLE bench_shards (
            key TEXT PRIMARY KEY,
            task TEXT NOT NULL,
            activations TEXT NOT NULL,
            seeds TEXT NOT NULL,
            config TEXT NOT NULL,
            created TEXT NOT NULL,
            train_seconds REAL NOT NULL DEFAULT 0,
            result TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX bench_shards_task ON bench_shards(task)")

"""The run database's tables and the migrations that bring an older file up to date.

``MIGRATIONS[n]`` turns a version ``n - 1`` database into version ``n``; a new schema
change appends one function here and never edits an old one, so every file written
by any earlier actviz still opens.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute ``;``-separated statements inside the caller's transaction
    (``executescript`` would commit first)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            task TEXT NOT NULL,
            metric TEXT NOT NULL,
            config TEXT NOT NULL,
            status TEXT NOT NULL,
            device TEXT NOT NULL DEFAULT '',
            strategy TEXT NOT NULL DEFAULT '',
            train_seconds REAL NOT NULL DEFAULT 0,
            steps_done INTEGER NOT NULL DEFAULT 0,
            versions TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE members (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            activation TEXT NOT NULL,
            seed INTEGER NOT NULL,
            status TEXT NOT NULL,
            final_metric REAL,
            best_metric REAL,
            final_loss REAL,
            diverged_at INTEGER,
            error TEXT,
            final_grid TEXT,
            PRIMARY KEY (run_id, idx)
        );
        CREATE TABLE evaluations (
            run_id INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            step INTEGER NOT NULL,
            seconds REAL,
            train_loss REAL,
            test_loss REAL,
            train_metric REAL,
            test_metric REAL,
            diagnostics TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (run_id, idx, step),
            FOREIGN KEY (run_id, idx) REFERENCES members(run_id, idx) ON DELETE CASCADE
        );
        CREATE INDEX runs_task ON runs(task);
        CREATE INDEX runs_created ON runs(created);
        CREATE INDEX members_activation ON members(activation);
        """,
    )


def _v2(conn: sqlite3.Connection) -> None:
    """The benchmark's table (``actviz.benchmark.store``): one row per finished shard,
    keyed by a hash of its configuration so a re-run skips what it already trained."""
    _run_script(
        conn,
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
        );
        CREATE INDEX bench_shards_task ON bench_shards(task);
        """,
    )


MIGRATIONS: dict[int, Migration] = {1: _v1, 2: _v2}
LATEST = max(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to :data:`LATEST`, one transaction per step; return the version.

    The connection must be in autocommit mode (``isolation_level=None``): each step
    runs between ``BEGIN IMMEDIATE`` and ``COMMIT`` and re-reads the version inside
    its transaction, so a failed step changes nothing and two processes opening the
    same new file do not both create it.
    """
    if current_version(conn) == LATEST:
        return LATEST  # up to date: a read, so a file another process holds locked opens
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = current_version(conn)
            if version > LATEST:
                raise RuntimeError(
                    f"the run database has schema version {version}, newer than this actviz "
                    f"understands ({LATEST}); upgrade actviz or choose another file with --db"
                )
            if version == LATEST:
                conn.execute("COMMIT")
                return version
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            MIGRATIONS[version + 1](conn)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

"""Finished search races in the run database, so a killed search resumes without redoing them.

Two tables of their own in the run database file (created here, ``IF NOT EXISTS``):
``search_races`` holds one candidate's race on one task at one fidelity, keyed by
everything that decides its result; ``search_runs`` holds each search's settings and
the time it has spent, so a resumed search keeps its budget.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

_TABLES = """
CREATE TABLE IF NOT EXISTS search_races (
    key TEXT PRIMARY KEY,
    search_id TEXT NOT NULL,
    formula TEXT NOT NULL,
    task TEXT NOT NULL,
    steps INTEGER NOT NULL,
    seeds TEXT NOT NULL,
    scores TEXT NOT NULL,
    status TEXT NOT NULL,
    seconds REAL NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS search_runs (
    search_id TEXT PRIMARY KEY,
    settings TEXT NOT NULL,
    spent_s REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    result TEXT,
    updated TEXT NOT NULL
);
"""


def content_key(identity: Mapping[str, Any]) -> str:
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SearchStore:
    """Read and write the search tables of the run database at ``path`` (user data if None)."""

    def __init__(self, path: str | Path | None = None) -> None:
        from ..storage.store import RunStore

        with RunStore(path) as store:  # creates the file and its run tables
            self.path = store.path
        self._conn = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
        self._conn.executescript(_TABLES)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SearchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load_race(self, key: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT scores, status, seconds FROM search_races WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        return {"scores": json.loads(row[0]), "status": row[1], "seconds": row[2]}

    def save_race(
        self,
        key: str,
        search_id: str,
        formula: str,
        task: str,
        steps: int,
        seeds: list[int],
        scores: list[float | None],
        status: str,
        seconds: float,
    ) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO search_races VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                search_id,
                formula,
                task,
                int(steps),
                json.dumps(list(seeds)),
                json.dumps(scores),
                status,
                float(seconds),
                _now(),
            ),
        )

    def count_races(self, search_id: str | None = None) -> int:
        if search_id is None:
            return int(self._conn.execute("SELECT COUNT(*) FROM search_races").fetchone()[0])
        row = self._conn.execute(
            "SELECT COUNT(*) FROM search_races WHERE search_id = ?", (search_id,)
        ).fetchone()
        return int(row[0])

    def spent(self, search_id: str) -> float:
        row = self._conn.execute(
            "SELECT spent_s FROM search_runs WHERE search_id = ?", (search_id,)
        ).fetchone()
        return float(row[0]) if row else 0.0

    def run_result(self, search_id: str) -> dict[str, Any] | None:
        """What a finished search saved (``None`` while it has not finished)."""
        row = self._conn.execute(
            "SELECT result FROM search_runs WHERE search_id = ? AND status = 'finished'",
            (search_id,),
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def save_run(
        self,
        search_id: str,
        settings: Mapping[str, Any],
        spent_s: float,
        status: str,
        result: Mapping[str, Any] | None = None,
    ) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO search_runs VALUES (?, ?, ?, ?, ?, ?)",
            (
                search_id,
                json.dumps(settings, default=str),
                float(spent_s),
                status,
                json.dumps(result) if result is not None else None,
                _now(),
            ),
        )

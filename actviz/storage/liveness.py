"""Who is writing a run, whether they are still alive, and the light loss rows between evaluations.

A run being recorded has an owner row (process id, host name, a heartbeat refreshed every
couple of seconds). When the store is opened, a ``running`` run whose owner process is gone
(same host) or whose heartbeat is stale (any host) was killed mid-race: it is shown, and
marked, as ``interrupted`` with the last step that reached the file.

Both tables are created with ``IF NOT EXISTS`` next to the versioned schema, so files
written before they existed open unchanged and older actviz versions ignore them.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from collections.abc import Sequence

#: A heartbeat older than this means the owner is gone, whatever its process id says.
STALE_SECONDS = 30.0
#: How often a recording process refreshes its heartbeat.
HEARTBEAT_SECONDS = 2.0

_TABLES = {
    "run_owners": """
        CREATE TABLE IF NOT EXISTS run_owners (
            run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            heartbeat REAL NOT NULL
        )""",
    "train_samples": """
        CREATE TABLE IF NOT EXISTS train_samples (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            step INTEGER NOT NULL,
            seconds REAL,
            train_loss REAL,
            wall REAL,
            PRIMARY KEY (run_id, idx, step)
        )""",
}


def host_name() -> str:
    return socket.gethostname()


def ensure_tables(conn: sqlite3.Connection) -> None:
    """Create the owner and sample tables if this file lacks them (a read when it has them)."""
    have = {
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    }
    for name, sql in _TABLES.items():
        if name not in have:
            conn.execute(sql)


def claim(conn: sqlite3.Connection, run_id: int) -> None:
    """Record this process as the run's owner, with a fresh heartbeat."""
    conn.execute(
        "INSERT OR REPLACE INTO run_owners (run_id, pid, host, heartbeat) VALUES (?, ?, ?, ?)",
        (run_id, os.getpid(), host_name(), time.time()),
    )


def beat(conn: sqlite3.Connection, run_id: int) -> None:
    conn.execute("UPDATE run_owners SET heartbeat = ? WHERE run_id = ?", (time.time(), run_id))


def release(conn: sqlite3.Connection, run_id: int) -> None:
    conn.execute("DELETE FROM run_owners WHERE run_id = ?", (run_id,))


def record_samples(
    conn: sqlite3.Connection,
    run_id: int,
    step: int,
    seconds: float,
    losses: Sequence[float | None],
    wall: float | None = None,
) -> None:
    """One light row per run still training: its loss at ``step``, measured at ``wall``
    (Unix time; now if not given), so a reader can tell how recent the last row is."""
    wall = time.time() if wall is None else wall
    conn.executemany(
        "INSERT OR REPLACE INTO train_samples (run_id, idx, step, seconds, train_loss, wall)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (run_id, i, int(step), float(seconds), float(v), wall)
            for i, v in enumerate(losses)
            if v is not None
        ],
    )


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except OSError:
        return False
    return True


def interrupted_runs(conn: sqlite3.Connection, now: float | None = None) -> dict[int, int]:
    """``{run id: last stored step}`` of ``running`` runs whose owner is gone.

    A run with no owner row (written before owners were recorded, or whose claim never
    reached the file) counts as gone once its ``updated`` time is stale.
    """
    now = time.time() if now is None else now
    here = host_name()
    rows = conn.execute(
        "SELECT r.id, r.updated, o.pid, o.host, o.heartbeat FROM runs r"
        " LEFT JOIN run_owners o ON o.run_id = r.id WHERE r.status = 'running'"
    ).fetchall()
    gone = []
    for run_id, updated, pid, host, heartbeat in rows:
        if pid is None:
            if now - _epoch(updated) > STALE_SECONDS:
                gone.append(run_id)
        elif now - heartbeat > STALE_SECONDS or (host == here and not process_alive(pid)):
            gone.append(run_id)
    return {run_id: last_step(conn, run_id) for run_id in gone}


def last_step(conn: sqlite3.Connection, run_id: int) -> int:
    """The furthest step stored for a run, in evaluations, light rows or the run row."""
    row = conn.execute(
        "SELECT MAX(s) FROM (SELECT MAX(step) AS s FROM evaluations WHERE run_id = ?1"
        " UNION ALL SELECT MAX(step) FROM train_samples WHERE run_id = ?1"
        " UNION ALL SELECT steps_done FROM runs WHERE id = ?1)",
        (run_id,),
    ).fetchone()
    return int(row[0] or 0)


def mark_interrupted(conn: sqlite3.Connection, runs: dict[int, int]) -> None:
    """Store ``interrupted`` (and the last step) for runs found by :func:`interrupted_runs`."""
    for run_id, step in runs.items():
        conn.execute(
            "UPDATE runs SET status = 'interrupted', steps_done = ? WHERE id = ?"
            " AND status = 'running'",
            (step, run_id),
        )
        conn.execute(
            "UPDATE members SET status = 'interrupted' WHERE run_id = ? AND status = 'running'",
            (run_id,),
        )
        release(conn, run_id)


def samples_after(
    conn: sqlite3.Connection, run_id: int, idx: int, step: int
) -> list[tuple[int, float | None, float | None]]:
    """Light rows of one member past ``step``: ``(step, seconds, train_loss)``."""
    return conn.execute(
        "SELECT step, seconds, train_loss FROM train_samples"
        " WHERE run_id = ? AND idx = ? AND step > ? ORDER BY step",
        (run_id, idx, step),
    ).fetchall()


def _epoch(stamp: str) -> float:
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp).timestamp()
    except (TypeError, ValueError):
        return 0.0

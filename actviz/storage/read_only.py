"""Opening a run database that may not be written: a copy on a read-only share, a file
its owner marked read-only, a colleague's folder. Reading needs no write access, so
listing and showing runs must work there, and must not leave anything behind.

SQLite is told to open the file read-only (``mode=ro``), which it enforces for every
user, root included. Without a ``-wal`` file beside it the database file holds every
committed row, so it is opened ``immutable`` as well: SQLite then makes no ``-shm``
file either (a plain ``mode=ro`` reader of a write-ahead-log database would, where the
user may write the folder anyway). With a ``-wal`` file (its writer is running, or died)
the rows in it are read through ``mode=ro``; should that fail (no ``-shm`` and no room
to make one), the file alone is read.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from .schema import LATEST, current_version

_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def cannot_write(path: Path) -> bool:
    """Whether ``path`` (an existing file) or its folder may not be written: by this
    user's permissions, or marked read-only for everyone (no write bit at all, which
    root's permission to write anyway does not change: the owner asked for read-only)."""
    folder = path.resolve().parent
    for item in (path, folder):
        try:
            mode = item.stat().st_mode
        except OSError:
            return True
        if not mode & _WRITE_BITS or not os.access(item, os.W_OK):
            return True
    return False


def _uri(path: Path, option: str) -> str:
    return f"file:{quote(str(path.resolve()))}?{option}"


def open_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection that cannot write to ``path`` (see the module docstring)."""
    last: sqlite3.Error | None = None
    wal = path.with_name(path.name + "-wal")
    has_wal = wal.is_file() and wal.stat().st_size > 0
    options = ("mode=ro", "mode=ro&immutable=1") if has_wal else ("mode=ro&immutable=1",)
    for option in options:
        conn = sqlite3.connect(
            _uri(path, option),
            uri=True,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA query_only = ON")
            return conn
        except sqlite3.OperationalError as exc:  # no -shm and no room to make one
            conn.close()
            last = exc
    assert last is not None
    raise last


def readable_version(conn: sqlite3.Connection) -> int:
    """The schema version, which must be this actviz's: an older file needs upgrading,
    which is a write."""
    version = current_version(conn)
    if version != LATEST:
        raise sqlite3.DatabaseError(
            f"the database has schema version {version} and this actviz reads {LATEST}; "
            "it is read-only here, so it cannot be upgraded (copy it into a folder you "
            "can write, or open it with the actviz that wrote it)"
        )
    return version

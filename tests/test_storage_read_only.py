"""A run database that may not be written can still be listed and shown, and nothing is
written there: no journal, no change to the file.

The file and its folder are marked read-only for everyone (no write bit). That also
holds for root: root may write anyway, so a store that opened read-write would leave
``-wal``/``-shm`` files beside the database (SQLite makes them on a read-write open of a
WAL file), which the test would see. And SQLite's own ``mode=ro`` refuses writes to root
as to anyone."""

from __future__ import annotations

import hashlib
import sqlite3
import stat

import pytest

from actviz.storage import RunStore
from actviz.storage.read_only import cannot_write


@pytest.fixture
def stored(tmp_path, run_cli):
    folder = tmp_path / "share"
    folder.mkdir()
    db = folder / "runs.sqlite"
    code, _out, err = run_cli(
        "train", "--activations", "relu,tanh", "--seeds", "1", "--steps", "20",
        "--name", "shared race", "--db", str(db), "-q",
    )  # fmt: skip
    assert code == 0, err
    yield folder, db
    folder.chmod(0o755)
    db.chmod(0o644)


def _read_only(folder, db):
    db.chmod(0o444)
    folder.chmod(0o555)
    return sorted(p.name for p in folder.iterdir()), hashlib.sha256(db.read_bytes()).hexdigest()


def test_a_database_in_a_read_only_folder_is_listed_and_shown(stored, run_cli):
    folder, db = stored
    before = _read_only(folder, db)
    assert before[0] == ["runs.sqlite"]  # no journal left by the race: the hard case
    assert cannot_write(db)
    code, out, err = run_cli("runs", "--db", str(db))
    assert code == 0, err
    assert "shared race" in out and "finished" in out
    code, out, err = run_cli("runs", "show", "1", "--db", str(db))
    assert code == 0, err
    assert "relu" in out and "tanh" in out
    assert _read_only(folder, db) == before  # nothing written, nothing left behind


def test_a_change_to_a_read_only_database_says_so_and_changes_nothing(stored, run_cli):
    folder, db = stored
    before = _read_only(folder, db)
    code, _out, err = run_cli("runs", "rename", "1", "new name", "--db", str(db))
    assert code == 2
    assert "may not be written here, nothing changed" in err and "Traceback" not in err
    assert _read_only(folder, db) == before


def test_the_read_only_store_refuses_writes_for_every_user(stored):
    folder, db = stored
    _read_only(folder, db)
    with RunStore(db) as store:
        assert store.read_only
        assert [r["name"] for r in store.list_runs()] == ["shared race"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store._conn.execute("DELETE FROM runs")


def test_a_read_only_file_in_a_writable_folder_is_read_only_too(stored, run_cli):
    folder, db = stored
    db.chmod(0o444)
    assert not db.stat().st_mode & stat.S_IWUSR
    code, out, err = run_cli("runs", "--db", str(db))
    assert code == 0, err
    assert "shared race" in out
    assert sorted(p.name for p in folder.iterdir()) == ["runs.sqlite"]


def test_a_writable_database_still_opens_for_writing(stored):
    _folder, db = stored
    with RunStore(db) as store:
        assert not store.read_only

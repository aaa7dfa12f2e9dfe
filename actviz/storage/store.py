"""Races kept in one SQLite file: written as training goes, reopened, compared, exported.

The file is in write-ahead-log mode and a race's rows are committed at least every
``commit_seconds``, so a crash or a killed process loses at most the last second or
two of evaluations and leaves a readable database. One :class:`RunStore` may be used
from several threads (a lock serialises access); separate processes may open the
same file.
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..paths import user_data_dir
from ..training.runinfo import describe_config, unique_name
from . import initial_states as initial_table
from . import liveness
from .read_only import cannot_write, open_read_only, readable_version
from .schema import migrate

RUN_STATUSES = ("running", "finished", "stopped", "failed", "interrupted")
_EVAL_COLUMNS = ("step", "seconds", "train_loss", "test_loss", "train_metric", "test_metric")


def default_path() -> Path:
    """``runs.sqlite`` in the user's data folder (``ACTVIZ_DATA_DIR`` overrides the folder)."""
    return user_data_dir() / "runs.sqlite"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


class RunStore:
    """The run database. ``path=None`` opens :func:`default_path`."""

    def __init__(
        self,
        path: str | Path | None = None,
        commit_seconds: float = 1.0,
        *,
        read_only: bool | None = None,
    ) -> None:
        """``read_only``: open without writing anything (``None``: when the file or its
        folder may not be written, see :func:`cannot_write`)."""
        self.path = Path(path) if path is not None else default_path()
        if read_only is None:
            read_only = self.path.is_file() and cannot_write(self.path)
        self.read_only = read_only
        self.commit_seconds = commit_seconds
        self._lock = threading.RLock()
        self.busy_seconds = 30.0
        self._in_tx = False
        self._batch = False
        self._last_commit = time.monotonic()
        if read_only:
            self._conn = open_read_only(self.path, self.busy_seconds)
            try:
                self.schema_version = readable_version(self._conn)
            except BaseException:
                self._conn.close()
                raise
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(self.path), timeout=self.busy_seconds, isolation_level=None, check_same_thread=False
        )
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self.schema_version = migrate(self._conn)
            liveness.ensure_tables(self._conn)
            initial_table.ensure_table(self._conn)
        except BaseException:
            self._conn.close()  # a file that is not a database must not keep a handle open
            raise
        self._settle_interrupted()

    def _settle_interrupted(self) -> None:
        """Mark runs whose recording process died as ``interrupted`` (best effort: a
        locked file is left as it is; reading shows them as interrupted anyway)."""
        try:
            if liveness.interrupted_runs(self._conn):  # a read: most opens stop here
                with self.transaction(timeout_s=0.2):
                    liveness.mark_interrupted(self._conn, liveness.interrupted_runs(self._conn))
        except sqlite3.OperationalError:
            pass

    # -- transactions -----------------------------------------------------------------

    def _begin(self) -> None:
        if not self._in_tx:
            self._conn.execute("BEGIN")
            self._in_tx = True

    def flush(self) -> None:
        """Commit whatever has been written (inside :meth:`transaction`, at its end)."""
        with self._lock:
            if self._batch:
                return
            if self._in_tx:
                self._conn.execute("COMMIT")
                self._in_tx = False
            self._last_commit = time.monotonic()

    def maybe_flush(self) -> None:
        """Commit if the last commit is older than ``commit_seconds``."""
        if time.monotonic() - self._last_commit >= self.commit_seconds:
            self.flush()

    @contextmanager
    def transaction(self, timeout_s: float = 0.1) -> Iterator[None]:
        """Write several things atomically, waiting at most ``timeout_s`` for the write lock.

        Raises ``sqlite3.OperationalError`` ("database is locked") at once when another
        connection keeps the lock, with nothing written; the caller can keep its rows and
        try again later instead of blocking training.
        """
        with self._lock:
            self.flush()
            self._conn.execute(f"PRAGMA busy_timeout = {max(0, int(timeout_s * 1000))}")
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._in_tx = self._batch = True
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                self._in_tx = self._batch = False
                self._last_commit = time.monotonic()
                self._conn.execute(f"PRAGMA busy_timeout = {int(self.busy_seconds * 1000)}")

    def close(self) -> None:
        with self._lock:
            self.flush()
            self._conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing a run ----------------------------------------------------------------

    def create_run(
        self,
        config: Mapping[str, Any],
        task: str,
        metric: str,
        members: Sequence[tuple[str, int]],
        *,
        device: str = "",
        strategy: str = "",
        versions: Mapping[str, Any] | None = None,
        name: str | None = None,
        note: str = "",
    ) -> int:
        """Start a run (status ``running``) with one member per ``(activation, seed)``.

        The name defaults to a description of the configuration; a name already taken
        gets `` (2)``, `` (3)`` ... so that no two runs share one.
        """
        if name is None:
            acts = list(dict.fromkeys(a for a, _ in members))
            name = describe_config({**config, "activations": acts}, task)
        stamp = _now()
        with self._lock:
            self._begin()
            name = unique_name(name, self._names())
            cur = self._conn.execute(
                "INSERT INTO runs (name, note, created, updated, task, metric, config, status,"
                " device, strategy, versions) VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)",
                (
                    name,
                    note,
                    stamp,
                    stamp,
                    task,
                    metric,
                    json.dumps(dict(config)),
                    device,
                    strategy,
                    json.dumps(dict(versions or {})),
                ),
            )
            run_id = int(cur.lastrowid)
            self._conn.executemany(
                "INSERT INTO members (run_id, idx, activation, seed, status)"
                " VALUES (?, ?, ?, ?, 'running')",
                [(run_id, i, act, int(seed)) for i, (act, seed) in enumerate(members)],
            )
            self.flush()
        return run_id

    def record_evaluation(self, run_id: int, idx: int, row: Mapping[str, Any]) -> None:
        """Store one member's history row (a ``RunRecord.history`` dict)."""
        self.record_evaluations(run_id, {idx: row})

    def record_evaluations(
        self, run_id: int, rows: Sequence[Mapping[str, Any] | None] | Mapping[int, Mapping]
    ) -> None:
        """Store one evaluation for several members: a list indexed by member (``None``
        entries skipped) or a ``{member: row}`` mapping. Committed within ``commit_seconds``."""
        items = rows.items() if isinstance(rows, Mapping) else enumerate(rows)
        values = []
        for idx, row in items:
            if row is None:
                continue
            extra = {k: v for k, v in row.items() if k not in _EVAL_COLUMNS}
            values.append(
                (
                    run_id,
                    int(idx),
                    int(row["step"]),
                    _finite(row.get("seconds")),
                    _finite(row.get("train_loss")),
                    _finite(row.get("test_loss")),
                    _finite(row.get("train_metric")),
                    _finite(row.get("test_metric")),
                    json.dumps(extra),
                )
            )
        if not values:
            return
        with self._lock:
            self._begin()
            self._conn.executemany(
                "INSERT OR REPLACE INTO evaluations (run_id, idx, step, seconds, train_loss,"
                " test_loss, train_metric, test_metric, diagnostics)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            self.maybe_flush()

    def update_member(self, run_id: int, idx: int, **fields: Any) -> None:
        """Set a member's ``status``, ``diverged_at``, ``error`` and final values."""
        allowed = {
            "status",
            "final_metric",
            "best_metric",
            "final_loss",
            "diverged_at",
            "error",
            "final_grid",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown member fields: {sorted(unknown)}")
        if not fields:
            return
        if "final_grid" in fields and fields["final_grid"] is not None:
            fields["final_grid"] = json.dumps(fields["final_grid"])
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._begin()
            self._conn.execute(
                f"UPDATE members SET {sets} WHERE run_id = ? AND idx = ?",
                (*fields.values(), run_id, idx),
            )
            self.maybe_flush()

    def update_run(self, run_id: int, **fields: Any) -> None:
        """Set run-level fields (``status``, ``train_seconds``, ``steps_done``, ``device``...)."""
        allowed = {"status", "train_seconds", "steps_done", "device", "strategy", "name", "note"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown run fields: {sorted(unknown)}")
        if "status" in fields and fields["status"] not in RUN_STATUSES:
            raise ValueError(f"status must be one of {RUN_STATUSES}")
        fields["updated"] = _now()
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._begin()
            cur = self._conn.execute(
                f"UPDATE runs SET {sets} WHERE id = ?", (*fields.values(), run_id)
            )
            if cur.rowcount == 0:
                raise KeyError(f"no run with id {run_id}")
            self.maybe_flush()

    def finish_run(self, run_id: int, status: str, result: Any | None = None) -> None:
        """Close a run: its status and, given a ``RaceResult`` (or its ``to_dict()``), every
        member's final values. Committed at once."""
        with self._lock:
            if result is not None:
                data = result if isinstance(result, Mapping) else result.to_dict(include_grids=True)
                metric = data.get("metric", "accuracy")
                for idx, run in enumerate(data.get("runs", [])):
                    self.update_member(
                        run_id,
                        idx,
                        status=run.get("status", status),
                        final_metric=_finite(run.get(f"test_{metric}")),
                        best_metric=_finite(run.get(f"best_test_{metric}")),
                        final_loss=_finite(run.get("final_loss")),
                        diverged_at=run.get("diverged_at"),
                        error=run.get("error"),
                        final_grid=run.get("final_grid"),
                    )
                self.update_run(
                    run_id,
                    status=status,
                    train_seconds=float(data.get("train_seconds", 0.0)),
                    steps_done=int(data.get("steps_done", 0)),
                )
            else:
                self.update_run(run_id, status=status)
                self._conn.execute(
                    "UPDATE members SET status = ? WHERE run_id = ? AND status = 'running'",
                    (status, run_id),
                )
            liveness.release(self._conn, run_id)
            self.flush()

    def record_samples(
        self,
        run_id: int,
        step: int,
        seconds: float,
        losses: Sequence[float | None],
        wall: float | None = None,
    ) -> None:
        """Light rows between evaluations: each training run's loss at ``step``."""
        with self._lock:
            self._begin()
            liveness.record_samples(self._conn, run_id, step, seconds, losses, wall)
            self.maybe_flush()

    def record_initial_states(self, run_id: int, members: Mapping[int, Any]) -> None:
        """Keep each member's networks before the first step (``{member: RunParams}``)."""
        with self._lock:
            self._begin()
            initial_table.write(self._conn, run_id, members)
            self.maybe_flush()

    def initial_states(self, run_id: int) -> dict[tuple[str, int], Any]:
        """``{(activation, seed): RunParams}``: the run's networks at step 0, empty when
        the run was stored without them (see :mod:`.initial_states`)."""
        with self._lock:
            return initial_table.read(self._conn, run_id)

    def claim_run(self, run_id: int) -> None:
        """Mark this process as the one recording ``run_id`` (see :mod:`.liveness`)."""
        with self._lock:
            self._begin()
            liveness.claim(self._conn, run_id)
            self.maybe_flush()

    def heartbeat(self, run_id: int) -> None:
        with self._lock:
            self._begin()
            liveness.beat(self._conn, run_id)
            self.maybe_flush()

    # -- reading ----------------------------------------------------------------------

    def list_runs(
        self,
        task: str | None = None,
        activation: str | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        status: str | None = None,
    ) -> list[dict[str, Any]]:
        """Summaries of stored runs, newest first, filtered by task, activation, creation
        time (ISO dates or datetimes, ``since`` inclusive, ``until`` exclusive) and status."""
        where, args = [], []
        if task:
            where.append("r.task = ?")
            args.append(task)
        if status:
            where.append("r.status = ?")
            args.append(status)
        if since:
            where.append("r.created >= ?")
            args.append(_iso(since))
        if until:
            where.append("r.created < ?")
            args.append(_iso(until))
        if activation:
            where.append(
                "EXISTS (SELECT 1 FROM members m WHERE m.run_id = r.id AND m.activation = ?)"
            )
            args.append(activation)
        sql = (
            "SELECT r.id, r.name, r.note, r.created, r.task, r.metric, r.status, r.device,"
            " r.strategy, r.train_seconds, r.steps_done, r.config FROM runs r"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY r.id DESC"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
            gone = liveness.interrupted_runs(self._conn)
            out = []
            for row in rows:
                members = self._conn.execute(
                    "SELECT activation, seed, final_metric FROM members WHERE run_id = ?"
                    " ORDER BY idx",
                    (row[0],),
                ).fetchall()
                finals = [m[2] for m in members if m[2] is not None]
                config = json.loads(row[11])
                out.append(
                    {
                        "id": row[0],
                        "name": row[1],
                        "note": row[2],
                        "created": row[3],
                        "task": row[4],
                        "metric": row[5],
                        "status": "interrupted" if row[0] in gone else row[6],
                        "device": row[7],
                        "strategy": row[8],
                        "train_seconds": row[9],
                        "steps_done": gone.get(row[0], row[10]),
                        "steps": config.get("steps"),
                        "activations": list(dict.fromkeys(m[0] for m in members)),
                        "seeds": sorted({m[1] for m in members}),
                        "best_final_metric": max(finals) if finals else None,
                    }
                )
        return out

    def load_run(self, run_id: int) -> dict[str, Any]:
        """The run as ``RaceResult.to_dict(include_grids=True)`` plus ``id``, ``name``,
        ``note``, ``created`` and ``versions``. Raises ``KeyError`` if there is none."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id, name, note, created, task, metric, config, status, device, strategy,"
                " train_seconds, steps_done, versions FROM runs WHERE id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                raise KeyError(f"no run with id {run_id}")
            members = self._conn.execute(
                "SELECT idx, activation, seed, status, final_metric, best_metric, final_loss,"
                " diverged_at, error, final_grid FROM members WHERE run_id = ? ORDER BY idx",
                (run_id,),
            ).fetchall()
            evals = self._conn.execute(
                "SELECT idx, step, seconds, train_loss, test_loss, train_metric, test_metric,"
                " diagnostics FROM evaluations WHERE run_id = ? ORDER BY idx, step",
                (run_id,),
            ).fetchall()
            gone = liveness.interrupted_runs(self._conn)
            status, steps_done = row[7], row[11]
            if run_id in gone:
                status, steps_done = "interrupted", gone[run_id]
            light = {}
            if status == "interrupted":  # the light rows past the last evaluation
                for m in members:
                    last = max((e[1] for e in evals if e[0] == m[0]), default=-1)
                    light[m[0]] = liveness.samples_after(self._conn, run_id, m[0], last)
        metric = row[5]
        history: dict[int, list[dict[str, Any]]] = {}
        for e in evals:
            entry = dict(zip(_EVAL_COLUMNS, e[1:7], strict=False))
            entry.update(json.loads(e[7]))
            history.setdefault(e[0], []).append(entry)
        for idx, samples in light.items():
            for step, seconds, loss in samples:
                entry = dict.fromkeys(_EVAL_COLUMNS)
                entry.update(step=step, seconds=seconds, train_loss=loss)
                history.setdefault(idx, []).append(entry)
        runs = []
        for m in members:
            run: dict[str, Any] = {
                "activation": m[1],
                "seed": m[2],
                f"test_{metric}": m[4],
                f"best_test_{metric}": m[5],
                "final_loss": m[6],
                "diverged_at": m[7],
                "status": "interrupted" if status == "interrupted" and m[3] == "running" else m[3],
                "error": m[8],
                "history": history.get(m[0], []),
            }
            if m[3] in ("running", "interrupted"):  # never finished (killed): use what is stored
                past = run["history"]
                values = [h["test_metric"] for h in past if h["test_metric"] is not None]
                run[f"test_{metric}"] = values[-1] if values else None
                run["final_loss"] = past[-1]["train_loss"] if past else None
                run[f"best_test_{metric}"] = max(values) if values else None
            if m[9] is not None:
                run["final_grid"] = json.loads(m[9])
            runs.append(run)
        return {
            "id": row[0],
            "name": row[1],
            "note": row[2],
            "created": row[3],
            "config": json.loads(row[6]),
            "task": row[4],
            "metric": metric,
            "device": row[8],
            "strategy": row[9],
            "status": status,
            "steps_done": steps_done,
            "train_seconds": row[10],
            "versions": json.loads(row[12]),
            "runs": runs,
        }

    # -- managing ---------------------------------------------------------------------

    def delete_run(self, run_id: int) -> bool:
        """Delete a run and everything recorded for it; ``False`` if there was none."""
        with self._lock:
            self._begin()
            cur = self._conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            self.flush()
        return cur.rowcount > 0

    def rename_run(self, run_id: int, name: str) -> None:
        """Rename a run; a name another run has gets `` (2)`` ... (runs never share one)."""
        with self._lock:
            row = self._conn.execute("SELECT name FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is not None and row[0] == name:
                return
            name = unique_name(name, self._names())
        self.update_run(run_id, name=name)

    def _names(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT name FROM runs")}
        self.flush()

    def annotate_run(self, run_id: int, note: str) -> None:
        self.update_run(run_id, note=note)
        self.flush()

    # -- export -----------------------------------------------------------------------

    def export_json(self, run_id: int, path: str | Path) -> Path:
        """Write :meth:`load_run` as JSON."""
        path = Path(path)
        path.write_text(json.dumps(self.load_run(run_id), indent=1), encoding="utf-8")
        return path

    def export_csv(self, run_id: int, path: str | Path) -> Path:
        """One row per member and evaluation; list-valued diagnostics become one column per
        layer (``grad_norm_1`` ... for the first layer), learnable parameters likewise."""
        data = self.load_run(run_id)
        rows = list(_csv_rows(data))
        columns: list[str] = []
        for row in rows:
            for key in row:
                if key not in columns:
                    columns.append(key)
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns or ["run_id"])
            writer.writeheader()
            writer.writerows(rows)
        return path


_LIST_COLUMNS = {
    "grad_norms": "grad_norm",
    "dead_fraction": "dead_fraction",
    "act_mean": "act_mean",
    "act_std": "act_std",
}


def _csv_rows(data: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    for run in data["runs"]:
        for entry in run["history"]:
            row: dict[str, Any] = {
                "run_id": data["id"],
                "task": data["task"],
                "activation": run["activation"],
                "seed": run["seed"],
            }
            for key, value in entry.items():
                if key in _LIST_COLUMNS:
                    for i, v in enumerate(value or [], start=1):
                        row[f"{_LIST_COLUMNS[key]}_{i}"] = v
                elif key == "params":
                    for name, values in (value or {}).items():
                        for i, v in enumerate(values, start=1):
                            row[f"param_{name}_{i}"] = v
                elif key == "param_arrays":  # param_NAME_LAYER_INDEX[_INDEX]
                    for name, per_layer in (value or {}).items():
                        row.update(_flat(per_layer, f"param_{name}"))
                else:
                    row[key] = value
            yield row


def _flat(value: Any, prefix: str) -> Iterable[tuple[str, Any]]:
    """Nested lists as ``(prefix_1_2, value)`` pairs, indices from 1."""
    if isinstance(value, list):
        for i, v in enumerate(value, start=1):
            yield from _flat(v, f"{prefix}_{i}")
    else:
        yield prefix, value


def _iso(value: str | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")
    return str(value)

"""The connection every table module shares: opening (WAL, foreign keys, migrations), one
lock, write transactions, and SQLite errors turned into messages a clinic can act on."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from inference.resources import user_data_dir

from ..errors import StoreError, StoreFullError, StoreReadOnlyError
from .schema import migrate, schema_version

DB_NAME = "cliniclens.db"


def default_path() -> Path:
    """``<user data dir>/cliniclens.db`` (``CLINICLENS_HOME`` moves it, e.g. in tests)."""
    return user_data_dir() / DB_NAME


def now_iso() -> str:
    """UTC timestamp with seconds, the format every table uses."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc).lower()
    if "full" in text:
        return StoreFullError(
            f"The patient database {path} could not be written: the disk is full. "
            "Free some space and try again; nothing was half-saved."
        )
    if "readonly" in text or "read-only" in text or "permission" in text:
        return StoreReadOnlyError(
            f"The patient database {path} is read-only. Check the folder permissions "
            "or choose another database file."
        )
    if "unable to open" in text:
        return StoreReadOnlyError(
            f"The patient database {path} cannot be opened or created. Check that its "
            "folder exists and that you can write to it."
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(
            f"{path} is damaged or is not a ClinicLens database. Restore it from a backup "
            "or choose another file."
        )
    return StoreError(f"Patient database error ({path}): {exc}")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fold(value: Any) -> str:
    return str(value or "").casefold()


WAL_WAIT_S = 30.0  # as long as the connection's own busy timeout


def _enable_wal(conn: sqlite3.Connection, wait_s: float = WAL_WAIT_S) -> str:
    """``PRAGMA journal_mode = WAL``, retried while another connection holds a write lock.

    SQLite answers "database is locked" at once here instead of calling the busy handler,
    so two processes creating one database together (two batch commands on one folder)
    failed now and then; the switch itself is persistent, so the first one to get through
    decides it for both."""
    deadline = time.monotonic() + wait_s
    delay = 0.01
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


class StoreBase:
    """One connection behind a lock; the table modules add their methods on top."""

    path: Path

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreReadOnlyError(
                f"Cannot create the folder for the patient database {self.path.parent}: "
                f"{exc.strerror or exc}. Choose a folder you can write to."
            ) from exc
        try:
            self._conn = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._conn.create_function("casefold", 1, _fold, deterministic=True)
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA secure_delete = ON")
            mode = _enable_wal(self._conn)
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"could not enable WAL (mode {mode}): readonly")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            migrate(self._conn)
        except sqlite3.Error as exc:
            self._close_quietly()
            raise _store_error(exc, self.path) from exc
        except BaseException:
            self._close_quietly()
            raise

    def _close_quietly(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT), rolled back on any error."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _store_error(exc, self.path) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise _store_error(exc, self.path) from exc
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Plain tuples, for counts and one-column reads."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _store_error(exc, self.path) from exc

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows read by column name, so a record never depends on the order of a SELECT."""
        with self._lock:
            try:
                cursor = self._conn.cursor()
                cursor.row_factory = sqlite3.Row
                return cursor.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _store_error(exc, self.path) from exc

    @property
    def schema_version(self) -> int:
        with self._lock:
            return schema_version(self._conn)

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` and foreign keys both clean."""
        ok = self._query("PRAGMA integrity_check")[0][0] == "ok"
        return ok and not self._query("PRAGMA foreign_key_check")

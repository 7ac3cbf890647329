"""Open the patient database for reading only: exports and reports from a read-only copy.

Why: a clinic may keep last year's database on a read-only share, a CD, or a folder the
current user may not write. :class:`screening.store.Store` opens read-write (it switches
on WAL and migrates the schema), so exporting or reporting from such a file failed with
"cannot be opened or created". Here the file is opened with SQLite's ``mode=ro``; when
even that fails because SQLite cannot create its shared-memory file next to the
database (a read-only folder), with ``immutable=1``, which reads the file as it is.

Reports and exports still belong in the audit trail: :func:`audit_export` records them
when the database can be written and says (returns False) when it cannot, so the caller
can tell the user that this export is not in the trail.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from .errors import StoreError, StoreReadOnlyError, StoreVersionError
from .store import SCHEMA_VERSION, Store, _fold, _store_error, default_path, schema_version


def _connect(path: Path) -> sqlite3.Connection:
    """A read-only connection: ``mode=ro`` first, ``immutable=1`` if the folder is read-only."""
    base = "file:" + quote(str(path.resolve()))
    last: sqlite3.Error | None = None
    wal = path.with_name(path.name + "-wal")
    pending = wal.is_file() and wal.stat().st_size > 0
    # immutable reads the main file only: with changes still in the -wal file it would
    # show an old state, so it is tried only when there are none
    for params in ("mode=ro",) if pending else ("mode=ro", "mode=ro&immutable=1"):
        conn = sqlite3.connect(
            f"{base}?{params}", uri=True, isolation_level=None, check_same_thread=False
        )
        try:
            schema_version(conn)  # the first read opens the file for real
            return conn
        except sqlite3.Error as exc:
            conn.close()
            last = exc
    assert last is not None
    raise last


class ReadOnlyStore(Store):
    """A :class:`Store` that only reads: every write raises ``StoreReadOnlyError``."""

    read_only = True

    def __init__(self, path: Path | str | None = None) -> None:  # noqa: D107 - see class
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.RLock()
        if not self.path.is_file():
            raise StoreError(
                f"There is no patient database at {self.path}. Check the path (--db) or "
                "open the app once to create one."
            )
        try:
            self._conn = _connect(self.path)
            self._conn.create_function("casefold", 1, _fold, deterministic=True)
            version = schema_version(self._conn)
        except sqlite3.Error as exc:
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.is_file() and wal.stat().st_size > 0:
                raise StoreReadOnlyError(
                    f"The database {self.path} is read-only here and its latest changes are "
                    f"still in {wal.name}, which cannot be read without writing. Open it once "
                    "where it can be written (or copy both files to a writable folder)."
                ) from exc
            raise _store_error(exc, self.path) from exc
        if version != SCHEMA_VERSION:
            self._conn.close()
            if version > SCHEMA_VERSION:
                raise StoreVersionError(
                    f"The database {self.path} was created by a newer ClinicLens (schema "
                    f"{version}, this app knows {SCHEMA_VERSION}). Update ClinicLens."
                )
            raise StoreReadOnlyError(
                f"The database {self.path} was written by an older ClinicLens and is "
                "read-only here, so it cannot be updated. Open it once where it can be "
                "written (or copy it to a writable folder), then try again."
            )

    def audit(self, action: str, **_: object) -> None:
        raise StoreReadOnlyError(
            f"The patient database {self.path} is read-only: '{action}' cannot be recorded."
        )


def _writable_schema_is_current(path: Path) -> None:
    """Migrate an older database that can be written, so it can then be read read-only."""
    try:
        conn = _connect(path)
    except sqlite3.Error:
        return  # ReadOnlyStore reports it in words
    try:
        current = schema_version(conn) >= SCHEMA_VERSION
    finally:
        conn.close()
    if not current:
        with contextlib.suppress(StoreReadOnlyError):
            Store(path).close()


@contextlib.contextmanager
def open_for_reading(path: Path | str | None = None) -> Iterator[ReadOnlyStore]:
    """The database opened read-only for an export or a report, closed afterwards."""
    target = Path(path) if path is not None else default_path()
    if target.is_file():
        _writable_schema_is_current(target)
    store = ReadOnlyStore(target)
    try:
        yield store
    finally:
        store.close()


def audit_export(
    path: Path,
    action: str,
    *,
    operator: str = "",
    patient_id: int | None = None,
    detail: str = "",
) -> bool:
    """Record an export or report in the audit trail; False when the database is read-only
    (the caller tells the user the export is not in the trail)."""
    try:
        with Store(path) as store:
            store.audit(action, operator=operator, patient_id=patient_id, detail=detail)
    except StoreReadOnlyError:
        return False
    return True


__all__ = ["ReadOnlyStore", "audit_export", "open_for_reading"]

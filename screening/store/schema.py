"""The schema as ``PRAGMA user_version`` migrations: index i upgrades version i -> i + 1.

Append only; never edit a migration that has shipped (clinic databases already ran it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import StoreVersionError


def _v1(conn: sqlite3.Connection) -> None:
    conn.executescript(
        """
        CREATE TABLE patients (
            id INTEGER PRIMARY KEY,
            patient_code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL DEFAULT '',
            birth_date TEXT NOT NULL DEFAULT '',
            sex TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE screenings (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER REFERENCES patients(id) ON DELETE CASCADE,
            image_path TEXT NOT NULL,
            image_sha256 TEXT NOT NULL DEFAULT '',
            pack_id TEXT NOT NULL,
            pack_version TEXT NOT NULL DEFAULT '',
            model_sha256 TEXT NOT NULL DEFAULT '',
            probabilities TEXT NOT NULL DEFAULT '{}',
            top_class TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT '',
            heatmap_path TEXT NOT NULL DEFAULT '',
            operator TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE batch_jobs (
            id INTEGER PRIMARY KEY,
            job_key TEXT NOT NULL UNIQUE,
            pack_id TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE batch_items (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            patient_id INTEGER REFERENCES patients(id) ON DELETE SET NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            screening_id INTEGER REFERENCES screenings(id) ON DELETE SET NULL,
            error TEXT NOT NULL DEFAULT '',
            UNIQUE (job_id, path)
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            operator TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL,
            patient_id INTEGER,
            screening_id INTEGER,
            detail TEXT NOT NULL DEFAULT ''
        );
        """
    )


def _v2(conn: sqlite3.Connection) -> None:
    """Thumbnails and overlays in the store, pack details for reports, batch progress
    detail, search indexes, and an audit log that cannot be edited."""
    conn.executescript(
        """
        ALTER TABLE patients ADD COLUMN contact TEXT NOT NULL DEFAULT '';
        ALTER TABLE screenings ADD COLUMN pack_name TEXT NOT NULL DEFAULT '';
        ALTER TABLE screenings ADD COLUMN pack_accuracy REAL;
        ALTER TABLE screenings ADD COLUMN top_probability REAL;
        ALTER TABLE screenings ADD COLUMN refer INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE screenings ADD COLUMN ood_score REAL;
        ALTER TABLE screenings ADD COLUMN timings TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE screenings ADD COLUMN thumbnail BLOB;
        ALTER TABLE screenings ADD COLUMN overlay BLOB;
        ALTER TABLE screenings ADD COLUMN batch_item_id INTEGER;
        ALTER TABLE batch_jobs ADD COLUMN label TEXT NOT NULL DEFAULT '';
        ALTER TABLE batch_jobs ADD COLUMN out_dir TEXT NOT NULL DEFAULT '';
        ALTER TABLE batch_jobs ADD COLUMN operator TEXT NOT NULL DEFAULT '';
        ALTER TABLE batch_jobs ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE batch_items ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE batch_items ADD COLUMN status TEXT NOT NULL DEFAULT '';
        ALTER TABLE batch_items ADD COLUMN image_sha256 TEXT NOT NULL DEFAULT '';
        ALTER TABLE batch_items ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE batch_items ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
        UPDATE batch_items SET position = id;
        CREATE INDEX screenings_patient ON screenings(patient_id, created_at);
        CREATE UNIQUE INDEX screenings_item ON screenings(batch_item_id)
            WHERE batch_item_id IS NOT NULL;
        CREATE INDEX batch_items_job ON batch_items(job_id, state, position);
        CREATE INDEX audit_patient ON audit_log(patient_id);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """
    )


def _v3(conn: sqlite3.Connection) -> None:
    """Batch items know the file they screened (size, time) and who is working on them,
    so a changed file is screened again and two processes on one job share the work
    (see screening.claims)."""
    conn.executescript(
        """
        ALTER TABLE batch_items ADD COLUMN file_size INTEGER;
        ALTER TABLE batch_items ADD COLUMN file_mtime_ns INTEGER;
        ALTER TABLE batch_items ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE batch_items ADD COLUMN claimed_at REAL NOT NULL DEFAULT 0;
        """
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target``, one transaction per step. Returns the version.

    The version is read again inside each step's write lock: two processes opening a new
    database at once (two batch commands on one folder) would otherwise both run step 1,
    and the second would fail on "table patients already exists"."""
    while True:
        current = schema_version(conn)
        if current > SCHEMA_VERSION:
            raise StoreVersionError(
                f"This database was created by a newer ClinicLens (schema {current}, this app "
                f"knows {SCHEMA_VERSION}). Update ClinicLens or open another database."
            )
        if current >= target:
            return current
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) == current:  # nobody migrated while we waited for the lock
                MIGRATIONS[current](_StatementRunner(conn))  # type: ignore[arg-type]
                conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


class _StatementRunner:
    """Stand-in connection for migrations: sqlite3's executescript() would COMMIT first,
    so statements run one by one inside the migration's own transaction instead."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def executescript(self, script: str) -> None:
        buffer = ""
        for line in script.splitlines(keepends=True):
            buffer += line
            if sqlite3.complete_statement(buffer):
                self._conn.execute(buffer)
                buffer = ""
        if buffer.strip():
            self._conn.execute(buffer)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

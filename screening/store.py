"""The clinic's patient store: one SQLite file with patients, screenings, batch jobs and an
append-only audit log.

Why SQLite without an ORM: one file the clinic can back up, crash-safe transactions (WAL),
and a small fixed schema that ``PRAGMA user_version`` migrations keep in step.

Public API (used by the GUI and the CLI; all values cross as frozen dataclasses)::

    store = Store(path)                     # or Store() for <user data dir>/cliniclens.db
    p = store.add_patient(PatientInfo("P-001", "Siti Nurhaliza"), operator="nurse")
    store.update_patient(p.id, PatientInfo("P-001", "Siti N.", birth_date="1980-02-01"))
    store.find_patients("siti")             # by clinic patient ID or name, case-insensitive
    store.get_patient(p.id); store.get_patient_by_code("P-001")
    from screening.imaging import jpeg_bytes     # small JPEGs kept in the store
    rec = store.record_screening(result, patient_id=p.id, operator="nurse",
                                 manifest=pack.manifest,
                                 thumbnail=jpeg_bytes(image.pixels),       # LoadedImage
                                 overlay=jpeg_bytes(overlay_rgb))          # Screener.overlay
    store.list_screenings(patient_id=p.id)  # newest first; query= searches ID / name
    store.get_screening(rec.id); store.screening_images(rec.id)
    store.delete_patient(p.id, operator="dr")  # screenings + derived images go, audit says so
    store.delete_screening(rec.id, operator="dr"); store.assign_screening(rec.id, p.id)
    store.audit("report.export", operator="dr", patient_id=p.id, detail="report.pdf")
    store.audit_log(patient_id=p.id)

Reports: ``screening.reports.patient_report(store, p.id, path, ReportOptions(...))``;
CSV: ``screening.export.screening_rows(records)`` + ``write_csv``; clinic defaults:
``screening.settings.load_settings().report_options()``.

The store is safe to share between threads (one connection behind a lock); every write is
one transaction. Errors are :class:`screening.errors.StoreError` subclasses.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from inference.manifest import Manifest
from inference.resources import user_data_dir
from inference.results import ScreenResult, Timings

from .errors import (
    DuplicatePatientError,
    InvalidInputError,
    NotFoundError,
    StoreError,
    StoreFullError,
    StoreReadOnlyError,
    StoreVersionError,
)

DB_NAME = "cliniclens.db"


def default_path() -> Path:
    """``<user data dir>/cliniclens.db`` (``CLINICLENS_HOME`` moves it, e.g. in tests)."""
    return user_data_dir() / DB_NAME


def now_iso() -> str:
    """UTC timestamp with seconds, the format every table uses."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------
# Public dataclasses
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PatientInfo:
    """What the patient form edits. ``patient_id`` is the clinic's own ID (e.g. a record
    number) and must be unique; everything else is optional."""

    patient_id: str
    name: str = ""
    birth_date: str = ""  # ISO yyyy-mm-dd, or "" when unknown
    sex: str = ""  # free text as the clinic records it ("F", "M", ...)
    contact: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Patient:
    """A stored patient. ``id`` is the database key; ``patient_id`` the clinic's ID."""

    id: int
    patient_id: str
    name: str
    birth_date: str
    sex: str
    contact: str
    notes: str
    created_at: str
    updated_at: str

    @property
    def info(self) -> PatientInfo:
        return PatientInfo(
            self.patient_id, self.name, self.birth_date, self.sex, self.contact, self.notes
        )

    @property
    def label(self) -> str:
        """``P-001 — Name`` for lists and titles."""
        return f"{self.patient_id} — {self.name}" if self.name else self.patient_id


@dataclass(frozen=True)
class ScreeningRecord:
    """One stored screening. Unless ``status`` is ``ok`` the probabilities are kept for
    audit only and must never be shown as an answer (show ``message`` instead)."""

    id: int
    patient_id: int | None  # database key of the patient, None when not assigned
    patient_code: str  # clinic patient ID ("" when not assigned)
    patient_name: str
    image_path: str
    image_sha256: str
    status: str  # inference.results.Status value
    message: str
    pack_id: str
    pack_version: str
    pack_name: str
    pack_accuracy: float | None  # held-out accuracy from the pack manifest
    model_sha256: str
    class_ids: tuple[str, ...]
    probabilities: tuple[float, ...]
    top_class: str
    top_probability: float | None
    refer: bool
    ood_score: float | None
    heatmap_path: str  # full-size overlay PNG on disk, "" if none was saved
    operator: str
    created_at: str
    batch_item_id: int | None = None
    timings: Timings = field(default_factory=Timings)
    has_thumbnail: bool = False
    has_overlay: bool = False

    @property
    def answered(self) -> bool:
        return self.status == "ok" and bool(self.class_ids)

    def probability(self, class_id: str) -> float:
        return self.probabilities[self.class_ids.index(class_id)]


@dataclass(frozen=True)
class ScreeningImages:
    """Small JPEGs kept in the store so history and reports work after files move."""

    thumbnail: bytes | None
    overlay: bytes | None


@dataclass(frozen=True)
class BatchJob:
    id: int
    job_key: str  # identity of the command that created it (inputs + pack), for resume
    pack_id: str
    state: str  # pending | running | paused | cancelled | done
    label: str
    out_dir: str
    operator: str
    options: tuple[tuple[str, Any], ...]
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class BatchItem:
    id: int
    job_id: int
    position: int
    path: str
    patient_id: int | None
    state: str  # pending | done | failed
    status: str  # Status code once processed ("" while pending)
    error: str
    image_sha256: str
    screening_id: int | None
    attempts: int
    updated_at: str


@dataclass(frozen=True)
class JobCounts:
    pending: int = 0
    done: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.done + self.failed

    @property
    def finished(self) -> int:
        return self.done + self.failed


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    operator: str
    action: str  # e.g. patient.add, patient.delete, screening.record, report.export
    patient_id: int | None
    screening_id: int | None
    detail: str


JOB_STATES = ("pending", "running", "paused", "cancelled", "done")
ITEM_STATES = ("pending", "done", "failed")


# ---------------------------------------------------------------------------------------
# Schema migrations: index i upgrades user_version i -> i + 1. Append only; never edit.
# ---------------------------------------------------------------------------------------
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
    """Bring the schema up to ``target``, one transaction per step. Returns the version."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreVersionError(
            f"This database was created by a newer ClinicLens (schema {current}, this app "
            f"knows {SCHEMA_VERSION}). Update ClinicLens or open another database."
        )
    for version in range(current, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](_StatementRunner(conn))  # type: ignore[arg-type]
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return schema_version(conn)


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


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------
_SCREENING_COLUMNS = """
    s.id, s.patient_id, COALESCE(p.patient_code, ''), COALESCE(p.name, ''), s.image_path,
    s.image_sha256, s.status, s.message, s.pack_id, s.pack_version, s.pack_name,
    s.pack_accuracy, s.model_sha256, s.probabilities, s.top_class, s.top_probability, s.refer,
    s.ood_score, s.heatmap_path, s.operator, s.created_at, s.batch_item_id, s.timings,
    s.thumbnail IS NOT NULL, s.overlay IS NOT NULL
"""
_PATIENT_COLUMNS = "id, patient_code, name, birth_date, sex, contact, notes, created_at, updated_at"
_ITEM_COLUMNS = (
    "id, job_id, position, path, patient_id, state, status, error, image_sha256, "
    "screening_id, attempts, updated_at"
)
_JOB_COLUMNS = (
    "id, job_key, pack_id, state, label, out_dir, operator, options, created_at, updated_at"
)


class Store:
    """The clinic database. Open once per process (or per window) and share it."""

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
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
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

    # -- plumbing ------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
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

    # -- patients ------------------------------------------------------------------------
    @staticmethod
    def _clean(info: PatientInfo) -> PatientInfo:
        code = info.patient_id.strip()
        if not code:
            raise InvalidInputError("Enter a patient ID: it is needed to find the patient later.")
        birth = info.birth_date.strip()
        if birth:
            try:
                datetime.strptime(birth, "%Y-%m-%d")
            except ValueError:
                raise InvalidInputError(
                    f"Birth date {birth!r} is not a date; write it as YYYY-MM-DD."
                ) from None
        return PatientInfo(
            code, info.name.strip(), birth, info.sex.strip(), info.contact.strip(), info.notes
        )

    def add_patient(self, info: PatientInfo, *, operator: str = "") -> Patient:
        info = self._clean(info)
        stamp = now_iso()
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO patients (patient_code, name, birth_date, sex, contact, notes,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        info.patient_id,
                        info.name,
                        info.birth_date,
                        info.sex,
                        info.contact,
                        info.notes,
                        stamp,
                        stamp,
                    ),
                )
                pid = int(cur.lastrowid)
                self._audit(conn, "patient.add", operator, pid, None, info.patient_id)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise DuplicatePatientError(
                    f"Patient ID {info.patient_id!r} is already used by another patient. "
                    "Open that patient, or enter a different ID."
                ) from None
            raise
        return self.get_patient(pid)

    def update_patient(self, patient_id: int, info: PatientInfo, *, operator: str = "") -> Patient:
        info = self._clean(info)
        self.get_patient(patient_id)
        try:
            with self.transaction() as conn:
                conn.execute(
                    "UPDATE patients SET patient_code=?, name=?, birth_date=?, sex=?, contact=?,"
                    " notes=?, updated_at=? WHERE id=?",
                    (
                        info.patient_id,
                        info.name,
                        info.birth_date,
                        info.sex,
                        info.contact,
                        info.notes,
                        now_iso(),
                        patient_id,
                    ),
                )
                self._audit(conn, "patient.update", operator, patient_id, None, info.patient_id)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise DuplicatePatientError(
                    f"Patient ID {info.patient_id!r} is already used by another patient."
                ) from None
            raise
        return self.get_patient(patient_id)

    def get_patient(self, patient_id: int) -> Patient:
        rows = self._query(f"SELECT {_PATIENT_COLUMNS} FROM patients WHERE id=?", (patient_id,))
        if not rows:
            raise NotFoundError(f"No patient with record number {patient_id} in this database.")
        return Patient(*rows[0])

    def get_patient_by_code(self, code: str) -> Patient | None:
        rows = self._query(
            f"SELECT {_PATIENT_COLUMNS} FROM patients WHERE patient_code=?", (code.strip(),)
        )
        return Patient(*rows[0]) if rows else None

    def ensure_patient(self, code: str, *, operator: str = "") -> Patient:
        """The patient with this clinic ID, created (ID only) if new: used by batch mappings."""
        existing = self.get_patient_by_code(code)
        return (
            existing
            if existing is not None
            else self.add_patient(PatientInfo(code), operator=operator)
        )

    def find_patients(self, query: str = "", *, limit: int = 200) -> list[Patient]:
        """Patients whose clinic ID or name contains ``query`` (case-insensitive, unicode)."""
        like = f"%{_escape_like(query.strip().casefold())}%"
        return [
            Patient(*row)
            for row in self._query(
                f"SELECT {_PATIENT_COLUMNS} FROM patients"
                " WHERE casefold(patient_code) LIKE ? ESCAPE '\\'"
                " OR casefold(name) LIKE ? ESCAPE '\\'"
                " ORDER BY updated_at DESC, id DESC LIMIT ?",
                (like, like, int(limit)),
            )
        ]

    def delete_patient(self, patient_id: int, *, operator: str = "") -> int:
        """Delete a patient with all their screenings and derived images; audited.

        Returns how many screenings went with them."""
        patient = self.get_patient(patient_id)
        with self.transaction() as conn:
            files = [
                r[0]
                for r in conn.execute(
                    "SELECT heatmap_path FROM screenings WHERE patient_id=? AND heatmap_path<>''",
                    (patient_id,),
                )
            ]
            count = conn.execute(
                "SELECT COUNT(*) FROM screenings WHERE patient_id=?", (patient_id,)
            ).fetchone()[0]
            conn.execute("DELETE FROM patients WHERE id=?", (patient_id,))
            self._audit(
                conn,
                "patient.delete",
                operator,
                patient_id,
                None,
                f"{patient.patient_id}: {count} screening(s) and {len(files)} heatmap file(s)",
            )
        for name in files:
            with contextlib.suppress(OSError):
                Path(name).unlink(missing_ok=True)
        return int(count)

    # -- screenings ----------------------------------------------------------------------
    def record_screening(
        self,
        result: ScreenResult,
        *,
        patient_id: int | None = None,
        operator: str = "",
        manifest: Manifest | None = None,
        image_path: str | None = None,
        thumbnail: bytes | None = None,
        overlay: bytes | None = None,
        heatmap_path: str | Path | None = None,
        batch_item_id: int | None = None,
    ) -> ScreeningRecord:
        """Store one screening. With ``batch_item_id`` the batch item is marked done in the
        same transaction, so a crash leaves it either pending or done with one screening."""
        with self.transaction() as conn:
            sid = self._insert_screening(
                conn,
                result,
                patient_id,
                operator,
                manifest,
                image_path,
                thumbnail,
                overlay,
                heatmap_path,
                batch_item_id,
            )
        return self.get_screening(sid)

    def _insert_screening(
        self,
        conn: sqlite3.Connection,
        result: ScreenResult,
        patient_id: int | None,
        operator: str,
        manifest: Manifest | None,
        image_path: str | None,
        thumbnail: bytes | None,
        overlay: bytes | None,
        heatmap_path: str | Path | None,
        batch_item_id: int | None,
    ) -> int:
        pred = result.prediction
        if pred is None and manifest is None:
            raise InvalidInputError("a screening needs a prediction or the pack it was run with")
        probs = dict(zip(pred.class_ids, pred.probabilities, strict=True)) if pred else {}
        t = result.timings
        cur = conn.execute(
            "INSERT INTO screenings (patient_id, image_path, image_sha256, pack_id, pack_version,"
            " model_sha256, probabilities, top_class, status, message, heatmap_path, operator,"
            " created_at, pack_name, pack_accuracy, top_probability, refer, ood_score, timings,"
            " thumbnail, overlay, batch_item_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                patient_id,
                image_path if image_path is not None else result.source,
                result.image_sha256,
                pred.pack_id if pred else manifest.id,  # type: ignore[union-attr]
                pred.pack_version if pred else manifest.pack_version,  # type: ignore[union-attr]
                pred.model_sha256 if pred else manifest.onnx.sha256,  # type: ignore[union-attr]
                json.dumps(probs),
                pred.top_class if pred else "",
                result.status.value,
                result.message,
                str(heatmap_path or ""),
                operator,
                now_iso(),
                manifest.display_name.get() if manifest else "",
                manifest.metrics.accuracy if manifest else None,
                pred.top_probability if pred else None,
                int(bool(pred and pred.refer)),
                result.ood_score,
                json.dumps(
                    {
                        "decode_ms": t.decode_ms,
                        "preprocess_ms": t.preprocess_ms,
                        "inference_ms": t.inference_ms,
                        "heatmap_ms": t.heatmap_ms,
                        "overlay_ms": t.overlay_ms,
                    }
                ),
                thumbnail,
                overlay,
                batch_item_id,
            ),
        )
        sid = int(cur.lastrowid)
        if batch_item_id is not None:
            conn.execute(
                "UPDATE batch_items SET state='done', status=?, error=?, image_sha256=?,"
                " screening_id=?, attempts=attempts+1, updated_at=? WHERE id=?",
                (
                    result.status.value,
                    "" if result.status.value == "ok" else result.message,
                    result.image_sha256,
                    sid,
                    now_iso(),
                    batch_item_id,
                ),
            )
        self._audit(
            conn,
            "screening.record",
            operator,
            patient_id,
            sid,
            f"{Path(result.source).name} status={result.status.value}",
        )
        return sid

    def list_screenings(
        self,
        patient_id: int | None = None,
        query: str | None = None,
        *,
        limit: int = 500,
        job_id: int | None = None,
    ) -> list[ScreeningRecord]:
        """Screenings, newest first. ``query`` matches the clinic patient ID, patient name
        or image file name (case-insensitive)."""
        where, params = ["1=1"], []
        if patient_id is not None:
            where.append("s.patient_id = ?")
            params.append(patient_id)
        if query:
            like = f"%{_escape_like(query.strip().casefold())}%"
            where.append(
                "(casefold(p.patient_code) LIKE ? ESCAPE '\\' OR casefold(p.name) LIKE ? ESCAPE"
                " '\\' OR casefold(s.image_path) LIKE ? ESCAPE '\\')"
            )
            params += [like, like, like]
        if job_id is not None:
            where.append("s.batch_item_id IN (SELECT id FROM batch_items WHERE job_id = ?)")
            params.append(job_id)
        rows = self._query(
            f"SELECT {_SCREENING_COLUMNS} FROM screenings s"
            " LEFT JOIN patients p ON p.id = s.patient_id"
            f" WHERE {' AND '.join(where)} ORDER BY s.created_at DESC, s.id DESC LIMIT ?",
            (*params, int(limit)),
        )
        return [_screening(row) for row in rows]

    def get_screening(self, screening_id: int) -> ScreeningRecord:
        rows = self._query(
            f"SELECT {_SCREENING_COLUMNS} FROM screenings s"
            " LEFT JOIN patients p ON p.id = s.patient_id WHERE s.id = ?",
            (screening_id,),
        )
        if not rows:
            raise NotFoundError(f"Screening {screening_id} is not in this database.")
        return _screening(rows[0])

    def screening_images(self, screening_id: int) -> ScreeningImages:
        rows = self._query("SELECT thumbnail, overlay FROM screenings WHERE id=?", (screening_id,))
        if not rows:
            raise NotFoundError(f"Screening {screening_id} is not in this database.")
        return ScreeningImages(rows[0][0], rows[0][1])

    def delete_screening(self, screening_id: int, *, operator: str = "") -> None:
        """Delete one screening with its stored images and heatmap file; audited."""
        rec = self.get_screening(screening_id)
        with self.transaction() as conn:
            conn.execute("DELETE FROM screenings WHERE id=?", (screening_id,))
            self._audit(
                conn,
                "screening.delete",
                operator,
                rec.patient_id,
                screening_id,
                Path(rec.image_path).name,
            )
        if rec.heatmap_path:
            with contextlib.suppress(OSError):
                Path(rec.heatmap_path).unlink(missing_ok=True)

    def assign_screening(
        self, screening_id: int, patient_id: int | None, *, operator: str = "", detail: str = ""
    ) -> ScreeningRecord:
        """Attach a screening to a patient (or detach it); audited (``detail``: from, to and
        why, written by ``screening.records``)."""
        self.get_screening(screening_id)
        if patient_id is not None:
            self.get_patient(patient_id)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE screenings SET patient_id=? WHERE id=?", (patient_id, screening_id)
            )
            self._audit(conn, "screening.assign", operator, patient_id, screening_id, detail)
        return self.get_screening(screening_id)

    # -- batch jobs (used by screening.queue) --------------------------------------------
    def create_job(
        self,
        job_key: str,
        pack_id: str,
        items: Iterable[tuple[str, int | None]],
        *,
        label: str = "",
        out_dir: str = "",
        operator: str = "",
        options: dict[str, Any] | None = None,
    ) -> BatchJob:
        """Persist a job and all its items in one transaction, before any work starts."""
        stamp = now_iso()
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO batch_jobs (job_key, pack_id, state, created_at, updated_at,"
                    " label, out_dir, operator, options) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        job_key,
                        pack_id,
                        "pending",
                        stamp,
                        stamp,
                        label,
                        out_dir,
                        operator,
                        json.dumps(options or {}, sort_keys=True),
                    ),
                )
                job_id = int(cur.lastrowid)
                conn.executemany(
                    "INSERT INTO batch_items (job_id, position, path, patient_id, state,"
                    " updated_at) VALUES (?,?,?,?, 'pending', ?)",
                    [(job_id, i, path, pid, stamp) for i, (path, pid) in enumerate(items)],
                )
                self._audit(conn, "batch.create", operator, None, None, f"job {job_id} {label}")
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                from .errors import QueueError

                raise QueueError(
                    "A batch job with these inputs already exists, or a file is listed twice."
                ) from None
            raise
        return self.get_job(job_id)

    def get_job(self, job_id: int) -> BatchJob:
        rows = self._query(f"SELECT {_JOB_COLUMNS} FROM batch_jobs WHERE id=?", (job_id,))
        if not rows:
            raise NotFoundError(f"Batch job {job_id} is not in this database.")
        return _job(rows[0])

    def find_job(self, job_key: str) -> BatchJob | None:
        rows = self._query(f"SELECT {_JOB_COLUMNS} FROM batch_jobs WHERE job_key=?", (job_key,))
        return _job(rows[0]) if rows else None

    def list_jobs(self, *, limit: int = 100) -> list[BatchJob]:
        return [
            _job(r)
            for r in self._query(
                f"SELECT {_JOB_COLUMNS} FROM batch_jobs ORDER BY id DESC LIMIT ?", (int(limit),)
            )
        ]

    def set_job_state(self, job_id: int, state: str) -> None:
        if state not in JOB_STATES:
            raise ValueError(f"unknown job state {state!r}")
        with self.transaction() as conn:
            conn.execute(
                "UPDATE batch_jobs SET state=?, updated_at=? WHERE id=?", (state, now_iso(), job_id)
            )

    def job_items(self, job_id: int, state: str | None = None) -> list[BatchItem]:
        sql = f"SELECT {_ITEM_COLUMNS} FROM batch_items WHERE job_id=?"
        params: list[Any] = [job_id]
        if state is not None:
            sql += " AND state=?"
            params.append(state)
        return [BatchItem(*r) for r in self._query(sql + " ORDER BY position", params)]

    def get_item(self, item_id: int) -> BatchItem:
        rows = self._query(f"SELECT {_ITEM_COLUMNS} FROM batch_items WHERE id=?", (item_id,))
        if not rows:
            raise NotFoundError(f"Batch item {item_id} is not in this database.")
        return BatchItem(*rows[0])

    def job_counts(self, job_id: int) -> JobCounts:
        counts = dict(
            self._query(
                "SELECT state, COUNT(*) FROM batch_items WHERE job_id=? GROUP BY state", (job_id,)
            )
        )
        return JobCounts(counts.get("pending", 0), counts.get("done", 0), counts.get("failed", 0))

    def fail_item(self, item_id: int, status: str, error: str, image_sha256: str = "") -> None:
        """A file that never reached the model: no screening, the reason on the item."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE batch_items SET state='failed', status=?, error=?, image_sha256=?,"
                " attempts=attempts+1, updated_at=? WHERE id=? AND state='pending'",
                (status, error, image_sha256, now_iso(), item_id),
            )

    def reset_failed(self, job_id: int) -> int:
        """Put a job's failed items back in the queue; returns how many."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE batch_items SET state='pending', status='', error='', updated_at=?"
                " WHERE job_id=? AND state='failed'",
                (now_iso(), job_id),
            )
            conn.execute(
                "UPDATE batch_jobs SET state='pending', updated_at=? WHERE id=? AND ?>0",
                (now_iso(), job_id, cur.rowcount),
            )
            return int(cur.rowcount)

    def job_results(self, job_id: int) -> list[tuple[BatchItem, ScreeningRecord | None]]:
        """Every item of a job in input order, with its screening when it has one."""
        items = self.job_items(job_id)
        screenings = {s.batch_item_id: s for s in self.list_screenings(job_id=job_id, limit=-1)}
        return [(item, screenings.get(item.id)) for item in items]

    # -- audit ---------------------------------------------------------------------------
    @staticmethod
    def _audit(
        conn: sqlite3.Connection,
        action: str,
        operator: str,
        patient_id: int | None,
        screening_id: int | None,
        detail: str,
    ) -> None:
        conn.execute(
            "INSERT INTO audit_log (at, operator, action, patient_id, screening_id, detail)"
            " VALUES (?,?,?,?,?,?)",
            (now_iso(), operator, action, patient_id, screening_id, detail),
        )

    def audit(
        self,
        action: str,
        *,
        operator: str = "",
        patient_id: int | None = None,
        screening_id: int | None = None,
        detail: str = "",
    ) -> None:
        """Append to the audit log (e.g. ``report.export``, ``results.export``)."""
        with self.transaction() as conn:
            self._audit(conn, action, operator, patient_id, screening_id, detail)

    def audit_log(
        self, *, patient_id: int | None = None, action: str | None = None, limit: int = 1000
    ) -> list[AuditEntry]:
        where, params = ["1=1"], []
        if patient_id is not None:
            where.append("patient_id=?")
            params.append(patient_id)
        if action is not None:
            where.append("action=?")
            params.append(action)
        rows = self._query(
            "SELECT id, at, operator, action, patient_id, screening_id, detail FROM audit_log"
            f" WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
            (*params, int(limit)),
        )
        return [AuditEntry(*r) for r in rows]


def _screening(row: tuple) -> ScreeningRecord:
    probs: dict[str, float] = json.loads(row[13] or "{}")
    timings = json.loads(row[22] or "{}")
    return ScreeningRecord(
        id=row[0],
        patient_id=row[1],
        patient_code=row[2],
        patient_name=row[3],
        image_path=row[4],
        image_sha256=row[5],
        status=row[6],
        message=row[7],
        pack_id=row[8],
        pack_version=row[9],
        pack_name=row[10],
        pack_accuracy=row[11],
        model_sha256=row[12],
        class_ids=tuple(probs),
        probabilities=tuple(float(v) for v in probs.values()),
        top_class=row[14],
        top_probability=row[15],
        refer=bool(row[16]),
        ood_score=row[17],
        heatmap_path=row[18],
        operator=row[19],
        created_at=row[20],
        batch_item_id=row[21],
        timings=Timings(
            **{k: float(v) for k, v in timings.items() if k in Timings.__annotations__}
        ),
        has_thumbnail=bool(row[23]),
        has_overlay=bool(row[24]),
    )


def _job(row: tuple) -> BatchJob:
    options = json.loads(row[7] or "{}")
    return BatchJob(
        id=row[0],
        job_key=row[1],
        pack_id=row[2],
        state=row[3],
        label=row[4],
        out_dir=row[5],
        operator=row[6],
        options=tuple(sorted(options.items())),
        created_at=row[8],
        updated_at=row[9],
    )

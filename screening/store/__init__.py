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

Layout: ``records`` (the dataclasses), ``schema`` (migrations), ``base`` (connection, lock,
transactions, errors in words), one module per table (``patients``, ``screenings``, ``jobs``
for batch jobs and items, ``audit``); rows are read by column name. ``Store`` joins the
tables; everything public is importable from ``screening.store`` as before.
"""

from __future__ import annotations

from .audit import AuditTable
from .base import DB_NAME, StoreBase, _escape_like, _fold, _store_error, default_path, now_iso
from .jobs import JobsTable
from .records import (
    ITEM_STATES,
    JOB_STATES,
    AuditEntry,
    BatchItem,
    BatchJob,
    JobCounts,
    Patient,
    PatientInfo,
    ScreeningImages,
    ScreeningRecord,
)
from .schema import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version


class Store(JobsTable, AuditTable):
    """The clinic database. Open once per process (or per window) and share it."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "DB_NAME",
    "ITEM_STATES",
    "JOB_STATES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "AuditEntry",
    "BatchItem",
    "BatchJob",
    "JobCounts",
    "Patient",
    "PatientInfo",
    "ScreeningImages",
    "ScreeningRecord",
    "Store",
    "StoreBase",
    "_escape_like",
    "_fold",
    "_store_error",
    "default_path",
    "migrate",
    "now_iso",
    "schema_version",
]

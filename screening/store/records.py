"""The store's records: frozen dataclasses that cross from the database to the GUI, the CLI
and the reports (no sqlite3 type ever leaves the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inference.results import Timings


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

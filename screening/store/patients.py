"""The patients table: add, update, find and delete (with their screenings and heatmaps)."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime
from pathlib import Path

from ..errors import DuplicatePatientError, InvalidInputError, NotFoundError, StoreError
from .audit import write_audit
from .base import StoreBase, _escape_like, now_iso
from .records import Patient, PatientInfo

PATIENT_COLUMNS = "id, patient_code, name, birth_date, sex, contact, notes, created_at, updated_at"


def _form_values(info: PatientInfo) -> tuple[str, ...]:
    """The form's fields in the column order of INSERT and UPDATE (patient_code ... notes)."""
    return (info.patient_id, info.name, info.birth_date, info.sex, info.contact, info.notes)


def patient_from_row(row: sqlite3.Row) -> Patient:
    return Patient(
        id=row["id"],
        patient_id=row["patient_code"],
        name=row["name"],
        birth_date=row["birth_date"],
        sex=row["sex"],
        contact=row["contact"],
        notes=row["notes"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class PatientsTable(StoreBase):
    """Patient methods of :class:`screening.store.Store`."""

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
                    (*_form_values(info), stamp, stamp),
                )
                pid = int(cur.lastrowid)
                write_audit(conn, "patient.add", operator, pid, None, info.patient_id)
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
                    (*_form_values(info), now_iso(), patient_id),
                )
                write_audit(conn, "patient.update", operator, patient_id, None, info.patient_id)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise DuplicatePatientError(
                    f"Patient ID {info.patient_id!r} is already used by another patient."
                ) from None
            raise
        return self.get_patient(patient_id)

    def get_patient(self, patient_id: int) -> Patient:
        rows = self._rows(f"SELECT {PATIENT_COLUMNS} FROM patients WHERE id=?", (patient_id,))
        if not rows:
            raise NotFoundError(f"No patient with record number {patient_id} in this database.")
        return patient_from_row(rows[0])

    def get_patient_by_code(self, code: str) -> Patient | None:
        rows = self._rows(
            f"SELECT {PATIENT_COLUMNS} FROM patients WHERE patient_code=?", (code.strip(),)
        )
        return patient_from_row(rows[0]) if rows else None

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
            patient_from_row(row)
            for row in self._rows(
                f"SELECT {PATIENT_COLUMNS} FROM patients"
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
            write_audit(
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

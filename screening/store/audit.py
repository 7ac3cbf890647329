"""The append-only audit log (the schema's triggers refuse UPDATE and DELETE on it)."""

from __future__ import annotations

import sqlite3

from .base import StoreBase, now_iso
from .records import AuditEntry


def write_audit(
    conn: sqlite3.Connection,
    action: str,
    operator: str,
    patient_id: int | None,
    screening_id: int | None,
    detail: str,
) -> None:
    """One audit row inside the caller's transaction, so it commits with the change."""
    conn.execute(
        "INSERT INTO audit_log (at, operator, action, patient_id, screening_id, detail)"
        " VALUES (?,?,?,?,?,?)",
        (now_iso(), operator, action, patient_id, screening_id, detail),
    )


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        operator=row["operator"],
        action=row["action"],
        patient_id=row["patient_id"],
        screening_id=row["screening_id"],
        detail=row["detail"],
    )


class AuditTable(StoreBase):
    """``Store.audit`` and ``Store.audit_log``."""

    _audit = staticmethod(write_audit)  # screening.claims writes in its own transaction

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
            write_audit(conn, action, operator, patient_id, screening_id, detail)

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
        rows = self._rows(
            "SELECT id, at, operator, action, patient_id, screening_id, detail FROM audit_log"
            f" WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
            (*params, int(limit)),
        )
        return [_entry(r) for r in rows]

"""Assign, move (reassign) and void stored screenings: the rules, in one place for the GUI
and the CLI.

Why here and not in the store: the store keeps rows; these are clinic rules (a move needs a
reason, a voided screening stays voided, nothing changes without an audit entry). A void
is an entry in the append-only audit log (``screening.void``), never an edit of the
screening row, so it cannot be undone silently and every report can look it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from .store import AuditEntry, Patient, ScreeningRecord, Store

VOID_ACTION = "screening.void"
ASSIGN_ACTION = "screening.assign"
TRAIL_ACTIONS = ("screening.record", ASSIGN_ACTION, VOID_ACTION)


class RecordRuleError(InvalidInputError):
    """A change the rules refuse. ``rule`` names the rule so the GUI and the CLI can say it
    in the user's language: voided, already_voided, same_patient, reason_required,
    no_patient, patient_required."""

    code = "record_rule"

    def __init__(self, rule: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.rule = rule
        self.values = values


@dataclass(frozen=True)
class Void:
    """Why and by whom a screening was declared invalid (wrong image, wrong patient...)."""

    screening_id: int
    at: str
    operator: str
    reason: str


def voids(store: Store) -> dict[int, Void]:
    """Every voided screening, by screening id (one query; history lists call it once)."""
    found: dict[int, Void] = {}
    for entry in store.audit_log(action=VOID_ACTION, limit=-1):
        if entry.screening_id is not None and entry.screening_id not in found:
            found[entry.screening_id] = Void(
                entry.screening_id, entry.at, entry.operator, entry.detail
            )
    return found


def void_of(store: Store, screening_id: int) -> Void | None:
    """The void of one screening, or None while it is valid."""
    return voids(store).get(screening_id)


def is_valid(store: Store, record: ScreeningRecord) -> bool:
    """Whether a stored screening may be shown or printed as a result at all."""
    return void_of(store, record.id) is None


def trail(store: Store, screening_id: int) -> list[AuditEntry]:
    """The audit entries of one screening, oldest first: recorded, assigned/moved, voided."""
    entries = [
        e
        for action in TRAIL_ACTIONS
        for e in store.audit_log(action=action, limit=-1)
        if e.screening_id == screening_id
    ]
    return sorted(entries, key=lambda e: e.id)


def _patient(store: Store, code: str, create: bool, operator: str) -> Patient:
    code = code.strip()
    if not code:
        raise RecordRuleError("patient_required", "Enter the patient ID to assign it to.")
    patient = store.get_patient_by_code(code)
    if patient is not None:
        return patient
    if not create:
        raise RecordRuleError(
            "no_patient",
            f"No patient with ID {code!r}. Check the ID, or create the patient first.",
            patient=code,
        )
    from .store import PatientInfo

    return store.add_patient(PatientInfo(code), operator=operator)


def assign(
    store: Store,
    screening_id: int,
    patient_code: str,
    *,
    operator: str = "",
    reason: str = "",
    create: bool = False,
) -> ScreeningRecord:
    """Put a screening on a patient. A screening that already has a patient is moved only
    with a reason (it may already have been printed for the first one); a voided screening
    is not moved. ``create`` adds a patient with that ID when there is none."""
    rec = store.get_screening(screening_id)
    if void_of(store, screening_id) is not None:
        raise RecordRuleError(
            "voided", f"Screening #{screening_id} was voided; it cannot be assigned.", id=rec.id
        )
    reason = " ".join(reason.split())
    if rec.patient_id is not None and not reason:
        raise RecordRuleError(
            "reason_required",
            f"Screening #{screening_id} belongs to {rec.patient_code}; give a reason to move it.",
            id=rec.id,
            patient=rec.patient_code,
        )
    patient = _patient(store, patient_code, create, operator)
    if rec.patient_id == patient.id:
        raise RecordRuleError(
            "same_patient",
            f"Screening #{screening_id} already belongs to {patient.patient_id}.",
            id=rec.id,
            patient=patient.patient_id,
        )
    before = rec.patient_code or "-"
    detail = f"{before} -> {patient.patient_id}" + (f": {reason}" if reason else "")
    return store.assign_screening(screening_id, patient.id, operator=operator, detail=detail)


def void(store: Store, screening_id: int, reason: str, *, operator: str = "") -> Void:
    """Declare a screening invalid, with the reason. It stays in the database (and in the
    audit trail) but is never shown or printed as a result again."""
    rec = store.get_screening(screening_id)
    reason = " ".join(reason.split())
    if not reason:
        raise RecordRuleError(
            "reason_required", "Give a reason for voiding the screening.", id=rec.id
        )
    if void_of(store, screening_id) is not None:
        raise RecordRuleError(
            "already_voided", f"Screening #{screening_id} is already voided.", id=rec.id
        )
    store.audit(
        VOID_ACTION,
        operator=operator,
        patient_id=rec.patient_id,
        screening_id=screening_id,
        detail=reason,
    )
    found = void_of(store, screening_id)
    if found is None:  # pragma: no cover - the audit insert above either worked or raised
        raise NotFoundError(f"Screening {screening_id} is not in this database.")
    return found

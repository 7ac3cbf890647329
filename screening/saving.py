"""Saving one screening to a patient, the way the desktop app's Save button does it: the
patient is found by the clinic's ID (or added), what the form filled in updates the stored
record, and the screening is stored with its thumbnail and heatmap.

Why here and not in the GUI: which stored field a blank form field may overwrite is a
record-keeping rule; kept in the screening layer it is tested without a window, and any
other face (a CLI command, a script) saves the same way.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from inference.manifest import Manifest
    from inference.results import ScreenResult

    from .store import Patient, PatientInfo, ScreeningRecord, Store


def merge_patient(existing: Patient, typed: PatientInfo) -> PatientInfo:
    """The stored patient updated with what was typed: a blank field keeps the stored value
    (an empty form never erases a record); the contact is not on the form and is kept."""
    from .store import PatientInfo

    values = {f.name: getattr(typed, f.name) or getattr(existing, f.name) for f in fields(typed)}
    values["contact"] = existing.contact
    return PatientInfo(**values)


def patient_for(store: Store, typed: PatientInfo, *, operator: str = "") -> Patient:
    """The patient with the typed clinic ID, added if new, else updated (``merge_patient``)."""
    existing = store.get_patient_by_code(typed.patient_id)
    if existing is None:
        return store.add_patient(typed, operator=operator)
    return store.update_patient(existing.id, merge_patient(existing, typed), operator=operator)


def save_to_patient(
    store: Store,
    result: ScreenResult,
    typed: PatientInfo,
    *,
    manifest: Manifest,
    operator: str = "",
    pixels: np.ndarray | None = None,
    overlay: np.ndarray | None = None,
) -> tuple[Patient, ScreeningRecord]:
    """*worker* Store ``result`` for the typed patient; ``pixels`` and ``overlay`` (RGB, as
    shown) are kept as JPEG thumbnails for the history and the report."""
    from .imaging import jpeg_bytes

    patient = patient_for(store, typed, operator=operator)
    record = store.record_screening(
        result,
        patient_id=patient.id,
        operator=operator,
        manifest=manifest,
        thumbnail=jpeg_bytes(pixels) if pixels is not None else None,
        overlay=jpeg_bytes(overlay) if overlay is not None else None,
    )
    return patient, record

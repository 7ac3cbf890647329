"""Results as CSV (for spreadsheets) and JSON, written atomically.

Column contract (issue 2): ``file, sha256, status, predicted_class, p_<class>..., error``
first, then extra columns. A row whose status is not ``ok`` never carries a predicted
class or probabilities: a flagged image has no answer to export, only its reason.
Patient names are left out unless the user asks for them.

``status`` is ``ok`` or an :class:`inference.results.Status` code (``unreadable``,
``too_large``, ``not_modality``, ``out_of_distribution``, ``poor_quality``, ``error``);
batch exports may also say ``pending`` (not screened yet: the batch was interrupted) or
``deleted`` (screened, but the screening was deleted since, e.g. with its patient);
any export may say ``voided`` (declared invalid since, ``screening.records``: its answer is
left out, as for a refused image, and ``error`` gives the reason).
``outcome`` says the same in the app's one vocabulary (``screening.outcomes``):
``answered``, ``refused``, ``failed`` or ``not_done``.

Every cell is neutralised against spreadsheet formula injection (``screening.csvsafe``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import inference

from .csvsafe import csv_safe_text
from .files import atomic_write_text
from .outcomes import outcome_of
from .store import BatchItem, Patient, ScreeningRecord, Store

LEADING = ("file", "sha256", "status", "predicted_class")
TRAILING = (
    "error",
    "outcome",
    "refer",
    "top_probability",
    "ood_score",
    "patient_id",
    "pack_id",
    "pack_version",
    "model_sha256",
    "heatmap",
    "screened_at",
    "screening_id",
    "decode_ms",
    "preprocess_ms",
    "inference_ms",
    "heatmap_ms",
    "total_ms",
)


@dataclass(frozen=True)
class ExportOptions:
    """Which patient data leaves the store. Names are opt-in."""

    include_patient_ids: bool = True
    include_patient_names: bool = False


@dataclass(frozen=True)
class ResultRow:
    """One exported line: ``values`` in ``columns`` order, typed (None = empty cell)."""

    values: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)


def columns_for(class_ids: Sequence[str], options: ExportOptions = ExportOptions()) -> list[str]:
    cols = [*LEADING, *(f"p_{c}" for c in class_ids), *TRAILING]
    if not options.include_patient_ids:
        cols.remove("patient_id")
    if options.include_patient_names:
        cols.insert(cols.index("pack_id"), "patient_name")
    return cols


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def make_row(
    columns: Sequence[str],
    *,
    file: str,
    status: str,
    sha256: str = "",
    error: str = "",
    record: ScreeningRecord | None = None,
    patient: Patient | None = None,
    void_reason: str | None = None,
) -> ResultRow:
    """A row from a stored screening (or from a failure without one). ``void_reason``:
    the screening was voided, so it is exported without its answer."""
    cells: dict[str, Any] = {c: None for c in columns}
    cells.update(file=file, sha256=sha256, status=status, error=error or None)
    if patient is not None:
        cells["patient_id"] = patient.patient_id
        cells["patient_name"] = patient.name
    if record is not None:
        t = record.timings
        cells.update(
            sha256=record.image_sha256 or sha256,
            status=record.status,
            error=None if record.answered else (record.message or record.status),
            ood_score=_round(record.ood_score),
            pack_id=record.pack_id,
            pack_version=record.pack_version,
            model_sha256=record.model_sha256,
            heatmap=record.heatmap_path or None,
            screened_at=record.created_at,
            screening_id=record.id,
            decode_ms=_round(t.decode_ms, 2),
            preprocess_ms=_round(t.preprocess_ms, 2),
            inference_ms=_round(t.inference_ms, 2),
            heatmap_ms=_round(t.heatmap_ms, 2),
            total_ms=_round(t.total_ms, 2),
        )
        if patient is None and record.patient_code:
            cells["patient_id"] = record.patient_code
            cells["patient_name"] = record.patient_name
        if void_reason is not None:
            cells.update(status="voided", error=f"voided: {void_reason}")
        elif record.answered:  # flagged images get no answer, only their reason
            cells["predicted_class"] = record.top_class
            cells["refer"] = record.refer
            cells["top_probability"] = _round(record.top_probability)
            for cid, p in zip(record.class_ids, record.probabilities, strict=True):
                if f"p_{cid}" in cells:
                    cells[f"p_{cid}"] = _round(p)
    cells["outcome"] = outcome_of(cells["status"])
    return ResultRow(tuple((c, cells.get(c)) for c in columns))


def job_rows(
    store: Store, job_id: int, class_ids: Sequence[str], options: ExportOptions = ExportOptions()
) -> tuple[list[str], list[ResultRow]]:
    """One row per input file of a batch job, in input order."""
    from .records import voids

    columns = columns_for(class_ids, options)
    voided = {sid: v.reason for sid, v in voids(store).items()}
    patients: dict[int, Patient] = {}
    rows = []
    for item, record in store.job_results(job_id):
        patient = None
        if item.patient_id is not None:
            if item.patient_id not in patients:
                patients[item.patient_id] = store.get_patient(item.patient_id)
            patient = patients[item.patient_id]
        reason = voided.get(record.id) if record is not None else None
        rows.append(_item_row(columns, item, record, patient, reason))
    return columns, rows


def _item_row(
    columns: Sequence[str],
    item: BatchItem,
    record: ScreeningRecord | None,
    patient: Patient | None,
    void_reason: str | None = None,
) -> ResultRow:
    if record is None and item.state == "done":
        # finished, but its screening was deleted since (e.g. with its patient)
        return make_row(columns, file=item.path, status="deleted", error="screening deleted")
    return make_row(
        columns,
        file=item.path,
        status=item.status or "pending",
        sha256=item.image_sha256,
        error=item.error or ("not screened yet" if item.state == "pending" else ""),
        record=record,
        patient=patient,
        void_reason=void_reason,
    )


def screening_rows(
    records: Iterable[ScreeningRecord],
    options: ExportOptions = ExportOptions(),
    voided: Mapping[int, Any] | None = None,
) -> tuple[list[str], list[ResultRow]]:
    """Rows for a list of stored screenings (e.g. a patient's history), any packs.
    ``voided``: ``screening.records.voids(store)`` (or id -> reason), exported as voided."""
    records = list(records)
    class_ids: list[str] = []
    for rec in records:
        class_ids += [c for c in rec.class_ids if c not in class_ids]
    columns = columns_for(class_ids, options)
    voided = voided or {}
    return columns, [
        make_row(
            columns,
            file=r.image_path,
            status=r.status,
            record=r,
            void_reason=_reason(voided[r.id]) if r.id in voided else None,
        )
        for r in records
    ]


def _reason(void: Any) -> str:
    """A ``screening.records.Void`` or a plain reason string."""
    return str(getattr(void, "reason", void))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.3e}"
    return str(value)


def csv_text(columns: Sequence[str], rows: Iterable[ResultRow]) -> str:
    """CSV with every cell neutralised against formula injection (screening.csvsafe)."""
    return csv_safe_text(
        columns, ([_cell(row.as_dict().get(c)) for c in columns] for row in rows)
    )


def write_csv(path: Path | str, columns: Sequence[str], rows: Iterable[ResultRow]) -> Path:
    """UTF-8 with BOM so spreadsheet programs show non-ASCII names correctly."""
    return atomic_write_text(path, "\ufeff" + csv_text(columns, rows), what="results CSV")


def write_json(
    path: Path | str, columns: Sequence[str], rows: Iterable[ResultRow], **meta: Any
) -> Path:
    doc = {
        "app_version": inference.__version__,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **meta,
        "columns": list(columns),
        "results": [row.as_dict() for row in rows],
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
    return atomic_write_text(path, text, what="results JSON")

"""What a screening session hands out, written once for the CLI and the GUI: a patient's
report, a batch job's summary report and its results table, each followed by its audit
entry in one wording.

Why: the GUI and the CLI each wrote these and their audit entries with their own wording,
so the trail said different things for the same act depending on where it was done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inference.manifest import Manifest

    from .export import ExportOptions, ResultRow
    from .reports import ReportInfo, ReportOptions
    from .store import Store


@dataclass(frozen=True)
class JobResults:
    """A job's results table as written (the CLI also writes it as JSON and counts it)."""

    path: Path
    columns: tuple[str, ...]
    rows: tuple[ResultRow, ...]


# -- the audit trail's wording, one per output ----------------------------------------------
def patient_report_detail(info: ReportInfo) -> str:
    return f"{info.report_id}: {info.path}"


def batch_summary_detail(job_id: int, path: Path | str) -> str:
    return f"batch job {job_id}: {path}"


def job_results_detail(job_id: int, path: Path | str) -> str:
    return f"job {job_id}: {path}"


# -- writing them ---------------------------------------------------------------------------
def write_patient_report(
    store: Store,
    patient_id: int,
    target: Path | str,
    options: ReportOptions,
    *,
    operator: str = "",
    screening_ids: Sequence[int] | None = None,
    manifests: Mapping[str, Manifest] | None = None,
) -> ReportInfo:
    """The patient's PDF report, then ``report.export`` in the audit trail. ``manifests``:
    the packs the caller screens with (None: the installed packs)."""
    from .reports import patient_report

    info = patient_report(store, patient_id, target, options, screening_ids, manifests)
    store.audit(
        "report.export",
        operator=operator,
        patient_id=patient_id,
        detail=patient_report_detail(info),
    )
    return info


def write_batch_summary(
    store: Store,
    job_id: int,
    target: Path | str,
    options: ReportOptions,
    *,
    operator: str = "",
    manifests: Mapping[str, Manifest] | None = None,
) -> ReportInfo:
    """The job's summary PDF (one row per file), then ``report.export`` in the audit trail."""
    from .reports import batch_summary

    info = batch_summary(store, job_id, target, options, manifests)
    store.audit("report.export", operator=operator, detail=batch_summary_detail(job_id, info.path))
    return info


def job_class_ids(store: Store, job_id: int, manifest: Manifest | None) -> list[str]:
    """The table's class columns: the pack's classes; for a pack no longer installed, every
    class the job's screenings have, in the order they first appear."""
    if manifest is not None:
        return list(manifest.class_ids)
    class_ids: list[str] = []
    for _item, rec in store.job_results(job_id):
        if rec is not None:
            class_ids += [c for c in rec.class_ids if c not in class_ids]
    return class_ids


def export_job_results(
    store: Store,
    job_id: int,
    target: Path | str,
    class_ids: Sequence[str],
    options: ExportOptions,
    *,
    operator: str = "",
) -> JobResults:
    """One CSV row per input file of the job, then ``results.export`` in the audit trail."""
    from . import export

    columns, rows = export.job_rows(store, job_id, class_ids, options)
    written = export.write_csv(target, columns, rows)
    store.audit("results.export", operator=operator, detail=job_results_detail(job_id, written))
    return JobResults(Path(written), tuple(columns), tuple(rows))

"""screening.outputs: the reports and the results table a session hands out, each written
once for the CLI and the GUI and audited in one wording."""

from __future__ import annotations

import pytest

from screening.export import ExportOptions
from screening.outputs import (
    export_job_results,
    job_class_ids,
    write_batch_summary,
    write_patient_report,
)
from screening.queue import BatchQueue, QueueInput
from screening.reports import ReportOptions
from screening.store import Store
from tests.screening_fixtures import tiny_screener, write_image


@pytest.fixture
def finished_job(tmp_path):
    screener = tiny_screener(tmp_path / "packs")
    store = Store(tmp_path / "c.db")
    files = [write_image(tmp_path / "in" / f"{i}.png", seed=i) for i in range(3)]
    queue = BatchQueue(store, screener, workers=1, operator="nurse")
    job, _ = queue.submit([QueueInput(str(f), "P-001") for f in files])
    queue.run(job.id)
    yield store, job.id, screener.manifest
    store.close()


def test_job_results_are_written_and_audited_once(finished_job, tmp_path):
    store, job_id, manifest = finished_job
    table = export_job_results(
        store,
        job_id,
        tmp_path / "out" / "results.csv",
        job_class_ids(store, job_id, manifest),
        ExportOptions(),
        operator="nurse",
    )
    assert table.path.read_text("utf-8-sig").count("\n") == 1 + 3  # header and 3 files
    assert len(table.rows) == 3 and "p_" + manifest.class_ids[0] in table.columns
    entries = store.audit_log(action="results.export")
    assert [(e.operator, e.detail) for e in entries] == [("nurse", f"job {job_id}: {table.path}")]


def test_class_columns_of_a_pack_no_longer_installed_come_from_its_screenings(finished_job):
    store, job_id, manifest = finished_job
    assert job_class_ids(store, job_id, None) == list(manifest.class_ids)


def test_reports_are_audited_in_one_wording(finished_job, tmp_path):
    store, job_id, _ = finished_job
    options = ReportOptions(operator="dr. Sari")
    summary = write_batch_summary(store, job_id, tmp_path / "s.pdf", options, operator="dr. Sari")
    patient = store.get_patient_by_code("P-001")
    report = write_patient_report(
        store, patient.id, tmp_path / "p.pdf", options, operator="dr. Sari"
    )
    assert summary.path.read_bytes().startswith(b"%PDF")
    assert report.path.read_bytes().startswith(b"%PDF")
    entries = store.audit_log(action="report.export")
    got = {(e.patient_id, e.detail) for e in entries if e.operator == "dr. Sari"}
    assert got == {
        (None, f"batch job {job_id}: {summary.path}"),
        (patient.id, f"{report.report_id}: {report.path}"),
    }

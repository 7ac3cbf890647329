"""A voided screening is never printed or exported as a valid result, and a moved one
says so on later reports (issue 19 item 2, the reports' and exports' side)."""

from __future__ import annotations

from pypdf import PdfReader

from screening import cli, export, records
from screening.outcomes import count_outcomes, job_outcomes
from screening.queue import BatchQueue, QueueInput
from screening.reports import ReportOptions, batch_summary, patient_report
from screening.store import PatientInfo, Store
from tests.screening_fixtures import tiny_screener, write_image


def text_of(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def _clinic(tmp_path):
    screener = tiny_screener(tmp_path / "packs")
    store = Store(tmp_path / "c.db")
    store.add_patient(PatientInfo("P-1", "Ani"))
    store.add_patient(PatientInfo("P-2", "Budi"))
    files = [write_image(tmp_path / f"s{i}.png", seed=i, size=96) for i in range(2)]
    queue = BatchQueue(store, screener, workers=1)
    job, _ = queue.submit([QueueInput(str(files[0]), "P-1"), QueueInput(str(files[1]), "P-1")])
    queue.run(job.id)
    first, second = (rec for _, rec in store.job_results(job.id))
    records.void(store, first.id, "wrong eye photographed", operator="dr Sari")
    records.assign(store, second.id, "P-2", reason="wrong patient chosen", operator="dr Sari")
    return store, screener, job, first, second


def test_reports_show_voids_and_moves(tmp_path):
    store, _, job, first, second = _clinic(tmp_path)
    p1 = store.get_patient_by_code("P-1")
    text = text_of(patient_report(store, p1.id, tmp_path / "p1.pdf").path)
    assert "VOIDED: not a valid result" in text
    assert "by dr Sari: wrong eye photographed" in text
    for answer in ("Result:", "REFER for follow-up:", "Probability", "Heatmap:"):
        assert answer not in text  # its only screening is void: no answer printed
    assert sum(len(p.images) for p in PdfReader(tmp_path / "p1.pdf").pages) == 0

    p2 = store.get_patient_by_code("P-2")
    moved = text_of(patient_report(store, p2.id, tmp_path / "p2.pdf").path)
    assert "Patient changed on" in moved and "P-1 -> P-2: wrong patient chosen" in moved
    assert "Result:" in moved or "REFER for follow-up" in moved

    summary = text_of(batch_summary(store, job.id, tmp_path / "b.pdf").path)
    assert "Not done: Voided" in summary and "wrong eye photographed" in summary
    assert "Answered 1 · Refused 0 · Failed 0 · Not done 1" in summary
    indonesian = batch_summary(store, job.id, tmp_path / "i.pdf", ReportOptions(language="id"))
    assert "Dibatalkan" in text_of(indonesian.path)
    store.close()


def test_exports_and_counts_leave_the_answer_of_a_voided_screening_out(tmp_path, monkeypatch):
    store, screener, job, first, second = _clinic(tmp_path)
    _, rows = export.job_rows(store, job.id, screener.manifest.class_ids)
    by_id = {r.as_dict()["screening_id"]: r.as_dict() for r in rows}
    void_row = by_id[first.id]
    assert void_row["status"] == "voided" and void_row["outcome"] == "not_done"
    assert void_row["predicted_class"] is None and void_row["refer"] is None
    assert void_row["error"] == "voided: wrong eye photographed"
    assert by_id[second.id]["status"] == "ok"
    voided = records.voids(store)
    pairs = store.job_results(job.id)
    assert count_outcomes(pairs, voided) == count_outcomes(rows)
    assert count_outcomes(pairs, voided).answered == 1
    # what the GUI says after a batch: the same counts, the voided one not answered
    assert job_outcomes(store, job.id) == count_outcomes(rows)
    store.close()

    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    out = tmp_path / "all.csv"
    assert cli.main(["export", "--db", str(tmp_path / "c.db"), "--out", str(out)]) == 0
    text = out.read_text("utf-8-sig")
    assert "voided: wrong eye photographed" in text and text.count(",voided,") == 1

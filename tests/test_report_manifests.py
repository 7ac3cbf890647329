"""Reports print from the manifests they are given (issue 22): no discovery inside a helper."""

from __future__ import annotations

from dataclasses import replace

from pypdf import PdfReader

from inference.manifest import LocalText
from screening.queue import BatchQueue, QueueInput
from screening.reports import ReportOptions, batch_summary, patient_report
from screening.store import PatientInfo, Store
from tests.screening_fixtures import tiny_screener, write_image


def text_of(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_both_reports_name_classes_and_pack_from_the_given_manifests(tmp_path):
    screener = tiny_screener(tmp_path / "packs")
    store = Store(tmp_path / "c.db")
    store.add_patient(PatientInfo("P-1", "Ani"))
    queue = BatchQueue(store, screener, workers=1)
    image = write_image(tmp_path / "s.png", seed=1, size=96)
    job, _ = queue.submit([QueueInput(str(image), "P-1")])
    queue.run(job.id)
    man = screener.manifest
    renamed = replace(
        man,
        display_name=LocalText.parse("Renamed pack"),
        classes=tuple(replace(c, name=LocalText.parse(f"Class-{c.id}-X")) for c in man.classes),
    )
    given = {man.id: renamed}
    (rec,) = store.list_screenings(limit=-1)
    batch = batch_summary(store, job.id, tmp_path / "b.pdf", ReportOptions(), given)
    patient = patient_report(store, rec.patient_id, tmp_path / "p.pdf", ReportOptions(),
                             manifests=given)
    for info in (batch, patient):
        text = text_of(info.path)
        assert "Renamed pack" in text and f"Class-{rec.top_class}-X" in text
    store.close()

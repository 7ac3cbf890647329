"""Reports can leave out or pseudonymise patient identifiers (e.g. taken from DICOM)."""

from __future__ import annotations

import pytest

from inference.dicom import DicomPatient
from screening.queue import BatchQueue, collect_inputs
from screening.reports import (
    ReportOptions,
    batch_summary,
    patient_report,
    pseudonym,
    report_filename,
    shown_patient_id,
)
from screening.settings import ClinicSettings
from screening.store import PatientInfo, Store
from tests.report_fixtures import trusted_test_key
from tests.screening_fixtures import tiny_screener, write_image
from tests.test_reports import text_of


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    with trusted_test_key():
        root = tmp_path_factory.mktemp("ids")
        screener = tiny_screener(root / "packs")
        store = Store(root / "clinic.db")
        patient = store.add_patient(
            PatientInfo("MRN-77123", "Budi Santoso", birth_date="1966-01-31", sex="M")
        )
        files = [write_image(root / f"scan{i}.png", seed=i, size=120) for i in range(2)]
        queue = BatchQueue(store, screener, workers=1)
        job, _ = queue.submit(collect_inputs(files, patient_code="MRN-77123"))
        queue.run(job.id)
        yield store, patient, job
        store.close()


def test_pseudonym_matches_dicom_scheme_and_is_stable():
    dp = DicomPatient(patient_id="MRN-77123", name="Budi Santoso")
    assert pseudonym("MRN-77123", "Budi Santoso", "s3cret") == dp.pseudonymised("s3cret").patient_id
    assert pseudonym("MRN-77123", "Budi Santoso", "other") != pseudonym(
        "MRN-77123", "Budi Santoso", "s3cret"
    )


@pytest.mark.parametrize("mode", ["show", "omit", "pseudonymise"])
def test_patient_report_identifier_modes(clinic, tmp_path, mode):
    store, patient, _ = clinic
    settings = ClinicSettings(report_identifiers=mode, pseudonym_secret="k")
    options = settings.report_options()
    text = text_of(patient_report(store, patient.id, tmp_path / f"{mode}.pdf", options).path)
    name = report_filename(patient, settings.report_options(names_in_filenames=True))
    code = pseudonym("MRN-77123", "Budi Santoso", "k")
    if mode == "show":
        assert "MRN-77123" in text and "Budi Santoso" in text and "1966-01-31" in text
        assert "MRN-77123" in name and "Budi" in name
    else:
        for identifier in ("MRN-77123", "Budi", "1966-01-31"):
            assert identifier not in text
            assert identifier not in name
        assert (code in text) == (mode == "pseudonymise")
        assert shown_patient_id(patient, options) == (code if mode == "pseudonymise" else "")


def test_batch_summary_pseudonymised(clinic, tmp_path):
    store, patient, job = clinic
    options = ReportOptions(pseudonym_secret="k")
    text = text_of(batch_summary(store, job.id, tmp_path / "b.pdf", options).path)
    assert "MRN-77123" not in text and "Budi" not in text
    assert pseudonym("MRN-77123", "Budi Santoso", "k") in text

"""screening.saving: the Save button's record-keeping rules, tested without a window."""

from __future__ import annotations

from screening.saving import merge_patient, patient_for, save_to_patient
from screening.store import PatientInfo, Store
from tests.screening_fixtures import tiny_screener, write_image


def test_a_blank_form_field_never_erases_what_is_stored(tmp_path):
    with Store(tmp_path / "c.db") as store:
        stored = store.add_patient(
            PatientInfo("P-001", "Siti", "1980-02-01", "F", contact="0812", notes="asthma")
        )
        typed = PatientInfo("P-001", name="", sex="", notes="follow-up in May", contact="")
        merged = merge_patient(stored, typed)
        assert merged == PatientInfo(
            "P-001", "Siti", "1980-02-01", "F", contact="0812", notes="follow-up in May"
        )
        again = patient_for(store, typed, operator="nurse")
        assert again.id == stored.id and again.name == "Siti" and again.contact == "0812"
        assert [p.patient_id for p in store.find_patients()] == ["P-001"]
        fresh = patient_for(store, PatientInfo("P-002", "Budi"), operator="nurse")
        assert fresh.id != stored.id and fresh.name == "Budi"


def test_a_screening_is_saved_to_the_typed_patient_with_its_pictures(tmp_path):
    screener = tiny_screener(tmp_path / "packs")
    image = write_image(tmp_path / "scan.png", seed=3)
    result = screener.screen_path(image)
    pixels = screener.load(str(image)).pixels
    with Store(tmp_path / "c.db") as store:
        patient, record = save_to_patient(
            store,
            result,
            PatientInfo("P-007", "Ani"),
            manifest=screener.manifest,
            operator="nurse",
            pixels=pixels,
        )
        assert record.patient_id == patient.id and patient.patient_id == "P-007"
        assert record.image_sha256 == result.image_sha256
        images = store.screening_images(record.id)
        assert images.thumbnail.startswith(b"\xff\xd8") and images.overlay is None

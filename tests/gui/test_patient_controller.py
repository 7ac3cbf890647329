"""The patient form's rules without a window (gui.patient_controller)."""

from __future__ import annotations

from gui.patient_controller import PatientController, PatientDraft


def test_each_image_keeps_its_own_patient_and_a_new_one_starts_empty():
    rules = PatientController()
    rules.leave("a.png", PatientDraft(patient_id="P-001", name="Siti"))
    assert rules.enter("b.png") == PatientDraft()  # never the previous image's patient
    assert rules.enter("a.png").patient_id == "P-001"
    rules.leave("b.png", PatientDraft())  # nothing typed: nothing kept
    assert "b.png" not in rules.drafts


def test_a_batch_assignment_is_what_the_form_shows():
    rules = PatientController()
    rules.assign("c.png", "P-009")
    assert rules.enter("c.png").patient_id == "P-009"
    assert rules.enter("c.png").origin == "batch"


def test_saving_another_image_to_the_same_patient_is_flagged():
    rules = PatientController()
    rules.record_saved("a.png", "P-001", "a.png", 1)
    assert rules.earlier_images("P-001", "a.png") == []  # the same image again is no question
    assert [s.label for s in rules.earlier_images(" p-001 ", "b.png")] == ["a.png"]
    assert rules.earlier_images("P-002", "b.png") == []

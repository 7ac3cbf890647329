"""Assign, move and void stored screenings (screening.records): the rules and the audit."""

from __future__ import annotations

import pytest

from screening import records
from screening.records import RecordRuleError
from screening.store import PatientInfo, Store
from tests.screening_fixtures import tiny_screener, write_image


@pytest.fixture()
def screener(tmp_path):
    return tiny_screener(tmp_path / "packs")


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "clinic.db") as s:
        yield s


@pytest.fixture()
def unassigned(store, screener, tmp_path):
    """A screening saved as 'no patient (assign later)', as a batch without mapping does."""
    result = screener.screen_path(write_image(tmp_path / "scan.png", seed=3))
    return store.record_screening(result, operator="ana")


def test_unassigned_screening_can_be_assigned_and_it_is_audited(store, unassigned):
    store.add_patient(PatientInfo("P-001", "Siti"))
    rec = records.assign(store, unassigned.id, "P-001", operator="ana")
    assert rec.patient_code == "P-001"
    entry = store.audit_log(action="screening.assign")[0]
    assert (entry.screening_id, entry.operator) == (unassigned.id, "ana")
    assert entry.detail == "- -> P-001"


def test_assign_to_an_unknown_patient_needs_create(store, unassigned):
    with pytest.raises(RecordRuleError) as err:
        records.assign(store, unassigned.id, "P-404")
    assert err.value.rule == "no_patient"
    assert store.get_screening(unassigned.id).patient_id is None
    rec = records.assign(store, unassigned.id, "P-404", create=True)
    assert rec.patient_code == "P-404"


def test_moving_needs_a_reason_and_keeps_from_and_to(store, unassigned):
    store.add_patient(PatientInfo("P-001"))
    store.add_patient(PatientInfo("P-002"))
    records.assign(store, unassigned.id, "P-001")
    with pytest.raises(RecordRuleError) as err:
        records.assign(store, unassigned.id, "P-002", reason="  ")
    assert err.value.rule == "reason_required"
    assert store.get_screening(unassigned.id).patient_code == "P-001"
    with pytest.raises(RecordRuleError) as same:
        records.assign(store, unassigned.id, "P-001", reason="again")
    assert same.value.rule == "same_patient"
    rec = records.assign(
        store, unassigned.id, "P-002", reason="wrong patient picked", operator="bo"
    )
    assert rec.patient_code == "P-002"
    details = [e.detail for e in records.trail(store, unassigned.id)]
    assert details[1:] == ["- -> P-001", "P-001 -> P-002: wrong patient picked"]


def test_void_needs_a_reason_is_final_and_blocks_moves(store, unassigned):
    with pytest.raises(RecordRuleError) as err:
        records.void(store, unassigned.id, "")
    assert err.value.rule == "reason_required"
    assert records.is_valid(store, unassigned)
    void = records.void(store, unassigned.id, "image of the wrong eye", operator="ana")
    assert (void.reason, void.operator) == ("image of the wrong eye", "ana")
    assert not records.is_valid(store, unassigned)
    assert records.voids(store) == {unassigned.id: void}
    with pytest.raises(RecordRuleError) as again:
        records.void(store, unassigned.id, "twice")
    assert again.value.rule == "already_voided"
    with pytest.raises(RecordRuleError) as moved:
        records.assign(store, unassigned.id, "P-001", create=True)
    assert moved.value.rule == "voided"
    # the void is an audit entry: the append-only log keeps it, nothing can delete it
    assert [e.action for e in records.trail(store, unassigned.id)] == [
        "screening.record",
        "screening.void",
    ]

"""The patient store: CRUD, search, screenings, migrations, audit log, failure modes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from inference.results import Status
from screening import store as store_mod
from screening.errors import (
    DuplicatePatientError,
    InvalidInputError,
    NotFoundError,
    StoreError,
    StoreFullError,
    StoreReadOnlyError,
    StoreVersionError,
)
from screening.store import PatientInfo, Store
from tests.screening_fixtures import tiny_screener, write_image


@pytest.fixture(scope="module")
def screener(tmp_path_factory):
    return tiny_screener(tmp_path_factory.mktemp("packs"))


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "clinic.db") as s:
        yield s


@pytest.fixture()
def result(screener, tmp_path):
    return screener.screen_path(write_image(tmp_path / "scan.png", seed=3))


def test_new_store_is_wal_with_foreign_keys_and_current_schema(store):
    assert store.schema_version == store_mod.SCHEMA_VERSION == 3
    assert store._query("PRAGMA journal_mode")[0][0] == "wal"
    assert store._query("PRAGMA foreign_keys")[0][0] == 1
    assert store.integrity_ok()


def test_patient_crud_and_unicode_search(store):
    siti = store.add_patient(
        PatientInfo(" P-001 ", "Siti Nurhaliza Ñúñez", birth_date="1984-03-09"), operator="ana"
    )
    store.add_patient(PatientInfo("P-002", "Budi Santoso"))
    assert siti.patient_id == "P-001"  # trimmed
    assert [p.patient_id for p in store.find_patients("ÑÚÑ")] == ["P-001"]
    assert [p.patient_id for p in store.find_patients("p-00")] == ["P-002", "P-001"]
    assert store.find_patients("%") == []  # LIKE wildcards are literal text
    updated = store.update_patient(siti.id, PatientInfo("P-001", "Siti N.", contact="0812"))
    assert (updated.name, updated.contact, updated.birth_date) == ("Siti N.", "0812", "")
    assert store.get_patient_by_code("P-001") == updated
    assert store.get_patient_by_code("nope") is None
    actions = [e.action for e in store.audit_log(patient_id=siti.id)]
    assert actions == ["patient.update", "patient.add"]


def test_patient_validation_errors_are_actionable(store):
    store.add_patient(PatientInfo("P-001"))
    with pytest.raises(DuplicatePatientError, match="already used"):
        store.add_patient(PatientInfo("P-001", "Someone else"))
    with pytest.raises(InvalidInputError, match="patient ID"):
        store.add_patient(PatientInfo("   "))
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        store.add_patient(PatientInfo("P-9", birth_date="9/3/84"))
    with pytest.raises(NotFoundError):
        store.get_patient(12345)
    assert len(store.find_patients()) == 1


def test_record_and_read_back_screening(store, result, screener):
    patient = store.add_patient(PatientInfo("P-7", "Ayu"))
    rec = store.record_screening(
        result,
        patient_id=patient.id,
        operator="ana",
        manifest=screener.manifest,
        thumbnail=b"\xff\xd8thumb",
        overlay=b"\xff\xd8over",
        heatmap_path="/x/heat.png",
    )
    pred = result.prediction
    assert rec.status == "ok" and rec.answered
    assert rec.class_ids == pred.class_ids
    assert rec.probabilities == pytest.approx(pred.probabilities)
    assert rec.top_class == pred.top_class and rec.refer == pred.refer
    assert rec.image_sha256 == result.image_sha256
    assert rec.pack_name == "Test pack tiny-pack" and rec.pack_accuracy == 0.5
    assert (rec.patient_code, rec.patient_name) == ("P-7", "Ayu")
    assert rec.has_thumbnail and rec.has_overlay
    assert store.screening_images(rec.id).overlay == b"\xff\xd8over"
    assert rec.timings.inference_ms == pytest.approx(result.timings.inference_ms)
    assert store.list_screenings(patient_id=patient.id) == [rec]
    assert store.list_screenings(query="ayu") == [rec]
    assert store.list_screenings(query="scan.png") == [rec]
    assert store.list_screenings(query="nobody") == []


def test_flagged_screening_is_not_answered(store, result, screener):
    from dataclasses import replace

    flagged = replace(result, status=Status.OUT_OF_DISTRIBUTION, message="not like training")
    rec = store.record_screening(flagged, manifest=screener.manifest)
    assert rec.status == "out_of_distribution" and not rec.answered
    assert rec.message == "not like training"


def test_delete_patient_removes_screenings_and_heatmaps_and_is_audited(store, result, tmp_path):
    keep = store.add_patient(PatientInfo("P-keep"))
    gone = store.add_patient(PatientInfo("P-gone", "To Delete"))
    heat = tmp_path / "heat.png"
    heat.write_bytes(b"png")
    store.record_screening(result, patient_id=gone.id, heatmap_path=heat, overlay=b"o")
    store.record_screening(result, patient_id=gone.id)
    kept = store.record_screening(result, patient_id=keep.id)
    assert store.delete_patient(gone.id, operator="dr") == 2
    assert not heat.exists()
    assert store.list_screenings() == [kept]
    with pytest.raises(NotFoundError):
        store.get_patient(gone.id)
    entry = store.audit_log(action="patient.delete")[0]
    assert entry.operator == "dr" and entry.patient_id == gone.id
    assert "P-gone" in entry.detail and "2 screening" in entry.detail
    assert "To Delete" not in entry.detail  # the log keeps no name of a deleted patient
    assert store.integrity_ok()


def test_audit_log_is_append_only(store):
    store.audit("report.export", operator="ana", detail="r.pdf")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store._conn.execute("UPDATE audit_log SET operator='mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store._conn.execute("DELETE FROM audit_log")
    assert store.audit_log()[0].operator == "ana"


def test_v1_database_migrates_keeping_data(tmp_path, result):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert store_mod.migrate(conn, target=1) == 1
    conn.execute(
        "INSERT INTO patients (patient_code, name, created_at, updated_at)"
        " VALUES ('P-OLD', 'Dewi', '2024-01-01', '2024-01-01')"
    )
    conn.execute(
        "INSERT INTO screenings (patient_id, image_path, pack_id, probabilities, top_class,"
        " status, created_at) VALUES (1, 'a.png', 'p', ?, 'a', 'ok', '2024-01-02')",
        (json.dumps({"a": 0.9, "b": 0.1}),),
    )
    conn.execute(
        "INSERT INTO batch_jobs (job_key, pack_id, created_at, updated_at)"
        " VALUES ('k', 'p', 'x', 'x')"
    )
    conn.execute("INSERT INTO batch_items (job_id, path) VALUES (1, 'a.png'), (1, 'b.png')")
    conn.close()

    with Store(path) as s:
        assert s.schema_version == 3
        patient = s.get_patient_by_code("P-OLD")
        assert patient is not None and patient.name == "Dewi" and patient.contact == ""
        (rec,) = s.list_screenings()
        assert rec.probabilities == (0.9, 0.1) and rec.pack_accuracy is None
        assert [i.position for i in s.job_items(1)] == [1, 2]
        s.audit("store.opened")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            s._conn.execute("DELETE FROM audit_log")
        s.record_screening(result, patient_id=patient.id, thumbnail=b"t")  # v2 columns work
        assert s.integrity_ok()


def test_database_from_newer_app_is_refused(tmp_path):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreVersionError, match="newer ClinicLens"):
        Store(path)


def test_not_a_database_gives_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="damaged or is not a ClinicLens database"):
        Store(path)


def test_disk_full_rolls_back_and_leaves_store_intact(store, result):
    """A real SQLITE_FULL: cap the database size, then write more than fits."""
    patient = store.add_patient(PatientInfo("P-1"))
    pages = store._query("PRAGMA page_count")[0][0]
    store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StoreFullError, match="disk is full"):
        store.record_screening(result, patient_id=patient.id, thumbnail=b"x" * 200_000)
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.list_screenings() == []
    assert store.integrity_ok()
    store.record_screening(result, patient_id=patient.id)  # usable again once space is back
    assert len(store.list_screenings()) == 1


def test_read_only_database_gives_clear_error(store):
    store.add_patient(PatientInfo("P-1"))
    store._conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreReadOnlyError, match="read-only"):
        store.add_patient(PatientInfo("P-2"))
    store._conn.execute("PRAGMA query_only = OFF")
    assert [p.patient_id for p in store.find_patients()] == ["P-1"]


def test_unwritable_folder_gives_clear_error(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(StoreReadOnlyError, match="Choose a folder you can write to"):
        Store(tmp_path / "sub" / "clinic.db")


def test_default_path_follows_cliniclens_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    with Store() as s:
        assert s.path == tmp_path / "home" / "cliniclens.db"
    assert (tmp_path / "home" / "cliniclens.db").exists()


def test_delete_and_reassign_single_screening(store, result, tmp_path):
    a = store.add_patient(PatientInfo("P-A"))
    b = store.add_patient(PatientInfo("P-B"))
    heat = tmp_path / "h.png"
    heat.write_bytes(b"png")
    one = store.record_screening(result, patient_id=a.id, heatmap_path=heat)
    two = store.record_screening(result, patient_id=a.id)
    moved = store.assign_screening(two.id, b.id, operator="ana")
    assert moved.patient_code == "P-B"
    store.delete_screening(one.id, operator="ana")
    assert not heat.exists()
    assert store.list_screenings(patient_id=a.id) == []
    with pytest.raises(NotFoundError):
        store.get_screening(one.id)
    entry = store.audit_log(action="screening.delete")[0]
    assert (entry.screening_id, entry.operator, entry.detail) == (one.id, "ana", "scan.png")


def test_a_new_database_opens_while_another_process_holds_its_write_lock(tmp_path):
    """Two batch commands creating one database: SQLite refuses the switch to WAL at once
    ("database is locked", no busy wait) while the other holds a write lock; Store waits."""
    import sqlite3
    import threading

    path = tmp_path / "c.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t(x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="locked"):  # what SQLite does by itself
        sqlite3.connect(path, isolation_level=None, timeout=5).execute("PRAGMA journal_mode = WAL")
    releaser = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    releaser.start()
    try:
        with Store(path) as store:
            assert store._query("PRAGMA journal_mode")[0][0] == "wal"
    finally:
        releaser.join()
        other.close()

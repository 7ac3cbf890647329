"""DICOM in the window: the header prefills the patient form (to be confirmed) and
multi-frame files offer a frame choice that is really what gets screened."""

from __future__ import annotations

import numpy as np
import pytest

from inference.dicom import decode_dicom
from inference.packs import load_pack
from inference.screener import Screener
from tests.gui.conftest import drop
from tests.test_dicom import make_dicom

HEADER = dict(
    PatientID="MRN-77123",
    PatientName="Santoso^Budi",
    PatientSex="M",
    PatientBirthDate="19660131",
    StudyDate="20240301",
)


def scan(path, frames=1, **attrs):
    rng = np.random.default_rng(7)
    shape = (frames, 48, 48) if frames > 1 else (48, 48)
    pixels = rng.integers(0, 4000, shape, dtype=np.uint16)
    if frames > 1:
        for i in range(frames):  # frames that differ a lot
            pixels[i] = (pixels[i] // (i + 1)).astype(np.uint16)
            pixels[i, : 16 * (i + 1)] = 4000 - 1000 * i
    return make_dicom(path, pixels, frames=frames, **{**HEADER, "Modality": "MR", **attrs})


def wait_answer(qtbot, window, path):
    qtbot.waitUntil(
        lambda: (
            window.result_panel.summary is not None
            and window.result_panel.summary.source == str(path)
        ),
        timeout=20000,
    )


def test_dicom_header_prefills_the_form_and_needs_confirming(qtbot, window, tmp_path):
    path = scan(tmp_path / "IMG0001")  # no extension: found by the DICM marker
    assert drop(window.drop_zone, [path])
    wait_answer(qtbot, window, path)
    form = window.patient_form
    qtbot.waitUntil(lambda: form.patient_id.text() == "MRN-77123", timeout=10000)
    assert form.name.text() == "Budi Santoso"
    assert form.sex.currentData() == "M"
    assert form.birth_date.text() == "1966-01-31"
    assert "2024-03-01" in form.notes.toPlainText()
    assert form.dicom_box.isVisibleTo(window) and form.dicom_unconfirmed
    assert "confirm" in form.dicom_notice.text().lower()
    assert window.dicom_bar.isVisibleTo(window)
    assert "MR" in window.dicom_label.text() and "2024-03-01" in window.dicom_label.text()
    assert not window.frame_spin.isVisibleTo(window)  # one frame: nothing to choose
    qtbot.waitUntil(lambda: form.save_button.isEnabled(), timeout=10000)

    assert window.save_screening() is None  # not before the user confirmed
    assert "DICOM" in form.feedback.text()
    assert window.store.list_screenings(limit=-1) == []

    form.confirm_button.click()
    assert not form.dicom_unconfirmed and not form.dicom_box.isVisibleTo(window)
    task = window.save_screening()
    assert task is not None
    qtbot.waitUntil(lambda: len(window.store.list_screenings(limit=-1)) == 1, timeout=10000)
    patient = window.store.get_patient_by_code("MRN-77123")
    assert patient.name == "Budi Santoso" and patient.birth_date == "1966-01-31"


def test_what_the_user_typed_is_not_overwritten(qtbot, window, tmp_path):
    form = window.patient_form
    form.patient_id.setText("P-9")
    form.name.setText("Ani")
    path = scan(tmp_path / "a.dcm")
    assert drop(window.drop_zone, [path])
    wait_answer(qtbot, window, path)
    qtbot.waitUntil(lambda: window.dicom_bar.isVisibleTo(window), timeout=10000)
    assert (form.patient_id.text(), form.name.text()) == ("P-9", "Ani")
    assert not form.dicom_unconfirmed


def test_a_second_dicom_patient_replaces_an_unconfirmed_prefill(qtbot, window, tmp_path):
    first = scan(tmp_path / "a.dcm")
    second = scan(tmp_path / "b.dcm", PatientID="MRN-2", PatientName="Wati^Sri")
    assert drop(window.drop_zone, [first, second])
    form = window.patient_form
    qtbot.waitUntil(lambda: form.patient_id.text() == "MRN-77123", timeout=20000)
    window.go(1)
    qtbot.waitUntil(lambda: form.patient_id.text() == "MRN-2", timeout=20000)
    assert form.name.text() == "Sri Wati" and form.dicom_unconfirmed


def engine_probabilities(pack_dir, path, frame):
    screener = Screener(load_pack(pack_dir))
    image = decode_dicom(path.read_bytes(), name=str(path), frame=frame)
    return screener.screen_image(image).prediction.probabilities


@pytest.mark.parametrize("frame", [2, 3])
def test_frame_choice_screens_that_frame(qtbot, window, tmp_path, packs_root, frame):
    path = scan(tmp_path / "cine.dcm", frames=3)
    assert drop(window.drop_zone, [path])
    wait_answer(qtbot, window, path)
    qtbot.waitUntil(lambda: window.frame_spin.isVisibleTo(window), timeout=10000)
    assert window.frame_spin.maximum() == 3 and window.frame_spin.value() == 1
    assert "3" in window.frame_count.text()
    first = window.session.current_result.prediction.probabilities
    assert np.allclose(first, engine_probabilities(packs_root / "tiny-pack", path, 0))

    window.frame_spin.setValue(frame)
    qtbot.waitUntil(lambda: window.session.current_result is not None, timeout=20000)
    wait_answer(qtbot, window, path)
    shown = window.session.current_result.prediction.probabilities
    expected = engine_probabilities(packs_root / "tiny-pack", path, frame - 1)
    assert np.allclose(shown, expected)
    assert not np.allclose(shown, first)
    qtbot.waitUntil(
        lambda: (
            window.picture is not None
            and window.picture.image is not None
            and dict(window.picture.image.metadata).get("dicom_frame") == str(frame - 1)
        ),
        timeout=20000,
    )

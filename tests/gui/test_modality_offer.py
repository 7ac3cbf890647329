"""A wrong-modality image dropped on a screening type: the window offers the type that reads it."""

from __future__ import annotations

import shutil

import pytest

from gui.modality_offer import offer_for
from inference.packs import discover
from inference.resources import resource_path
from inference.results import ScreenResult, Status

DATASETS = resource_path().parent / "shared" / "datasets"
XRAY = DATASETS / "chest_xray" / "val" / "normal" / "00012.jpg"


def _result(status: Status, looks_like: str) -> ScreenResult:
    return ScreenResult(source="x.jpg", status=status, looks_like=looks_like)


def test_offer_names_the_packs_that_read_what_the_image_looks_like():
    catalog = discover([resource_path("models")])
    offer = offer_for(_result(Status.NOT_MODALITY, "chest-xray"), catalog, "brain-mri-tumor", "en")
    assert offer is not None and offer.looks_like == "chest-xray"
    assert offer.choices == (("chest-xray-pneumonia", "Chest X-ray: pneumonia"),)
    brain = offer_for(_result(Status.NOT_MODALITY, "brain-mri"), catalog, "face-mask", "id")
    assert brain is not None and {p for p, _ in brain.choices} == {
        "brain-mri-glioma-meningioma",
        "brain-mri-tumor",
    }
    # nothing to offer: answered, unusual for its own type, or none of the known kinds
    assert offer_for(_result(Status.OK, "brain-mri"), catalog, "brain-mri-tumor", "en") is None
    unusual = _result(Status.OUT_OF_DISTRIBUTION, "brain-mri")
    assert offer_for(unusual, catalog, "brain-mri-tumor", "en") is None
    assert offer_for(_result(Status.NOT_MODALITY, "none"), catalog, "face-mask", "en") is None


def test_dropping_a_chest_xray_on_the_brain_type_offers_and_switches(make_window, qtbot, tmp_path):
    if not XRAY.is_file():
        pytest.skip("datasets not available")
    image = tmp_path / "chest.jpg"
    shutil.copy(XRAY, image)
    w = make_window(model_dirs=[resource_path("models")])
    w.select_pack("brain-mri-tumor")
    w.add_paths([str(image)])
    qtbot.waitUntil(lambda: w.session.current_result is not None, timeout=30000)
    assert w.session.current_result.status is Status.NOT_MODALITY
    bar = w.modality_offer
    qtbot.waitUntil(bar.isVisible, timeout=5000)
    assert "looks like a chest X-ray" in bar.label.text()
    button = bar.findChild(type(w.prev_button), "switch:chest-xray-pneumonia")
    assert button is not None and button.text() == "Switch to Chest X-ray: pneumonia"
    button.click()
    assert w.session.pack_id == "chest-xray-pneumonia"
    assert w.pack_chooser.combo.currentData() == "chest-xray-pneumonia"
    qtbot.waitUntil(
        lambda: (
            w.session.current_result is not None
            and w.session.current_result.status is not Status.NOT_MODALITY
        ),
        timeout=30000,
    )
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5000)


def test_the_modality_names_are_translated():
    """lupdate only sees literal contexts: each name must reach the Indonesian catalogue."""
    import xml.etree.ElementTree as ET

    ts = ET.parse(resource_path("assets", "translations", "cliniclens_id.ts"))
    found = {
        m.findtext("source"): m.findtext("translation")
        for c in ts.getroot()
        if c.findtext("name") == "ModalityOffer"
        for m in c.iter("message")
    }
    assert found == {
        "a brain MRI": "MRI otak",
        "a chest X-ray": "rontgen dada",
        "a photo of a palm": "foto telapak tangan",
        "a photo of a face": "foto wajah",
    }

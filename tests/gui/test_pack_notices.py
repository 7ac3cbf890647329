"""The main window warns about a weak pack before and with every screening (issue 16) and
says when a pack's site calibration is skipped as stale (issue 18)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from inference.packs import load_pack
from inference.resources import resource_path
from inference.site import OperatingPoint
from screening.site import profile as profile_mod
from tests.gui.conftest import drop, write_image
from tests.packgen import make_pack


def _eval(value: float, n: int) -> dict:
    return {"splits": {"val": {"n": n, "accuracy": {"value": value, "n": n}}}}


@pytest.fixture
def graded_packs(tmp_path):
    """A weak pack (68.8 % counting refusals) and one fit for routine use (93 %)."""
    root = tmp_path / "graded"
    make_pack(root, "weak-pack", classes=("normal", "abnormal"),
              metrics={"split": "val", "n": 64, "accuracy": 0.72, "macro_f1": 0.7,
                       "evaluation": _eval(0.6875, 64)})
    make_pack(root, "good-pack", classes=("normal", "abnormal"), seed=2,
              metrics={"split": "val", "n": 500, "accuracy": 0.95, "macro_f1": 0.95,
                       "evaluation": _eval(0.93, 500)})
    return root


def _warned(window) -> bool:
    return window.pack_notice.isVisible() and "right about 7 in 10 times" in window.pack_notice.text()


def test_weak_pack_warns_before_and_with_every_screening(make_window, graded_packs, tmp_path, qtbot):
    w = make_window([graded_packs])
    w.select_pack("good-pack")
    assert not w.pack_notice.isVisible()
    w.select_pack("weak-pack")
    assert _warned(w)  # before any image is screened
    assert "Use it only alongside a confirmatory test." in w.pack_notice.text()
    images = [write_image(tmp_path / f"img{i}.png", seed=i) for i in range(2)]
    assert drop(w.drop_zone, images)
    panel = w.result_panel
    qtbot.waitUntil(lambda: panel.pack_warning.isVisible(), timeout=20000)
    qtbot.waitUntil(lambda: len(w.session.results) == 2, timeout=20000)
    for _ in images:  # each result of the list carries it
        qtbot.waitUntil(lambda: panel.summary is not None, timeout=20000)
        assert panel.pack_warning.isVisible() and "7 in 10" in panel.pack_warning.text()
        assert panel.layout().indexOf(panel.pack_warning) < panel.layout().indexOf(panel.headline)
        w.go(1)
    w.select_pack("good-pack")
    assert not w.pack_notice.isVisible()
    qtbot.waitUntil(lambda: panel.summary is not None, timeout=20000)
    assert not panel.pack_warning.isVisible()


def test_batch_window_shows_the_weak_pack_warning_before_start(make_window, graded_packs):
    w = make_window([graded_packs])
    w.select_pack("weak-pack")
    dialog = w.open_batch()
    assert "right about 7 in 10 times" in dialog.pack_label.text()
    w.select_pack("good-pack")
    assert "right about" not in dialog.pack_label.text()
    dialog.close()


def test_bundled_palm_pack_warns_before_its_first_screening(make_window, settings_file, qtbot):
    from PySide6.QtCore import QSettings

    QSettings(str(settings_file), QSettings.Format.IniFormat).setValue("pack", "palm-anemia")
    w = make_window([resource_path("models")])
    assert w.session.pack_id == "palm-anemia"
    assert _warned(w) and "haemoglobin test" in w.pack_notice.text()  # before any image
    panel = w.result_panel
    w.add_paths([str(resource_path("assets", "samples", "palm-anemia", "anemic.jpg"))])
    qtbot.waitUntil(lambda: panel.summary is not None, timeout=30000)
    assert panel.pack_warning.isVisible() and "haemoglobin test" in panel.pack_warning.text()
    w.select_pack("brain-mri-tumor")
    assert not w.pack_notice.isVisible()


def _stale_profile(pack_dir) -> None:
    """A site profile made on another model than the installed one (the pack was updated)."""
    pack = load_pack(pack_dir)
    onnx = replace(pack.manifest.onnx, sha256="0" * 64)
    older = replace(pack, manifest=replace(pack.manifest, onnx=onnx))
    files = profile_mod.build_files(older, OperatingPoint.shipped(pack.manifest),
                                    "2026-11-01T10:00:00+00:00", "nurse", 60, {})
    profile_mod.write_active(pack.id, files)


def test_stale_site_calibration_is_named_in_the_window_with_advice(make_window, graded_packs, qtbot):
    _stale_profile(graded_packs / "good-pack")
    w = make_window([graded_packs])
    w.select_pack("good-pack")
    notice = w.pack_notice
    qtbot.waitUntil(lambda: notice.isVisible(), timeout=20000)
    text = notice.text()
    assert "site calibration is not used" in text and "no longer applies" in text
    assert "Settings… → Site calibration…" in text and "revert to the shipped" in text
    assert "not used" in w.statusBar().currentMessage()
    w.select_pack("weak-pack")  # no profile: only its weak-pack warning
    qtbot.waitUntil(lambda: "site calibration" not in notice.text(), timeout=20000)
    assert _warned(w)
    profile_mod.revert("good-pack")
    w.select_pack("good-pack")
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=20000)

"""The real window, driven offscreen: drop, answer, heatmap, warnings, patients, history."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from gui import presenter
from gui.qimage import to_qimage
from inference.packs import load_pack
from inference.screener import Screener
from tests.gui.conftest import drop, write_image


def engine_answer(pack_dir: Path, image: Path) -> str:
    screener = Screener(load_pack(pack_dir))
    result = screener.screen_path(image)
    assert result.answered
    man = screener.manifest
    return man.classes[man.class_index(result.prediction.top_class)].name.get("en")


def wait_result(qtbot, window, path: Path | None = None) -> None:
    def shown() -> bool:
        s = window.result_panel.summary
        return s is not None and (path is None or s.source == str(path))

    qtbot.waitUntil(shown, timeout=20000)


def wait_frame(qtbot, window) -> None:
    qtbot.waitUntil(
        lambda: (
            window.picture is not None
            and window.picture.path == window.session.current_path
            and window.viewer.original is not None
        ),
        timeout=20000,
    )


def same(a: QImage, b: QImage) -> bool:
    return a.convertToFormat(QImage.Format.Format_RGB888) == b.convertToFormat(
        QImage.Format.Format_RGB888
    )


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_dropped_file_shows_the_engines_answer(qtbot, window, tmp_path, packs_root, seed):
    image = write_image(tmp_path / f"scan-{seed}.png", seed=seed)
    assert drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    expected = engine_answer(packs_root / "tiny-pack", image)
    assert window.result_panel.shown_class == expected
    assert window.result_panel.headline.isVisibleTo(window)
    assert not window.result_panel.warning.isVisibleTo(window)
    assert window.result_panel.bars.count() == 3 * 3  # name, bar, value per class
    assert "Test pack tiny-pack" in window.result_panel.pack_label.text()
    assert "1.0.0" in window.result_panel.pack_label.text()
    assert window.result_panel.disclaimer.text() == "Screening aid — not a diagnosis"
    assert "model" in window.timings_label.text() and "ms" in window.timings_label.text()


def test_drop_zone_refuses_drags_without_files(qtbot, window):
    from PySide6.QtCore import QMimeData, QPoint
    from PySide6.QtGui import QDragEnterEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setText("just text")
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window.drop_zone, enter)
    assert not enter.isAccepted()


def test_heatmap_toggle_and_opacity_change_the_picture(qtbot, window, tmp_path):
    image = write_image(tmp_path / "a.png", seed=1)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    wait_frame(qtbot, window)
    frame = window.picture
    assert frame.cam is not None and frame.cam.has_evidence
    original = to_qimage(frame.image.pixels)
    with_heat = window.viewer.view.shown_image()
    assert not same(with_heat, original)

    qtbot.keyClick(window, Qt.Key.Key_H)
    assert window.session.heatmap.visible is False
    assert same(window.viewer.view.shown_image(), original)
    qtbot.keyClick(window, Qt.Key.Key_H)
    assert same(window.viewer.view.shown_image(), with_heat)

    window.viewer.controls.opacity.setValue(95)
    qtbot.waitUntil(lambda: not same(window.viewer.view.shown_image(), with_heat), timeout=10000)
    stronger = window.viewer.view.shown_image()
    assert not same(stronger, original)
    assert window.session.heatmap.opacity == pytest.approx(0.95)


def test_heatmap_for_another_class_and_method(qtbot, window, tmp_path):
    image = write_image(tmp_path / "a.png", seed=2)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    wait_frame(qtbot, window)
    controls = window.viewer.controls
    top = window.session.current_result.prediction.top_class
    assert controls.class_combo.count() == 3
    other = next(
        controls.class_combo.itemData(i)
        for i in range(3)
        if controls.class_combo.itemData(i) != top
    )
    controls.class_combo.setCurrentIndex(controls.class_combo.findData(other))
    controls.class_combo.activated.emit(controls.class_combo.currentIndex())
    qtbot.waitUntil(lambda: window.picture.cam.class_id == other, timeout=10000)
    assert window.picture.cam.method == "gradcam"
    i = controls.method_combo.findData("layercam")
    assert i >= 0
    controls.method_combo.setCurrentIndex(i)
    controls.method_combo.activated.emit(i)
    qtbot.waitUntil(lambda: window.picture.cam.method == "layercam", timeout=10000)
    # no positive evidence, or no clear focus, must be said in words, never drawn as noise
    from inference.focus import has_clear_focus

    cam = window.picture.cam
    said = not cam.has_evidence or not has_clear_focus(cam.values)
    assert window.viewer.note.isVisibleTo(window) == said


def test_no_evidence_is_said_in_words(qtbot, window, tmp_path):
    from inference.cam import CamMap

    image = write_image(tmp_path / "a.png", seed=1)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    wait_frame(qtbot, window)
    px = window.picture.image.pixels
    flat = CamMap(np.zeros((4, 4), np.float32), False, "normal", "gradcam")
    from gui.qimage import to_pixmap

    window.viewer.set_frame(
        to_pixmap(px), to_pixmap(px), window.session.heatmap, has_evidence=flat.has_evidence
    )
    assert window.viewer.note.isVisibleTo(window)
    assert "No positive evidence" in window.viewer.note.text()


def test_unreadable_file_shows_a_warning_and_no_class(qtbot, window, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"this is not a picture at all")
    drop(window.drop_zone, [bad])
    wait_result(qtbot, window, bad)
    panel = window.result_panel
    assert panel.summary.answered is False
    assert panel.shown_class == ""
    assert panel.warning.isVisibleTo(window)
    assert "broken.png" in panel.warning.text()
    assert not panel.bars_box.isVisibleTo(window)
    assert not panel.refer_label.isVisibleTo(window)
    for name in ("Normal", "Abnormal", "Other"):
        assert name not in panel.headline.text()
    assert window.viewer.overlay is None


def test_folder_drop_is_recursive_skips_non_images_and_survives_symlink_loops(
    qtbot, window, tmp_path
):
    folder = tmp_path / "usb"
    write_image(folder / "one.png", seed=1)
    write_image(folder / "deep" / "er" / "two.jpg", seed=2)
    (folder / "notes.txt").write_text("not an image")
    (folder / "deep" / "report.pdf").write_bytes(b"%PDF-1.4")
    os.symlink(folder, folder / "deep" / "loop")
    drop(window.drop_zone, [folder])
    qtbot.waitUntil(lambda: len(window.session.queue) == 2, timeout=10000)
    assert "skipped 2" in window.drop_zone.label.text()
    qtbot.waitUntil(lambda: len(window.session.results) == 2, timeout=20000)
    assert {Path(p).name for p in window.session.queue} == {"one.png", "two.jpg"}


def test_next_and_previous_image_shortcuts(qtbot, window, tmp_path):
    a = write_image(tmp_path / "a.png", seed=1)
    b = write_image(tmp_path / "b.png", seed=2)
    drop(window.drop_zone, [a, b])
    wait_result(qtbot, window, a)
    assert "1 of 2" in window.position.text()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    wait_result(qtbot, window, b)
    assert "2 of 2" in window.position.text()
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    wait_result(qtbot, window, a)


def test_save_screening_then_open_it_from_history(qtbot, window, tmp_path):
    image = write_image(tmp_path / "p.png", seed=5)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    wait_frame(qtbot, window)
    answer = window.result_panel.shown_class
    form = window.patient_form
    form.patient_id.setText("P-007")
    form.name.setText("Siti Aminah")
    form.sex.setCurrentIndex(form.sex.findData("F"))
    form.age.setValue(41)
    assert form.save_button.isEnabled()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.history.count() == 1, timeout=10000)
    assert not form.save_button.isEnabled()  # the same screening is not saved twice

    records = window.store.list_screenings(query="siti")
    assert len(records) == 1
    rec = records[0]
    assert rec.patient_code == "P-007" and rec.status == "ok"
    patient = window.store.get_patient(rec.patient_id)
    assert patient.sex == "F" and "Age 41" in patient.notes
    images = window.store.screening_images(rec.id)
    assert images.thumbnail and images.overlay

    window.history.search.setText("zzz-nobody")
    qtbot.waitUntil(lambda: window.history.count() == 0, timeout=5000)
    window.history.search.setText("p-007")
    qtbot.waitUntil(lambda: window.history.count() == 1, timeout=5000)

    window.clear_queue()
    assert window.result_panel.summary is None
    item = window.history.screening_items()[0]
    window.history.tree.itemActivated.emit(item, 0)
    assert window.record is not None and window.record.id == rec.id
    assert window.result_panel.shown_class == answer
    assert window.result_panel.summary.screened_at == presenter.local_time(rec.created_at)
    assert "P-007" in window.result_panel.pack_label.text()
    assert window.viewer.original is not None and window.viewer.overlay is not None
    assert "Saved screening" in window.position.text()

    report = tmp_path / "out" / "report.pdf"
    task = window.write_report(report)
    assert task is not None
    qtbot.waitUntil(lambda: "Report saved" in form.feedback.text(), timeout=30000)
    assert report.read_bytes().startswith(b"%PDF")
    # audited as `cliniclens report` audits it (screening.outputs): report number, then file
    (entry,) = window.store.audit_log(action="report.export")
    assert entry.patient_id == rec.patient_id
    report_id, _, path = entry.detail.partition(": ")
    assert report_id and " " not in report_id and path == str(report)


def test_save_needs_a_patient_id(qtbot, window, tmp_path):
    image = write_image(tmp_path / "p.png", seed=5)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    assert window.save_screening() is None
    assert "patient ID" in window.patient_form.feedback.text()
    assert window.store.list_screenings() == []


def test_save_overlay_png(qtbot, window, tmp_path):
    image = write_image(tmp_path / "p.png", seed=1, size=80)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    wait_frame(qtbot, window)
    target = tmp_path / "saved" / "overlay.png"
    window.save_overlay(target)
    qtbot.waitUntil(target.exists, timeout=5000)
    saved = QImage(str(target))
    assert (saved.width(), saved.height()) == (80, 80)
    assert same(saved, to_qimage(window.picture.overlay))


def test_pack_chooser_lists_packs_and_refused_ones(qtbot, make_window, tmp_path, packs_root):
    import shutil

    root = tmp_path / "models"
    shutil.copytree(packs_root / "tiny-pack", root / "tiny-pack")
    shutil.copytree(packs_root / "other-pack", root / "broken-pack")
    (root / "broken-pack" / "model.onnx").write_bytes(b"tampered")
    window = make_window([root])
    combo = window.pack_chooser.combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[0] == "Test pack tiny-pack"
    assert any("broken-pack" in t and "cannot be used" in t for t in labels)
    assert window.pack_chooser.problems.isVisibleTo(window)
    from gui.packs_panel import pack_html

    html = pack_html(window.session.pack, window.session.catalog, "en", lambda s: s)
    # percentages keep their sign on the number's line (no-break space), like the reports
    assert "Tests only." in html and "50.0\u00a0%" in html and "modified or damaged" in html


def test_switching_pack_rescreens_and_is_remembered(qtbot, make_window, tmp_path):
    window = make_window()
    image = write_image(tmp_path / "a.png", seed=1)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    assert window.result_panel.summary.pack_name == "Test pack tiny-pack"
    window.pack_chooser.pack_selected.emit("other-pack")
    qtbot.waitUntil(
        lambda: (
            window.result_panel.summary is not None
            and window.result_panel.summary.pack_name == "Test pack other-pack"
        ),
        timeout=20000,
    )
    assert window.result_panel.shown_class in {"Clear", "Refer"}
    assert window.viewer.controls.class_combo.count() == 2
    window.close()
    again = make_window()
    assert again.session.pack_id == "other-pack"


def test_cancel_stops_a_long_batch(qtbot, window, tmp_path, monkeypatch):
    """Cancel stops screening the list after the image in hand; the others stay in the list
    unscreened (not lost, not screened behind the user's back) until screening starts again."""
    files = [write_image(tmp_path / "many" / f"{i:03d}.png", seed=i) for i in range(60)]
    pressed = threading.Event()
    screen = window.session.screen

    def after_cancel(screener, path):  # every image waits until Cancel has been pressed
        assert pressed.wait(20)
        return screen(screener, path)

    monkeypatch.setattr(window.session, "screen", after_cancel)
    drop(window.drop_zone, [tmp_path / "many"])
    qtbot.waitUntil(lambda: window.images.screening is not None, timeout=10000)
    window.cancel_work()
    pressed.set()
    qtbot.waitUntil(lambda: window.images.screening is None, timeout=20000)
    assert not window.progress.isVisibleTo(window)
    assert len(window.session.results) <= 1  # at most the image in hand when Cancel came
    assert len(window.session.pending()) >= len(files) - 1
    assert window.images.screening is None  # not restarted on its own
    late = write_image(tmp_path / "late.png", seed=99)
    drop(window.drop_zone, [late])  # screening starts again: the rest are taken up too
    qtbot.waitUntil(lambda: len(window.session.results) == len(files) + 1, timeout=60000)
    assert window.session.pending() == []


def test_pack_information_states_what_the_guard_refuses(qtbot):
    """Staff see the measured rates behind a refusal (from the bundled pack's manifest)."""
    from gui.packs_panel import pack_html
    from inference.packs import discover, load_pack
    from inference.resources import resource_path

    pack = load_pack(resource_path("models", "palm-anemia"))
    catalog = discover([resource_path("models")])
    html = pack_html(pack, catalog, "en")
    ood = pack.manifest.ood
    assert "Images it refuses" in html
    assert f"{ood.val_pass_rate * 100:.1f}\u00a0% of its own held-out images pass" in html
    # another kind of image is refused by the modality check before the pack's own guard sees it
    assert "refused before this check, as the wrong type of image" in html
    assert f"this check also refuses {ood.far_ood_flag_rate * 100:.1f}\u00a0% of such test images" in html
    comma = f"{ood.val_pass_rate * 100:.1f}".replace(".", ",")
    assert f"{comma}\u00a0%" in pack_html(pack, catalog, "id")  # Bahasa: the decimal comma


def test_pack_information_without_the_modality_check_states_the_guard_alone(qtbot):
    """A pack of a modality the shared check does not know is screened by its own guard alone:
    the panel then gives that guard's rate as what the app refuses."""
    import dataclasses

    from gui.packs_panel import pack_html
    from inference.packs import discover, load_pack
    from inference.resources import resource_path

    pack = load_pack(resource_path("models", "palm-anemia"))
    other = dataclasses.replace(pack, manifest=dataclasses.replace(pack.manifest, modality="skin-photo"))
    html = pack_html(other, discover([resource_path("models")]), "en")
    assert "wrong type of image" not in html
    assert f"{pack.manifest.ood.far_ood_flag_rate * 100:.1f}\u00a0% of unrelated test images" in html

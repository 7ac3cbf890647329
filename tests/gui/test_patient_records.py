"""Issue 19 items 1, 2, 8, 9 and issue 20 item 12 in the real window: the patient form
follows the image, saved screenings can be assigned, moved and voided, History speaks
words, Save PNG works on a saved screening, and names are never markup."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from inference.packs import load_pack
from inference.screener import Screener
from tests.gui.conftest import drop, write_image
from tests.gui.test_main_window import wait_frame, wait_result


def save_current(qtbot, window, code: str) -> None:
    before = len(window.store.list_screenings())
    window.patient_form.patient_id.setText(code)
    window.save_screening()
    qtbot.waitUntil(lambda: len(window.store.list_screenings()) == before + 1, timeout=10000)
    qtbot.waitUntil(lambda: window.patients.saved_key() in window.patients.saved, timeout=5000)


def test_next_image_starts_unassigned_and_the_form_follows_back(qtbot, window, tmp_path):
    a = write_image(tmp_path / "a.png", seed=1)
    b = write_image(tmp_path / "b.png", seed=2)
    drop(window.drop_zone, [a, b])
    wait_result(qtbot, window, a)
    wait_frame(qtbot, window)
    window.patient_form.name.setText("Siti")
    save_current(qtbot, window, "P-001")
    window.go(1)
    wait_result(qtbot, window, b)
    form = window.patient_form
    assert form.patient_id.text() == "" and form.name.text() == ""  # not P-001 any more
    assert window.patient_db_id is None
    assert window.save_screening() is None  # no ID: nothing is saved to anybody
    assert "patient ID" in form.feedback.text()
    window.go(-1)
    wait_result(qtbot, window, a)
    assert form.patient_id.text() == "P-001" and form.name.text() == "Siti"


def test_second_image_to_the_same_patient_is_asked(qtbot, window, tmp_path):
    a = write_image(tmp_path / "a.png", seed=1)
    b = write_image(tmp_path / "b.png", seed=2)
    drop(window.drop_zone, [a, b])
    wait_result(qtbot, window, a)
    save_current(qtbot, window, "P-001")
    window.go(1)
    wait_result(qtbot, window, b)
    questions = []
    window.ask = lambda title, text: questions.append(text) or False
    window.patient_form.patient_id.setText("P-001")
    assert window.save_screening() is None
    assert questions and "a.png" in questions[0] and "P-001" in questions[0]
    assert len(window.store.list_screenings()) == 1
    window.ask = lambda title, text: True  # a conscious yes
    save_current(qtbot, window, "P-001")
    assert [r.patient_code for r in window.store.list_screenings()] == ["P-001", "P-001"]


def test_lenient_birth_date_and_no_traceback_on_a_bad_one(qtbot, window, tmp_path, capfd):
    a = write_image(tmp_path / "a.png", seed=1)
    drop(window.drop_zone, [a])
    wait_result(qtbot, window, a)
    form = window.patient_form
    form.birth_date.setText("31/02/1980")
    form.patient_id.setText("P-003")
    assert window.save_screening() is None
    assert "not a date" in form.feedback.text()
    assert "Traceback" not in capfd.readouterr().err
    form.birth_date.setText("12/05/1980")
    assert "1980" in form.birth_hint.text() and "May" in form.birth_hint.text()
    save_current(qtbot, window, "P-003")
    assert window.store.get_patient_by_code("P-003").birth_date == "1980-05-12"


def open_first(window) -> int:
    item = window.history.screening_items()[0]
    window.history.tree.itemClicked.emit(item, 0)  # one click shows the record
    return window.record.id


def unassigned_screening(window, packs_root, tmp_path, seed=3) -> int:
    """What a batch without a patient list stores."""
    screener = Screener(load_pack(packs_root / "tiny-pack"))
    result = screener.screen_path(write_image(tmp_path / f"u{seed}.png", seed=seed))
    rec = window.store.record_screening(result, manifest=screener.manifest)
    window.refresh_history()
    return rec.id


def test_unassigned_record_is_assigned_from_the_form(qtbot, window, packs_root, tmp_path):
    sid = unassigned_screening(window, packs_root, tmp_path)
    assert open_first(window) == sid
    form = window.patient_form
    assert form.patient_id.text() == ""
    form.patient_id.setText("P-010")
    form.name.setText("Budi")
    assert form.save_button.isEnabled()  # typing an ID is enough to assign it
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    rec = window.store.get_screening(sid)
    assert rec.patient_code == "P-010" and rec.patient_name == "Budi"
    assert window.store.audit_log(action="screening.assign")[0].screening_id == sid
    assert "P-010" in window.history.screening_items()[0].text(0)


def test_history_menu_moves_and_voids(qtbot, window, packs_root, tmp_path):
    sid = unassigned_screening(window, packs_root, tmp_path)
    from screening.store import PatientInfo

    window.store.add_patient(PatientInfo("P-001"))
    window.store.add_patient(PatientInfo("P-002"))
    answers = iter(
        [("P-001", "", False), ("P-002", "wrong patient picked", False), ("", "blurred", False)]
    )
    window.records.ask = lambda kind, rec: next(answers)
    item = window.history.screening_items()[0]
    menu = window.history.menu_for(item)
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels == ["Show", "Assign to a patient…", "Void this screening…"]
    menu.actions()[2].trigger()
    assert window.store.get_screening(sid).patient_code == "P-001"
    menu = window.history.menu_for(window.history.screening_items()[0])
    assert menu.actions()[2].text() == "Move to another patient…"
    menu.actions()[2].trigger()
    assert window.store.get_screening(sid).patient_code == "P-002"
    window.history.menu_for(window.history.screening_items()[0]).actions()[3].trigger()
    item = window.history.screening_items()[0]
    assert item.text(0).startswith("VOIDED: blurred")
    assert item.font(0).strikeOut()
    menu = window.history.menu_for(item)
    assert not menu.actions()[2].isEnabled() and not menu.actions()[3].isEnabled()
    open_first(window)
    panel = window.result_panel
    assert panel.shown_class == "" and "Voided" in panel.headline.text()
    assert "blurred" in panel.warning.text()
    assert not panel.bars_box.isVisibleTo(window)
    assert not window.patient_form.save_button.isEnabled()


def test_history_says_why_in_words_and_groups_a_batch(qtbot, window, packs_root, tmp_path):
    from dataclasses import replace

    from inference.results import Status

    screener = Screener(load_pack(packs_root / "tiny-pack"))
    refused = screener.screen_path(write_image(tmp_path / "r.png", seed=4))
    refused = replace(refused, status=Status.OUT_OF_DISTRIBUTION, message="score 9 > 3")
    window.store.record_screening(refused, manifest=screener.manifest)
    job = window.store.create_job("k", "tiny-pack", [(str(tmp_path / "x.png"), None)])
    item = window.store.job_items(job.id)[0]
    ok = screener.screen_path(write_image(tmp_path / "x.png", seed=5))
    window.store.record_screening(ok, manifest=screener.manifest, batch_item_id=item.id)
    window.refresh_history()
    tree = window.history.tree
    texts = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert any(t.startswith(f"Batch #{job.id}") for t in texts)
    assert not any("out_of_distribution" in t or "(no patient)" in t for t in texts)
    assert any("unlike the images the model was trained on" in t for t in texts)
    assert any("(no patient yet)" in t for t in texts)
    batch = next(
        tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
        if tree.topLevelItem(i).childCount()
    )
    assert batch.childCount() == 1


def test_save_png_on_a_saved_screening(qtbot, window, tmp_path):
    image = write_image(tmp_path / "p.png", seed=5)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    wait_frame(qtbot, window)
    save_current(qtbot, window, "P-020")
    window.clear_queue()
    open_first(window)
    assert window.viewer.overlay is not None  # a heatmap is displayed
    assert window.viewer.controls.class_combo.count() == 0  # no stale live-image classes
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    target = tmp_path / "saved" / "record.png"
    assert window.save_overlay(target) is not None
    qtbot.waitUntil(target.exists, timeout=5000)
    saved = QImage(str(target))
    assert not saved.isNull() and saved.width() > 0
    assert not any("no heatmap" in m for m in messages)


def test_markup_in_a_patient_name_is_shown_as_text(qtbot, window, tmp_path):
    name = "<h1>NO TUMOUR</h1>"
    image = write_image(tmp_path / "<b>scan</b>.png", seed=5)
    drop(window.drop_zone, [image])
    wait_result(qtbot, window, image)
    wait_frame(qtbot, window)
    window.patient_form.name.setText(name)
    save_current(qtbot, window, "<i>P-1</i>")
    window.clear_queue()
    open_first(window)
    assert name in window.result_panel.pack_label.text()
    shown = [
        w
        for w in window.findChildren(QLabel)
        if w.isVisibleTo(window) and ("<h1>" in w.text() or "<b>" in w.text() or "<i>" in w.text())
    ]
    assert shown  # the names are on screen ...
    for label in shown:  # ... as text, never as markup
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName() or label.text()
    tip = window.history.screening_items()[0].toolTip(0)
    assert "&lt;b&gt;" in tip and "<b>" not in tip


def test_same_file_name_in_two_folders_is_told_apart(qtbot, window, tmp_path):
    a = write_image(tmp_path / "left" / "scan.png", seed=1)
    b = write_image(tmp_path / "right" / "scan.png", seed=2)
    drop(window.drop_zone, [a, b])
    wait_result(qtbot, window, a)
    assert "left/scan.png" in window.position.text()
    window.go(1)
    wait_result(qtbot, window, b)
    assert "right/scan.png" in window.position.text()


def test_message_boxes_show_text_not_markup(qtbot, window):
    from PySide6.QtWidgets import QMessageBox

    from gui.plaintext import message_box

    box = message_box(window, QMessageBox.Icon.Warning, "x", "<h1>NO TUMOUR</h1>.png")
    assert box.textFormat() == Qt.TextFormat.PlainText


def test_report_says_the_result_on_screen_is_not_in_it(qtbot, window, tmp_path):
    """Issue 19 item 4: an unsaved result on screen is not silently left out of a report."""
    a = write_image(tmp_path / "a.png", seed=1)
    b = write_image(tmp_path / "b.png", seed=2)
    drop(window.drop_zone, [a, b])
    wait_result(qtbot, window, a)
    save_current(qtbot, window, "P-001")
    questions: list[str] = []
    window.ask = lambda title, text: questions.append(text) or False
    assert window.confirm_report() and questions == []  # what is shown is in the record
    window.go(1)
    wait_result(qtbot, window, b)
    window.patient_form.patient_id.setText("P-001")
    window.patients.lookup("P-001")  # as when the ID field loses focus
    assert window.patient_db_id is not None
    assert window.patients.unsaved_result_on_screen()
    assert window.confirm_report() is False  # the user said "not without it"
    assert "not saved" in questions[0] and "will not include it" in questions[0]
    assert window.printer.print_report() is None and len(questions) == 2  # printing asks too

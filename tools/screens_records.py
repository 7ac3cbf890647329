"""Screenshots of the patient-record screens (issue 19): first start, the form following the
image, the same-patient question, the batch window, History (grouped, voided, in words),
its context menu, the move dialog, a voided record, a referral from a non-top class, the
data help and a patient name that looks like markup.

    python tools/screens_records.py OUT_DIR [--lang id] [--offscreen]

Like tools/screenshots.py: Xvfb at 1366x768, settings and database in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.screenshots import shrink, start_xvfb  # noqa: E402

SAMPLES = ROOT / "assets" / "samples"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--offscreen", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cliniclens-records-"))
    os.environ["CLINICLENS_HOME"] = str(work / "home")
    xvfb = None if args.offscreen else start_xvfb(1366, 768)
    if xvfb is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        return take(args, work)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
        shutil.rmtree(work, ignore_errors=True)


def take(args: argparse.Namespace, work: Path) -> int:  # noqa: PLR0915 - one linear script
    from PySide6.QtCore import QEvent, QPoint, QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    from gui.main_window import MainWindow
    from gui.plaintext import message_box
    from gui.records_view import RecordDialog
    from gui.translations import apply_language

    app = QApplication.instance() or QApplication([sys.argv[0]])
    lang = apply_language(app, args.lang)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    def wait(predicate, timeout: float = 60.0, quiet: bool = False) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            if predicate():
                return True
            time.sleep(0.02)
        if not quiet:
            print("timed out waiting", file=sys.stderr)
        return False

    def shot(name: str, widget=None) -> None:
        wait(lambda: False, 0.5, quiet=True)
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            pixmap = (widget or window).grab()
        else:
            pixmap = app.primaryScreen().grabWindow(0)
        path = out / name
        pixmap.save(str(path), "PNG")
        shrink(path)
        print(path)

    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("pack", "brain-mri-tumor")
    window = MainWindow(
        settings=settings, store_path=work / "home" / "cliniclens.db", language=lang
    )
    window.setGeometry(0, 0, 1366, 768)
    window.show()
    wait(lambda: window.ready and window.first_run_dialog is not None, 30)
    d = window.first_run_dialog
    d.clinic_name.setText("Puskesmas Sukamaju")
    d.operator.setText("Ayu Lestari")
    d.move(window.geometry().center() - d.rect().center())
    shot("21-first-start.png")
    d.accept()

    brain = sorted((SAMPLES / "brain-mri-tumor").glob("*.jpg"))
    pair = work / "pair"
    for sub, src in zip(("left", "right"), brain, strict=True):
        (pair / sub).mkdir(parents=True)
        shutil.copy(src, pair / sub / "scan.jpg")
    window.add_paths([str(pair / "left" / "scan.jpg"), str(pair / "right" / "scan.jpg")])
    wait(lambda: window.frame is not None and window.frame.overlay is not None)
    form = window.patient_form
    form.patient_id.setText("P-0042")
    form.name.setText("Siti Nurhaliza")
    form.birth_date.setText("12/05/1980")
    window.save_screening()
    wait(lambda: window.patients.saved_key() in window.patients.saved)
    window.go(1)
    wait(lambda: window.frame is not None and window.frame.path.endswith("right/scan.jpg"))
    shot("22-next-image-starts-empty.png")

    def ask(title: str, text: str) -> bool:
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = message_box(window, QMessageBox.Icon.Question, title, text, yes | no)
        box.show()
        shot("23-same-patient-question.png")
        box.close()
        return False

    window.ask = ask
    form.patient_id.setText("P-0042")
    window.save_screening()

    # A batch without a patient list: same names in two folders, one refused image.
    batch = work / "batch"
    for k, sub in enumerate(("ward-a", "ward-b")):
        (batch / sub).mkdir(parents=True)
        shutil.copy(brain[k], batch / sub / "scan.jpg")
    shutil.copy(SAMPLES / "face-mask" / "with_mask.jpg", batch / "ward-b" / "photo.jpg")
    bd = window.open_batch()
    bd.resize(1000, 640)
    bd.move(window.geometry().center() - bd.rect().center())
    bd.add_sources([str(batch)])
    bd.start_button.click()
    wait(lambda: not window.batch.running)
    refused = next(i for i, r in enumerate(bd.rows) if r.outcome == "refused")
    bd.table.setCurrentCell(refused, 2)
    shot("24-batch-outcomes-detail.png")
    bd.close()

    window.tabs.setCurrentWidget(window.history)
    window.refresh_history()
    tree = window.history.tree
    for i in range(tree.topLevelItemCount()):
        tree.topLevelItem(i).setExpanded(True)
    items = window.history.screening_items()
    photo_id = int(next(it for it in items if "photo" in it.toolTip(0)).data(0, 256))
    window.records.void(
        photo_id,
        "Foto wajah, bukan MRI" if lang == "id" else "Face photo, not an MRI",
    )
    for i in range(tree.topLevelItemCount()):
        tree.topLevelItem(i).setExpanded(True)
    shot("25-history-grouped-voided.png")

    scan = next(it for it in window.history.screening_items() if "ward-a" in it.toolTip(0))
    menu = window.history.menu_for(scan)
    rect = tree.visualItemRect(scan)
    menu.popup(tree.viewport().mapToGlobal(QPoint(rect.left() + 80, rect.center().y())))
    shot("26-history-menu.png")
    menu.close()

    rec = window.store.get_screening(int(scan.data(0, 256)))
    window.records.assign(rec.id, "P-0042")
    rec = window.store.get_screening(rec.id)
    dialog = RecordDialog(
        window.tr("Move to another patient"),
        window.records.tr(
            "Screening #{id} belongs to {patient}. Moving it is recorded with the reason; "
            "reports printed before still name {patient}."
        ).format(id=rec.id, patient=rec.patient_code),
        ask_patient=True,
        need_reason=True,
        parent=window,
    )
    dialog.patient.setText("P-0043")
    dialog.reason.setText("Salah pilih pasien" if lang == "id" else "Wrong patient picked")
    dialog.show()
    dialog.move(window.geometry().center() - dialog.rect().center())
    shot("27-move-dialog.png")
    dialog.close()

    window.open_record(photo_id)
    shot("28-voided-record.png")

    window.clear_queue()
    window.tabs.setCurrentWidget(window.patient_form)
    window.pack_chooser.set_catalog(window.session.catalog, "palm-anemia", window.language)
    window.select_pack("palm-anemia")
    window.add_paths([str(SAMPLES / "palm-anemia" / "non_anemic.jpg")])
    wait(lambda: window.frame is not None and window.frame.overlay is not None)
    shot("29-referral-first.png")

    window.patient_form.patient_id.setText("P-<b>7</b>")
    window.patient_form.name.setText("<h1>NO TUMOUR</h1>")
    window.save_screening()
    wait(lambda: window.patients.saved_key() in window.patients.saved)
    window.tabs.setCurrentWidget(window.history)
    window.clear_queue()
    window.open_record(int(window.history.screening_items()[0].data(0, 256)))
    shot("30-markup-name-as-text.png")

    help_dialog = window.show_data_help()
    help_dialog.move(window.geometry().center() - help_dialog.rect().center())
    shot("31-where-is-my-data.png")
    help_dialog.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

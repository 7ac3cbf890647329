"""Screenshots of the desktop app's main states, on a virtual screen (Xvfb) at 1366x768.

    python tools/screenshots.py OUT_DIR [--pack brain-mri-tumor] [--samples DIR]
                                        [--size 1366x768] [--offscreen] [--lang id]

Starts Xvfb (``apt-get install xvfb``) unless ``--offscreen`` or a DISPLAY is given with
``--use-display``; settings, the patient database and pasted files go to a temporary folder,
so the user's own data is never touched. Writes 01-empty.png ... and prints each path.
Screenshots over 300 KB are re-saved with a 256-colour palette (they go in the repository).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def start_xvfb(width: int, height: int) -> subprocess.Popen | None:
    exe = shutil.which("Xvfb")
    if exe is None:
        return None
    for display in range(91, 120):
        if Path(f"/tmp/.X11-unix/X{display}").exists():
            continue
        proc = subprocess.Popen(
            [exe, f":{display}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{display}").exists():
                os.environ["DISPLAY"] = f":{display}"
                os.environ["QT_QPA_PLATFORM"] = "xcb"
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
    return None


MAX_BYTES = 300 * 1024


def shrink(path: Path) -> None:
    """Keep a screenshot under MAX_BYTES: a 256-colour palette is plenty for a UI."""
    if path.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def write_dicom(path: Path, source: Path, frames: int = 3) -> Path:
    """A multi-frame 16-bit MR DICOM made from a sample image, with a patient header."""
    import numpy as np
    from PIL import Image
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    gray = np.asarray(Image.open(source).convert("L"), dtype=np.uint16) * 16
    stack = np.stack(
        [np.clip(gray * (1.0 - 0.1 * i), 0, 4095).astype(np.uint16) for i in range(frames)]
    )
    sop = "1.2.840.10008.5.1.4.1.1.7"
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = sop
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID = sop, ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "MR"
    ds.PatientID, ds.PatientName, ds.PatientSex = "RSUD-0193", "Wulandari^Dewi", "F"
    ds.PatientBirthDate, ds.StudyDate = "19710822", "20250314"
    ds.Rows, ds.Columns = gray.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.NumberOfFrames = frames
    ds.PixelData = stack.tobytes()
    ds["PixelData"].VR = "OW"
    ds.save_as(path, enforce_file_format=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNG screenshots")
    parser.add_argument("--pack", default="brain-mri-tumor", help="screening type to show")
    parser.add_argument("--samples", type=Path, default=None, help="sample images folder")
    parser.add_argument("--size", default="1366x768", help="screen size WIDTHxHEIGHT")
    parser.add_argument("--offscreen", action="store_true", help="no Xvfb: render offscreen")
    parser.add_argument("--use-display", action="store_true", help="use the current DISPLAY")
    parser.add_argument("--lang", default="en", help="interface language (en, id)")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    work = Path(tempfile.mkdtemp(prefix="cliniclens-shots-"))
    os.environ["CLINICLENS_HOME"] = str(work / "home")
    xvfb = None
    if args.offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not args.use_display:
        xvfb = start_xvfb(width, height)
        if xvfb is None:
            print("Xvfb is not available; rendering offscreen instead", file=sys.stderr)
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        return take(args, width, height, work)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
        shutil.rmtree(work, ignore_errors=True)


def take(args: argparse.Namespace, width: int, height: int, work: Path) -> int:
    from PySide6.QtCore import QEvent, QSettings
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow
    from gui.translations import apply_language

    app = QApplication.instance() or QApplication([sys.argv[0]])
    lang = apply_language(app, args.lang)
    indonesian = lang == "id"
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    samples = args.samples or ROOT / "assets" / "samples" / args.pack
    images = sorted(p for p in samples.glob("*") if p.suffix.lower() in {".jpg", ".png", ".jpeg"})
    if not images:
        print(f"no sample images in {samples}", file=sys.stderr)
        return 2

    def wait(predicate: Callable[[], bool], timeout: float = 60.0, quiet: bool = False) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            # no app.exec() here: deleteLater() would otherwise wait for ever
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            if predicate():
                return True
            time.sleep(0.02)
        if not quiet:
            print("timed out waiting", file=sys.stderr)
        return False

    def settle(seconds: float = 0.4) -> None:
        wait(lambda: False, seconds, quiet=True)

    def shot(name: str, widget=None) -> None:
        settle()
        target = widget or window
        screen = app.primaryScreen()
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            pixmap = target.grab()
        elif widget is None:
            pixmap = screen.grabWindow(0)  # the whole virtual screen, as a user sees it
        else:
            pixmap = screen.grabWindow(0, *widget.frameGeometry().getRect())
        path = out / name
        pixmap.save(str(path), "PNG")
        shrink(path)
        print(path, f"{path.stat().st_size // 1024} KB")

    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("pack", args.pack)
    settings.setValue("first_run/asked", True)  # the first-start question: screens_records.py
    window = MainWindow(
        settings=settings, store_path=work / "home" / "cliniclens.db", language=lang
    )
    screen = app.primaryScreen().geometry()  # logical pixels (QT_SCALE_FACTOR, high DPI)
    window.setGeometry(0, 0, min(width, screen.width()), min(height, screen.height()))
    window.show()
    wait(lambda: window.ready)
    shot("01-empty.png")

    window.add_paths([str(p) for p in images])
    wait(lambda: window.frame is not None and window.frame.overlay is not None)
    shot("02-result-heatmap.png")

    window.viewer.controls.side_by_side.setChecked(True)
    wait(lambda: window.viewer.view.secondary.isVisible())
    shot("03-side-by-side.png")
    window.viewer.controls.side_by_side.setChecked(False)

    # A colour photograph is not an MRI: the app must refuse to answer.
    photo = next(iter(sorted((ROOT / "assets" / "samples").glob("face-mask/*.jpg"))), None)
    broken = work / "broken-scan.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    odd = photo if photo is not None else broken
    window.add_paths([str(odd)])
    wait(
        lambda: (
            window.result_panel.summary is not None
            and window.result_panel.summary.source == str(odd)
        )
    )
    shot("04-warning.png")

    window.go(-(window.session.index))
    wait(lambda: window.frame is not None and window.frame.path == window.session.queue[0])
    form = window.patient_form
    form.patient_id.setText("P-0042")
    form.name.setText("Siti Nurhaliza")
    form.sex.setCurrentIndex(form.sex.findData("F"))
    form.birth_date.setText("1978-04-12")
    form.notes.setPlainText(
        "Sakit kepala selama 3 bulan; dirujuk oleh bidan desa."
        if indonesian
        else "Headaches for 3 months; referred by the village midwife."
    )
    window.save_screening()
    wait(lambda: window.history.count() >= 1)
    shot("05-patient-saved.png")

    window.tabs.setCurrentWidget(window.history)
    window.clear_queue()
    window.open_record(int(window.history.screening_items()[0].data(0, 256)))
    shot("06-history-entry.png")

    from gui.packs_panel import PackInfoDialog, pack_html

    dialog = PackInfoDialog(
        pack_html(window.session.pack, window.session.catalog, window.language, window.tr), window
    )
    dialog.show()
    dialog.move(window.geometry().center() - dialog.rect().center())
    shot("07-pack-info.png")
    dialog.close()

    # Settings, with a clinic logo and the language note showing.
    logo = work / "logo.png"
    from PIL import Image, ImageDraw

    mark = Image.new("RGB", (180, 60), (255, 255, 255))
    ImageDraw.Draw(mark).rectangle((4, 4, 56, 56), fill=(24, 110, 160))
    ImageDraw.Draw(mark).text((66, 22), "Puskesmas", fill=(24, 60, 90))
    mark.save(logo)
    window.open_settings()
    sd = window.settings_dialog
    sd.clinic_name.setText("Puskesmas Sukamaju")
    sd.clinic_address.setText("Jl. Merdeka 12, Bandung")
    sd.logo.setText(str(logo))
    sd.operator.setText("Perawat Ayu Lestari" if indonesian else "Nurse Ayu Lestari")
    sd.identifiers.setCurrentIndex(sd.identifiers.findData("pseudonymise"))
    sd.language.setCurrentIndex(max(0, sd.language.count() - 1))
    sd.adjustSize()
    sd.move(window.geometry().center() - sd.rect().center())
    shot("08-settings.png")
    sd.accept()

    # Batch: a folder per patient, a broken file, paused mid-job, then finished.
    clinic = work / "clinic"
    for patient in ("P-0101", "P-0102", "P-0103", "P-0104"):
        (clinic / patient).mkdir(parents=True)
        for k, image in enumerate(images * 2):
            shutil.copy(image, clinic / patient / f"scan-{k + 1}{image.suffix}")
    (clinic / "P-0101" / "scan-5.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    if photo is not None:  # not an MRI: a "no answer" row
        shutil.copy(photo, clinic / "P-0101" / "scan-6.jpg")
    bd = window.open_batch()
    bd.resize(min(1000, window.width() - 80), min(640, window.height() - 80))
    bd.move(window.geometry().center() - bd.rect().center())
    bd.add_sources([str(clinic)])
    bd.patients.setCurrentIndex(bd.patients.findData("folder"))
    progressed = []
    window.batch.progressed.connect(lambda p: progressed.append(p))
    bd.start_button.click()
    wait(lambda: len(progressed) >= 6)
    bd.pause_button.setChecked(True)
    wait(lambda: window.store.get_job(window.batch.job_id).state == "paused", 10)
    shot("09-batch-paused.png")
    bd.pause_button.setChecked(False)
    wait(lambda: not window.batch.running)
    shot("10-batch-done.png")
    bd.close()

    # DICOM: the header fills the patient form (to be confirmed); three frames to choose.
    window.clear_queue()
    window.patient_form.fill("", "", "", "", "")
    dcm = write_dicom(work / "MR-0193.dcm", images[0])
    window.add_paths([str(dcm)])
    wait(
        lambda: (
            window.frame is not None
            and window.frame.path == str(dcm)
            and window.dicom_bar.isVisible()
            and window.patient_form.dicom_unconfirmed
        )
    )
    window.tabs.setCurrentWidget(window.patient_form)
    shot("11-dicom-prefill.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

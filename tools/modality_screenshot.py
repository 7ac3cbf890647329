"""Screenshot of a wrong-modality drop: a chest X-ray on the brain MRI type, with the offer to
switch (gui/modality_offer.py). Run under a virtual screen:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/modality_screenshot.py OUT_DIR [--lang id]

Settings and the patient database go to a temporary folder; prints the path it wrote.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
XRAY = ROOT.parent / "shared" / "datasets" / "chest_xray" / "val" / "normal" / "00012.jpg"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--lang", default="en")
    ap.add_argument("--image", type=Path, default=XRAY)
    ap.add_argument("--pack", default="brain-mri-tumor")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cliniclens-shot-"))
    os.environ["CLINICLENS_HOME"] = str(tmp / "home")
    os.environ["CLINICLENS_MODELS"] = ""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow
    from gui.translations import apply_language
    from inference.resources import resource_path

    app = QApplication.instance() or QApplication([])
    apply_language(app, args.lang)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("first_run/asked", True)
    settings.setValue("pack", args.pack)
    window = MainWindow(
        settings=settings,
        store_path=tmp / "store" / "cliniclens.db",
        model_dirs=[resource_path("models")],
        language=args.lang,
    )
    window.resize(1366, 768)
    window.show()

    def wait(predicate, ms: int = 60000) -> None:
        loop, timer = QEventLoop(), QTimer()
        timer.timeout.connect(lambda: predicate() and loop.quit())
        timer.start(50)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        timer.stop()
        if not predicate():
            raise SystemExit("timed out waiting for the window")

    wait(lambda: window.ready)
    image = tmp / args.image.name
    shutil.copy(args.image, image)
    window.add_paths([str(image)])
    wait(
        lambda: (
            getattr(window, "modality_offer", None) is not None
            and window.modality_offer.isVisible()
        )
    )
    wait(lambda: window.frame is not None)  # the image drawn
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"wrong-modality-offer-{args.lang}.png"
    window.grab().save(str(path))
    print(path)
    window.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

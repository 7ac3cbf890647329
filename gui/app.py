"""Entry point: ``cliniclens`` (no command) and ``python -m gui.app`` start here.

Only PySide6 and the window's own light modules load before the window is shown;
numpy and onnxruntime are imported by a worker afterwards.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from inference.resources import resource_path

from .main_window import APP, ORG, MainWindow
from .translations import apply_language


def configured_language() -> str:
    """The language chosen in the clinic settings ("" = system default)."""
    try:
        from screening.settings import load_settings

        return load_settings().language
    except Exception:  # noqa: BLE001 - settings never stop the app from starting
        return ""


def main(argv: Sequence[str] | None = None, language: str | None = None) -> int:
    """Run the app; ``language`` ("en", "id", "" = system) overrides the clinic settings."""
    args = list(sys.argv if argv is None else [sys.argv[0] if sys.argv else "cliniclens", *argv])
    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    QApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication.instance() or QApplication(args)
    app.setWindowIcon(QIcon(str(resource_path("assets", "icons", "cliniclens.png"))))
    # Before any widget exists: every tr() call then finds the translator.
    language = apply_language(app, configured_language() if language is None else language)
    window = MainWindow(language=language)
    window.show()
    quit_after = os.environ.get("CLINICLENS_QUIT_AFTER_MS", "").strip()
    if quit_after:
        try:
            QTimer.singleShot(max(0, int(quit_after)), window.close)
        except ValueError:
            pass
    code = app.exec()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())

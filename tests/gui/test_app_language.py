"""`cliniclens` starts in the language of the clinic settings ("" = the system's)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

import gui.app
from gui import translations
from screening.settings import ClinicSettings, save_settings


def test_app_starts_in_the_settings_language(qapp, monkeypatch):
    seen = {}

    class FakeWindow(QWidget):
        def __init__(self, language=None):
            super().__init__()
            seen["language"] = language
            seen["file_menu"] = QCoreApplication.translate("MainWindow", "&File")

    monkeypatch.setattr(gui.app, "MainWindow", FakeWindow)
    monkeypatch.setenv("CLINICLENS_QUIT_AFTER_MS", "0")
    try:
        save_settings(ClinicSettings(language="id"))
        assert gui.app.configured_language() == "id"
        assert gui.app.main([]) == 0
        assert seen == {"language": "id", "file_menu": "&Berkas"}

        save_settings(ClinicSettings(language="en"))
        assert gui.app.main([]) == 0
        assert seen == {"language": "en", "file_menu": "&File"}

        # `cliniclens --lang id` wins over the settings for that run
        import launcher

        assert launcher.main(["--lang", "id"]) == 0
        assert seen["language"] == "id"
        assert launcher.main(["gui"]) == 0
        assert seen["language"] == "en"

        # "System default": whatever the system's language resolves to
        monkeypatch.setattr(translations, "system_language", lambda: "id")
        save_settings(ClinicSettings(language=""))
        assert gui.app.main([]) == 0
        assert seen["language"] == "id"
    finally:
        translations.apply_language(qapp, "en")

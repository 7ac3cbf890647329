"""Change the language without restarting ClinicLens: the translators are swapped and the
main window is built again (every label goes through tr() when it is created), with the
same settings, database and image list. Not while a batch runs: that one finishes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from .main_window import MainWindow

_alive: list[MainWindow] = []  # the new window lives as long as the app, like the first


def switch_language(window: MainWindow, setting: str) -> MainWindow | None:
    """Reopen ``window`` in the language ``setting`` ("" = the system's); None when a batch
    is running (the caller says the language applies at the next start)."""
    from . import translations
    from .main_window import MainWindow

    if window.batch.running:
        return None
    app = QApplication.instance()
    language = translations.apply_language(app, setting)
    paths = list(window.session.queue)
    window._save_settings()
    new = MainWindow(
        settings=window.settings,
        store_path=window._store_path,
        model_dirs=window._model_dirs,
        language=language,
    )
    new.setGeometry(window.geometry())
    new.show()
    _alive.append(new)
    window.replaced_by = new
    window.close()
    if window in _alive:
        _alive.remove(window)
    if paths:
        new.add_paths(paths)  # kept until its screening types are found
    return new

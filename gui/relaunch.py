"""Change the language without restarting ClinicLens: the translators are swapped and the
main window is built again (every label goes through tr() when it is created), with the
same settings, database and image list. Not while a batch runs: that one finishes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from .batch import BatchController
    from .session import Session


class Reopenable(Protocol):
    """What a language switch uses of the main window (gui.main_window is not imported:
    the window builds its successor itself, ``reopened``)."""

    batch: BatchController
    session: Session
    replaced_by: Reopenable | None

    def reopened(self, language: str) -> Reopenable: ...
    def geometry(self) -> QRect: ...
    def setGeometry(self, rect: QRect) -> None: ...  # noqa: N802 - Qt API
    def show(self) -> None: ...
    def close(self) -> bool: ...
    def add_paths(self, paths: list[str]) -> None: ...


_alive: list[Reopenable] = []  # the new window lives as long as the app, like the first


def switch_language(window: Reopenable, setting: str) -> Reopenable | None:
    """Reopen ``window`` in the language ``setting`` ("" = the system's); None when a batch
    is running (the caller says the language applies at the next start)."""
    from . import translations

    if window.batch.running:
        return None
    app = QApplication.instance()
    language = translations.apply_language(app, setting)
    paths = list(window.session.queue)
    new = window.reopened(language)
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

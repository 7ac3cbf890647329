"""User- and file-provided text is shown as text, never as markup.

Qt guesses: a QLabel, a tooltip or a message box whose text looks like HTML is rendered as
HTML, so a patient named ``<h1>NO TUMOUR</h1>`` or a file name with tags would be shown as
a heading. Labels that show such text are set to plain text; tooltips (which have no
format setting) are escaped and wrapped, so they are rich text whose content is literal.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain(*labels: QLabel) -> None:
    """Never interpret these labels' text as markup."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally (line breaks kept)."""
    if not text:
        return ""
    return '<p style="white-space:pre-wrap">' + html.escape(text) + "</p>"


def message_box(parent, icon, title: str, text: str, buttons=None):
    """A QMessageBox whose text is never interpreted as markup (file names, pack names)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(icon, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if buttons is not None:
        box.setStandardButtons(buttons)
    return box

"""The notice under the screening type chooser: what staff must know about the chosen pack
before and during every screening with it, shown for as long as it applies (no close
button): a weak pack's warning (screening.pack_warnings, issue 16) and a site calibration
that is skipped because it is stale or damaged (screening.site.active, issue 18).

The weak-pack sentence comes from screening (the same words and numbers as the command
line and the PDF report); only the site advice is the app's own text.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QWidget

from .plaintext import plain
from .result_panel import WARN_STYLE

translate = QCoreApplication.translate


def site_text(reason: str) -> str:
    """Why the site calibration is skipped (the profile's English reason, kept as a
    detail) and what to do about it."""
    return translate(
        "PackNotice",
        "This screening type's site calibration is not used: screenings use the shipped "
        "calibration. Re-run File → Settings… → Site calibration… with your clinic's "
        "labelled images, or revert to the shipped calibration there. Reason: {reason}",
    ).format(reason=reason)


class PackNotice(QLabel):
    """A warning strip; hidden while nothing applies to the chosen pack."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pack_notice")
        self.setWordWrap(True)
        self.setStyleSheet(WARN_STYLE)
        plain(self)  # the site reason names files and versions: never markup
        self.weak = ""
        self.site = ""
        self.hide()

    def set_weak(self, text: str) -> None:
        """The weak-pack warning of the chosen pack ("" for a pack fit for routine use)."""
        self.weak = text
        self._update()

    def set_site(self, reason: str) -> None:
        """Why the chosen pack's site calibration is skipped ("" when it is used or none)."""
        self.site = reason
        self._update()

    def _update(self) -> None:
        lines = []
        if self.weak:
            lines.append("⚠ " + self.weak)
        if self.site:
            lines.append("⚠ " + site_text(self.site))
        self.setText("\n".join(lines))
        self.setVisible(bool(lines))

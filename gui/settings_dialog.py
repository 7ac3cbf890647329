"""Clinic settings: clinic name and logo, operator, paper, privacy, language.

The values live in ``screening.settings`` (one JSON file shared with the CLI), so a report
printed from the app and one from ``cliniclens report`` look the same. The dialog only edits
a ``ClinicSettings`` value; the window saves it. A new language takes effect at next start.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from screening.settings import ClinicSettings

# Language names are written in their own language: a user who cannot read the current
# interface language must still find theirs.
LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}
IDENTIFIER_MODES = ("show", "omit", "pseudonymise")


def language_label(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


class SettingsDialog(QDialog):
    """Edits a ClinicSettings. ``values()`` gives the edited copy (unknown fields kept)."""

    def __init__(
        self,
        settings: ClinicSettings,
        languages: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._original = settings

        self.clinic_name = QLineEdit(settings.clinic_name)
        self.clinic_name.setPlaceholderText(self.tr("Printed at the top of every report"))
        self.clinic_address = QLineEdit(settings.clinic_address)
        self.logo = QLineEdit(settings.clinic_logo)
        self.logo.setPlaceholderText(self.tr("No logo"))
        self.logo_button = QPushButton(self.tr("Choose…"))
        self.logo_clear = QPushButton(self.tr("Remove"))
        self.logo_preview = QLabel()
        self.logo_preview.setFixedHeight(40)
        self.operator = QLineEdit(settings.operator)
        self.operator.setPlaceholderText(self.tr("Name of the health worker using this computer"))
        self.paper = QComboBox()
        self.paper.addItem(self.tr("A4"), "a4")
        self.paper.addItem(self.tr("Letter (US)"), "letter")
        self.paper.setCurrentIndex(max(0, self.paper.findData(settings.paper.lower())))

        self.names_on_reports = QCheckBox(self.tr("Print patient names on reports"))
        self.names_on_reports.setChecked(settings.names_on_reports)
        self.names_in_filenames = QCheckBox(self.tr("Put patient names in report file names"))
        self.names_in_filenames.setChecked(settings.names_in_filenames)
        self.identifiers = QComboBox()
        self.identifiers.addItem(self.tr("Show them"), "show")
        self.identifiers.addItem(self.tr("Leave them out"), "omit")
        self.identifiers.addItem(self.tr("Replace them with a pseudonym"), "pseudonymise")
        mode = (
            settings.report_identifiers if settings.report_identifiers in IDENTIFIER_MODES else ""
        )
        self.identifiers.setCurrentIndex(max(0, self.identifiers.findData(mode or "show")))
        self.identifiers.setToolTip(
            self.tr(
                "Patient ID, name and date of birth on reports, e.g. those read from DICOM files"
            )
        )

        self.language = QComboBox()
        self.language.addItem(self.tr("System default"), "")
        for code in languages:
            self.language.addItem(language_label(code), code)
        index = self.language.findData(settings.language)
        self.language.setCurrentIndex(index if index >= 0 else 0)
        self.language_note = QLabel(
            self.tr("The window reopens in the new language when you press OK.")
        )
        self.language_note.setWordWrap(True)
        self.language_note.setStyleSheet("QLabel { color: #8a5a00; }")
        self.language_note.setVisible(False)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("QLabel { color: #a61b1b; }")
        self.error.hide()

        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo, 1)
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.logo_clear)

        clinic = QGroupBox(self.tr("Clinic and reports"))
        form = QFormLayout(clinic)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.tr("Clinic name"), self.clinic_name)
        form.addRow(self.tr("Address"), self.clinic_address)
        form.addRow(self.tr("Logo"), logo_row)
        form.addRow("", self.logo_preview)
        form.addRow(self.tr("Operator"), self.operator)
        form.addRow(self.tr("Paper size"), self.paper)

        privacy = QGroupBox(self.tr("Privacy"))
        pform = QFormLayout(privacy)
        pform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        pform.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        pform.addRow(self.names_on_reports)
        pform.addRow(self.names_in_filenames)
        pform.addRow(self.tr("Patient identifiers on reports"), self.identifiers)

        language_box = QGroupBox(self.tr("Language"))
        lform = QFormLayout(language_box)
        lform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lform.addRow(self.tr("Interface and reports"), self.language)
        lform.addRow(self.language_note)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(clinic)
        layout.addWidget(privacy)
        layout.addWidget(language_box)
        # Settings -> Site calibration (gui/site_wizard.py)
        self.site_button = QPushButton(self.tr("Site calibration…"))
        self.site_button.clicked.connect(self._site_calibration)
        layout.addWidget(self.site_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.logo_button.clicked.connect(self._choose_logo)
        self.logo_clear.clicked.connect(lambda: self.logo.setText(""))
        self.logo.textChanged.connect(self._logo_changed)
        self.language.currentIndexChanged.connect(self._language_changed)
        self._logo_changed(self.logo.text())

    def _site_calibration(self) -> None:
        from .site_wizard import SiteCalibrationDialog

        SiteCalibrationDialog(self.operator.text().strip(), self).exec()

    # ------------------------------------------------------------------------------------
    @property
    def language_changed(self) -> bool:
        return (self.language.currentData() or "") != (self._original.language or "")

    def _language_changed(self, _: int) -> None:
        self.language_note.setVisible(self.language_changed)

    def _choose_logo(self) -> None:
        start = self.logo.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Clinic logo"), start, self.tr("Images (*.png *.jpg *.jpeg)")
        )
        if path:
            self.logo.setText(path)

    def logo_problem(self) -> str:
        """Why the logo cannot be used ("" when it can, or when there is none)."""
        text = self.logo.text().strip()
        if not text:
            return ""
        path = Path(text)
        if not path.is_file():
            return self.tr("The logo file {path} does not exist.").format(path=text)
        reader = QImageReader(str(path))
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg") or not reader.canRead():
            return self.tr("The logo must be a PNG or JPEG image.")
        return ""

    def _logo_changed(self, _: str) -> None:
        problem = self.logo_problem()
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
        self.logo_preview.clear()
        text = self.logo.text().strip()
        if text and not problem:
            from PySide6.QtGui import QPixmap

            pixmap = QPixmap(text)
            if not pixmap.isNull():
                self.logo_preview.setPixmap(
                    pixmap.scaledToHeight(40, Qt.TransformationMode.SmoothTransformation)
                )

    def values(self) -> ClinicSettings:
        mode = self.identifiers.currentData() or "show"
        secret = self._original.pseudonym_secret
        if mode == "pseudonymise" and not secret:
            secret = secrets.token_hex(16)  # per installation: pseudonyms stay stable
        return replace(
            self._original,
            clinic_name=self.clinic_name.text().strip(),
            clinic_address=self.clinic_address.text().strip(),
            clinic_logo=self.logo.text().strip(),
            operator=self.operator.text().strip(),
            paper=self.paper.currentData() or "a4",
            names_on_reports=self.names_on_reports.isChecked(),
            names_in_filenames=self.names_in_filenames.isChecked(),
            report_identifiers=mode,
            pseudonym_secret=secret,
            language=self.language.currentData() or "",
        )

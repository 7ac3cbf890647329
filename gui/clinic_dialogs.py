"""Two small dialogs a clinic needs on day one: the first-start question (clinic name and
operator, skippable) and "Where is my data?" (folders and how to back them up)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .plaintext import plain

FIRST_RUN_KEY = "first_run/asked"


def first_start(settings_file: Path, asked: bool) -> bool:
    """Ask on a first start: no clinic settings saved yet and never asked on this computer."""
    return not asked and not settings_file.exists()


class FirstRunDialog(QDialog):
    """Clinic name and operator for reports and the audit trail; Skip leaves them empty."""

    def __init__(self, clinic_name: str = "", operator: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to ClinicLens"))
        intro = QLabel(
            self.tr(
                "The clinic name is printed on reports; the operator is who screens, kept "
                "with every screening in the audit trail. You can change both later in "
                "File → Settings."
            )
        )
        intro.setWordWrap(True)
        plain(intro)
        self.clinic_name = QLineEdit(clinic_name)
        self.clinic_name.setPlaceholderText(self.tr("e.g. Puskesmas Sukamaju"))
        self.operator = QLineEdit(operator)
        self.operator.setPlaceholderText(self.tr("Your name"))
        form = QFormLayout()
        form.addRow(self.tr("Clinic name"), self.clinic_name)
        form.addRow(self.tr("Operator"), self.operator)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save)
        self.skip_button = buttons.addButton(
            self.tr("Skip"), QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, str]:
        return self.clinic_name.text().strip(), self.operator.text().strip()


class DataHelpDialog(QDialog):
    """Where the patient database, settings, packs and reports are, and how to back up."""

    def __init__(self, data_dir: Path, reports_dir: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Where is my data?"))
        self.data_dir = data_dir
        lines = [
            self.tr("Patient database, settings and added screening types:"),
            f"    {data_dir}",
            self.tr("Reports and exports: where you saved them, last in:"),
            "    " + (reports_dir or self.tr("(none saved yet)")),
            "",
            self.tr("Back up"),
            self.tr(
                "1. Close ClinicLens (a copy made while it writes may be incomplete).\n"
                "2. Copy the whole folder above to a USB drive or another computer.\n"
                "3. Keep the copy somewhere safe: it holds patient data.\n"
                "To restore, close ClinicLens and copy the folder back to the same place."
            ),
            "",
            self.tr("Nothing is sent over the network: all data stays on this computer."),
        ]
        self.text = QLabel("\n".join(lines))
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        plain(self.text)
        open_button = QPushButton(self.tr("Open the data folder"))
        open_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(560, 320)


def ask_first_start(window) -> FirstRunDialog | None:
    """On a first start, ask for the clinic name and operator (non-blocking; Skip is fine).
    Answered or skipped, it is not asked again on this computer."""
    from screening.settings import ClinicSettings, settings_path

    asked = str(window.settings.value(FIRST_RUN_KEY, "")).lower() in ("true", "1")
    if not first_start(settings_path(), asked):
        return None
    window.settings.setValue(FIRST_RUN_KEY, True)
    clinic = window.clinic or ClinicSettings()
    dialog = FirstRunDialog(clinic.clinic_name, clinic.operator, window)

    def save() -> None:
        from dataclasses import replace

        name, operator = dialog.values()
        window.apply_settings(replace(clinic, clinic_name=name, operator=operator))

    dialog.accepted.connect(save)
    window.first_run_dialog = dialog
    dialog.open()
    return dialog

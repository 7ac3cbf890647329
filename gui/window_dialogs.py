"""The main window's small dialogs: a screening type's information, where the data is,
About, and the clinic settings (open; apply: saved for the GUI and the CLI alike, and a new
language reopens the window in it).

Why a module of its own: the window keeps only layout and menus. What these need from the
window is named in ``DialogHost`` (no import of gui.main_window, so no import circle).
Strings keep their "MainWindow" translation context, so the catalogue needs no new entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from .clinic_dialogs import DataHelpDialog
from .packs_panel import PackInfoDialog, pack_html

if TYPE_CHECKING:
    from screening.settings import ClinicSettings

    from .batch import BatchController
    from .session import Session
    from .settings_dialog import SettingsDialog

translate = QCoreApplication.translate


class DialogHost(Protocol):
    """What the dialogs use of the main window."""

    session: Session
    settings: QSettings
    batch: BatchController
    settings_dialog: SettingsDialog | None

    @property
    def operator(self) -> str: ...
    def window(self) -> QWidget: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt API
    def failed(self, message: str) -> None: ...
    def apply_settings(self, clinic: ClinicSettings) -> bool: ...
    def relaunch(self, language: str) -> None: ...


def show_pack_info(host: DialogHost) -> None:
    session = host.session
    if session.catalog is None:
        return
    html = pack_html(session.pack, session.catalog, session.language)
    PackInfoDialog(html, host.window()).exec()


def show_data_help(host: DialogHost) -> DataHelpDialog:
    from inference.resources import user_data_dir

    last_reports = str(host.settings.value("last_report_folder", ""))
    dialog = DataHelpDialog(user_data_dir(), last_reports, host.window())
    dialog.open()
    return dialog


def show_about(host: DialogHost) -> None:
    import inference

    QMessageBox.about(
        host.window(),
        translate("MainWindow", "About ClinicLens"),
        translate(
            "MainWindow",
            "<h3>ClinicLens {version}</h3><p>Offline screening aid for clinics: small "
            "image classifiers with heatmaps, patient records and PDF reports.</p>"
            "<p><b>Screening aid — not a diagnosis.</b> Every result must be reviewed "
            "by a qualified health worker.</p>",
        ).format(version=inference.__version__),
    )


def open_settings(host: DialogHost) -> SettingsDialog:
    from screening.settings import ClinicSettings, load_settings

    from .settings_dialog import SettingsDialog

    session = host.session
    if session.clinic is None:
        try:
            session.clinic = load_settings()
        except Exception:  # noqa: BLE001 - a damaged file gives defaults
            session.clinic = ClinicSettings()
    dialog = SettingsDialog(session.clinic, session.languages or ["en"], host.window())
    dialog.accepted.connect(lambda: host.apply_settings(dialog.values()))
    host.settings_dialog = dialog
    dialog.open()
    return dialog


def apply_settings(host: DialogHost, clinic: ClinicSettings) -> bool:
    """Save the clinic settings (shared with the CLI); a new language reopens the window
    in it (gui.relaunch), or applies at the next start while a batch runs."""
    from screening.settings import save_settings

    session = host.session
    before = session.clinic.language if session.clinic is not None else ""
    language_changed = clinic.language != before
    try:
        save_settings(clinic)
    except Exception as exc:  # noqa: BLE001 - shown, the old settings stay
        host.failed(getattr(exc, "message", None) or str(exc))
        return False
    session.clinic = clinic
    host.batch.operator = host.operator
    message = translate("MainWindow", "Settings saved.")
    if language_changed:
        if not host.batch.running:
            host.relaunch(clinic.language)
            return True
        message += " " + translate("MainWindow", "Restart ClinicLens to change the language.")
    host.statusBar().showMessage(message, 10000)
    return True

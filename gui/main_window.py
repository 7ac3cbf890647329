"""The main window: wires widgets to the Session and runs all slow work in the pool.

Startup does no model loading: packs are discovered (and heavy modules imported) in a
worker right after the window is shown; ONNX sessions are created on the first screening.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from . import presenter, window_dialogs
from .batch import BatchController
from .batch_flow import BatchFlow
from .clinic_dialogs import DataHelpDialog, ask_first_start
from .dropzone import DropZone
from .heatmap_view import HeatmapViewer
from .history_panel import HistoryList
from .image_flow import ImageFlow
from .pack_notice import PackNotice
from .packs_panel import PackChooser
from .patient_flow import PatientFlow
from .patient_panel import PatientForm
from .plaintext import message_box, plain
from .printing import ReportPrinter
from .records_view import RecordsView
from .result_panel import ResultPanel
from .session import InSession, Session
from .startup import Startup, load_startup
from .tasks import PoolTask, TaskRunner
from .viewer_flow import ViewerFlow

if TYPE_CHECKING:
    from inference.packs import PackCatalog
    from screening.settings import ClinicSettings

ORG = "ClinicLens"
APP = "ClinicLens"


class MainWindow(QMainWindow):
    store = InSession()
    store_error = InSession()
    clinic = InSession()
    language = InSession()
    languages = InSession()
    record = InSession()  # history entry being shown
    picture = InSession()  # what the viewer shows (gui.session.Picture)
    frame = InSession("picture")  # its former name, still read by tools/screenshots.py
    patient_db_id = InSession()

    def __init__(
        self,
        *,
        settings: QSettings | None = None,
        store_path: Path | str | None = None,
        model_dirs: list[Path] | None = None,
        language: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings if settings is not None else QSettings(ORG, APP)
        self.session = Session()
        self.runner = TaskRunner(self)
        self.language = language or "en"
        self._fixed_language = language is not None
        self._store_path = store_path
        self._model_dirs = model_dirs
        self.ready = False
        self.batch = BatchController(self.runner, self.session, self)
        self.batch_flow = BatchFlow(self, self.batch, self)
        self.settings_dialog = None

        self.setWindowTitle(self.tr("ClinicLens — screening aid"))
        self._build()
        self.pictures = ViewerFlow(self, self)
        self.images = ImageFlow(self, self.pictures, self)
        self._connect()
        self.patients = PatientFlow(self)
        self.records = RecordsView(self)
        self.printer = ReportPrinter(self)
        self.first_run_dialog = None
        self.replaced_by: MainWindow | None = None  # after a language change (gui.relaunch)
        self._build_menus()
        self._restore()
        QTimer.singleShot(0, self._start_up)

    # -- Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.pack_chooser = PackChooser()
        self.pack_notice = PackNotice()  # weak pack, skipped site calibration (issues 16, 18)
        self.drop_zone = DropZone()
        self.viewer = HeatmapViewer()
        self.result_panel = ResultPanel()
        self.patient_form = PatientForm()
        self.history = HistoryList()

        self.prev_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        self.prev_button.setToolTip(self.tr("Previous image (Page Up)"))
        self.next_button.setToolTip(self.tr("Next image (Page Down)"))
        self.position = QLabel()
        plain(self.position)
        self.position.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_button = QPushButton(self.tr("Clear list"))
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.position, 1)
        nav.addWidget(self.clear_button)
        nav.addWidget(self.next_button)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.drop_zone)
        left_layout.addLayout(nav)
        left_layout.addWidget(self._build_dicom_bar())
        left_layout.addWidget(self.viewer, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.patient_form, self.tr("Patient"))
        self.tabs.addTab(self.history, self.tr("History"))
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.result_panel.setFrameShape(QFrame.Shape.StyledPanel)
        right_layout.addWidget(self.result_panel)
        right_layout.addWidget(self.tabs, 1)
        scroll = QScrollArea()
        scroll.setWidget(right)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(360)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([820, 420])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.pack_chooser)
        layout.addWidget(self.pack_notice)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.timings_label = QLabel()
        plain(self.timings_label, self.drop_zone.label)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setFormat(self.tr("%v of %m"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.progress.hide()
        self.cancel_button.hide()
        bar = self.statusBar()
        bar.addPermanentWidget(self.timings_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)

    def _connect(self) -> None:
        images, pictures = self.images, self.pictures
        self.pack_chooser.pack_selected.connect(self.select_pack)
        self.pack_chooser.info_requested.connect(lambda: window_dialogs.show_pack_info(self))
        self.drop_zone.paths_dropped.connect(images.add_paths)
        self.drop_zone.open_files.connect(images.open_files)
        self.drop_zone.open_folder.connect(images.open_folder)
        self.drop_zone.paste.connect(images.paste_from_clipboard)
        self.prev_button.clicked.connect(lambda: images.go(-1))
        self.next_button.clicked.connect(lambda: images.go(1))
        self.clear_button.clicked.connect(images.clear)
        self.cancel_button.clicked.connect(images.cancel)
        self.viewer.controls.changed.connect(pictures.heatmap_changed)
        self.viewer.controls.save_requested.connect(pictures.save_overlay_dialog)
        self.frame_spin.valueChanged.connect(pictures.frame_chosen)
        pictures.update_nav()

    def _build_dicom_bar(self) -> QWidget:
        """Shown for DICOM files: what the header says and, for multi-frame files, the frame."""
        self.dicom_bar = QFrame()
        self.dicom_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.dicom_label = QLabel()
        plain(self.dicom_label)  # DICOM header fields are file-provided text
        self.dicom_label.setWordWrap(True)
        self.frame_label = QLabel(self.tr("Frame"))
        self.frame_spin = QSpinBox()
        self.frame_spin.setMinimum(1)
        self.frame_spin.setKeyboardTracking(False)
        self.frame_spin.setToolTip(self.tr("Which frame of this multi-frame DICOM file to screen"))
        self.frame_count = QLabel()
        self.frame_label.setBuddy(self.frame_spin)
        row = QHBoxLayout(self.dicom_bar)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.dicom_label, 1)
        row.addWidget(self.frame_label)
        row.addWidget(self.frame_spin)
        row.addWidget(self.frame_count)
        self.dicom_bar.hide()
        return self.dicom_bar

    def _action(self, text: str, slot, *keys: QKeySequence | str) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.open_action = self._action(
            self.tr("Open files…"), self.images.open_files, QKeySequence.StandardKey.Open
        )
        file_menu.addAction(self.open_action)
        file_menu.addAction(
            self._action(self.tr("Open folder…"), self.images.open_folder, "Ctrl+Shift+O")
        )
        file_menu.addAction(
            self._action(
                self.tr("Paste"), self.images.paste_from_clipboard, QKeySequence.StandardKey.Paste
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(
            self._action(
                self.tr("Save heatmap overlay (PNG)…"), self.pictures.save_overlay_dialog, "Ctrl+S"
            )
        )
        file_menu.addAction(
            self._action(self.tr("Save report (PDF)…"), lambda: self.patients.save_report_dialog())
        )
        file_menu.addAction(
            self._action(
                self.tr("Print report…"), self.printer.print_report, QKeySequence.StandardKey.Print
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action(self.tr("Batch screening…"), self.open_batch, "Ctrl+B"))
        file_menu.addAction(self._action(self.tr("Settings…"), self.open_settings, "Ctrl+,"))
        file_menu.addSeparator()
        file_menu.addAction(
            self._action(self.tr("Quit"), self.close, QKeySequence.StandardKey.Quit)
        )
        view = bar.addMenu(self.tr("&View"))
        self.next_action = self._action(
            self.tr("Next image"), lambda: self.images.go(1), "PgDown", "Alt+Right"
        )
        self.prev_action = self._action(
            self.tr("Previous image"), lambda: self.images.go(-1), "PgUp", "Alt+Left"
        )
        self.toggle_action = self._action(
            self.tr("Show heatmap"), self.pictures.toggle_heatmap, "H"
        )
        view.addAction(self.next_action)
        view.addAction(self.prev_action)
        view.addAction(self.toggle_action)
        view.addAction(self._action(self.tr("Fit to window"), self.viewer.view.fit, "Ctrl+0"))
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(
            self._action(
                self.tr("About this screening type…"), lambda: window_dialogs.show_pack_info(self)
            )
        )
        help_menu.addAction(self._action(self.tr("Where is my data?…"), self.show_data_help))
        help_menu.addAction(
            self._action(self.tr("About ClinicLens"), lambda: window_dialogs.show_about(self))
        )

    # -- Settings ----------------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 720)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        try:
            opacity = float(self.settings.value("heatmap/opacity", 0.45))
        except (TypeError, ValueError):
            opacity = 0.45
        self.session.set_heatmap(
            opacity=min(max(opacity, 0.0), 1.0),
            colormap=str(self.settings.value("heatmap/colormap", "jet")),
            method=str(self.settings.value("heatmap/method", "gradcam")),
        )
        self.viewer.controls.apply(self.session.heatmap, None)

    def _save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        if self.session.pack_id:
            s.setValue("pack", self.session.pack_id)
        h = self.session.heatmap
        s.setValue("heatmap/opacity", h.opacity)
        s.setValue("heatmap/colormap", h.colormap)
        s.setValue("heatmap/method", h.method)
        s.sync()

    def last_folder(self, key: str = "last_folder") -> str:
        value = self.settings.value(key, "")
        return str(value) if value and Path(str(value)).is_dir() else str(Path.home())

    # -- Startup: packs, store, heavy imports — all in a worker ------------------------------
    def _start_up(self) -> None:
        dirs, store_path = self._model_dirs, self._store_path
        self.statusBar().showMessage(self.tr("Looking for screening types…"))
        self.runner.start(
            lambda _: load_startup(dirs, store_path), self._started, self.failed, name="startup"
        )

    def _started(self, out: Startup) -> None:
        self.clinic = out.clinic
        self.languages = list(out.languages) or ["en"]
        if not self._fixed_language:
            self.language = presenter.resolve_language(
                out.language or "", QLocale.system().name(), self.languages
            )
        self.store = out.store
        self.batch.store = self.store
        self.batch.operator = self.operator
        self.store_error = out.store_error
        self.viewer.controls.set_choices(list(out.methods), list(out.colormaps))
        self.viewer.controls.apply(self.session.heatmap, None)
        self.set_catalog(out.catalog)
        if self.store is None:
            self.history.empty.setText(
                self.tr("Patient database unavailable: {reason}").format(reason=self.store_error)
            )
            self.history.empty.show()
        self.refresh_history()
        self.ready = True
        self.statusBar().showMessage(self.tr("Ready"), 3000)
        self.images.add_pending()
        QTimer.singleShot(0, self.batch_flow.offer_resume)
        QTimer.singleShot(0, lambda: ask_first_start(self))

    def set_catalog(self, catalog: PackCatalog) -> None:
        preferred = self.settings.value("pack")
        self.session.set_catalog(catalog, str(preferred) if preferred else None)
        self.pack_chooser.set_catalog(catalog, self.session.pack_id, self.language)
        if not catalog.packs:
            self.result_panel.clear(self.tr("No screening types installed"))
        self.update_pack_notice()
        self.screen_pending()

    def failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        message_box(self, QMessageBox.Icon.Warning, self.tr("ClinicLens"), message).exec()

    # -- Screening type ----------------------------------------------------------------------
    def select_pack(self, pack_id: str) -> None:
        if not self.session.select_pack(pack_id):
            return
        self.settings.setValue("pack", pack_id)
        self.batch_flow.show_pack_name()
        self.patients.saved.clear()
        if self.images.screening is not None:
            self.images.screening.cancel()
        self.record = None
        self.pictures.show_current(fit=True)
        self.update_pack_notice()
        self.screen_pending()

    def update_pack_notice(self) -> None:
        """Say what applies to the chosen pack before it screens anything: its weak-pack
        warning now, whether its site calibration is skipped once a worker has checked."""
        from screening.pack_warnings import warning_text

        pack = self.session.pack
        self.pack_notice.set_weak(warning_text(pack.manifest if pack else None, self.language))
        if pack is None:
            self.pack_notice.set_site("")
            return
        session = self.session
        self.runner.start(
            lambda _: (pack.id, session.site_warning(pack)), self._site_checked, name="site-check"
        )

    def _site_checked(self, out: tuple[str, str]) -> None:
        pack_id, reason = out
        if pack_id != self.session.pack_id:
            return  # another type was chosen meanwhile
        if reason and reason != self.pack_notice.site:
            self.statusBar().showMessage(
                self.tr("The site calibration of this screening type is not used; see above."),
                10000,
            )
        self.pack_notice.set_site(reason)

    # Dialogs (gui.window_dialogs)
    def show_data_help(self) -> DataHelpDialog:
        return window_dialogs.show_data_help(self)

    # -- The image list (gui.image_flow) and what is shown of it (gui.viewer_flow) -----------
    def add_paths(self, paths: list[str]) -> None:
        self.images.add_paths(paths)

    def screen_pending(self) -> None:
        self.images.screen_pending()

    def clear_queue(self) -> None:
        self.images.clear()

    def cancel_work(self) -> None:
        self.images.cancel()

    def go(self, step: int) -> None:
        self.images.go(step)

    def save_overlay(self, path: str | Path) -> PoolTask | None:
        return self.pictures.save_overlay(path)

    # -- Patients (gui.patient_flow), saved screenings (gui.records_view) --------------------
    def save_screening(self) -> PoolTask | None:
        return self.patients.save()

    def write_report(self, path: str | Path, then=None) -> PoolTask | None:
        return self.patients.write_report(path, then)

    def confirm_report(self) -> bool:
        return self.patients.confirm_report()

    def refresh_history(self, query: str = "") -> None:
        self.records.refresh(query)

    def open_record(self, screening_id: int) -> None:
        self.records.open(screening_id)

    # -- Clinic settings ---------------------------------------------------------------------
    @property
    def operator(self) -> str:
        """Who screens: the clinic settings' operator (older installs: a QSettings value)."""
        if self.clinic is not None and self.clinic.operator:
            return self.clinic.operator
        return str(self.settings.value("operator", ""))

    def open_settings(self) -> None:
        window_dialogs.open_settings(self)

    def apply_settings(self, clinic: ClinicSettings) -> bool:
        return window_dialogs.apply_settings(self, clinic)

    def reopened(self, language: str) -> MainWindow:
        """A new window like this one (settings, database, packs) in ``language``; this
        one's settings are saved first (gui.relaunch shows it and closes this one)."""
        self._save_settings()
        return MainWindow(
            settings=self.settings,
            store_path=self._store_path,
            model_dirs=self._model_dirs,
            language=language,
        )

    def relaunch(self, language: str) -> None:
        """Reopen the window in ``language`` (gui.relaunch), once this slot has returned."""
        from .relaunch import switch_language

        QTimer.singleShot(0, lambda: switch_language(self, language))

    # -- Batch jobs (screening.queue in a worker) --------------------------------------------
    def ask(self, title: str, text: str) -> bool:
        """A yes/no question (tests replace this)."""
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = message_box(self, QMessageBox.Icon.Question, title, text, yes | no)
        return box.exec() == yes

    def open_batch(self):
        return self.batch_flow.open()

    @property
    def batch_dialog(self):
        return self.batch_flow.dialog

    def write_job_report(self, job_id: int, path: str | Path) -> PoolTask | None:
        return self.batch_flow.write_report(job_id, path)

    def export_job_csv(self, job_id: int, path: str | Path) -> PoolTask | None:
        return self.batch_flow.export_csv(job_id, path)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self._save_settings()
        interrupted = self.batch.job_id if self.batch.running else None
        self.batch.cancel()  # items in hand finish; the rest stay pending (resumable)
        if self.batch_dialog is not None:
            self.batch_dialog.close()
        self.runner.shutdown(5000)
        if self.store is not None:
            if interrupted is not None:  # offered for resuming at the next start
                try:
                    if self.store.job_counts(interrupted).pending:
                        self.store.set_job_state(interrupted, "paused")
                except Exception:  # noqa: BLE001 - never block quitting
                    pass
            self.store.close()
            self.store = self.batch.store = None  # late signals find no database
        self.images.close()
        super().closeEvent(event)

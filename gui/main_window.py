"""The main window: wires widgets to the Session and runs all slow work in the pool.

Startup does no model loading: packs are discovered (and heavy modules imported) in a
worker right after the window is shown; ONNX sessions are created on the first screening.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, QSettings, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
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

from . import presenter
from .batch import BatchController
from .batch_flow import BatchFlow
from .clinic_dialogs import DataHelpDialog, ask_first_start
from .dropzone import DropZone, local_paths
from .heatmap_view import HeatmapViewer
from .history_panel import HistoryList
from .packs_panel import PackChooser, PackInfoDialog, pack_html
from .patient_flow import PatientFlow
from .patient_panel import PatientForm
from .plaintext import message_box, plain
from .printing import ReportPrinter
from .qimage import to_pixmap
from .records_view import RecordsView
from .result_panel import ResultPanel
from .session import Frame, Session
from .tasks import Task, TaskRunner

if TYPE_CHECKING:
    from inference.packs import PackCatalog
    from screening.settings import ClinicSettings

ORG = "ClinicLens"
APP = "ClinicLens"


class InSession:
    """A window attribute whose value lives in the Session: the window's parts read it
    there (no import of the window), callers and tests keep ``window.store`` etc."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, window: Any, owner: type | None = None) -> Any:
        return self if window is None else getattr(window.session, self.name)

    def __set__(self, window: Any, value: Any) -> None:
        setattr(window.session, self.name, value)


class MainWindow(QMainWindow):
    store = InSession()
    store_error = InSession()
    clinic = InSession()
    language = InSession()
    languages = InSession()
    record = InSession()  # history entry being shown
    frame = InSession()
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
        self._batch: Task | None = None
        self._user_cancelled = False
        self._render_gen = 0
        self._paste_dir: str | None = None
        self._pending_paths: list[str] = []
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(40)
        self._render_timer.timeout.connect(lambda: self._render(fit=False))
        self.batch = BatchController(self.runner, self.session, self)
        self.batch_flow = BatchFlow(self, self.batch, self)
        self.settings_dialog = None

        self.setWindowTitle(self.tr("ClinicLens — screening aid"))
        self._build()
        self.patients = PatientFlow(self)
        self.records = RecordsView(self)
        self.printer = ReportPrinter(self)
        self.first_run_dialog = None
        self.replaced_by: MainWindow | None = None  # after a language change (gui.relaunch)
        self._build_menus()
        self._restore()
        QTimer.singleShot(0, self._start_up)

    # ------------------------------------------------------------------------------------
    # Layout
    # ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.pack_chooser = PackChooser()
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

        self.pack_chooser.pack_selected.connect(self.select_pack)
        self.pack_chooser.info_requested.connect(self.show_pack_info)
        self.drop_zone.paths_dropped.connect(self.add_paths)
        self.drop_zone.open_files.connect(self.open_files)
        self.drop_zone.open_folder.connect(self.open_folder)
        self.drop_zone.paste.connect(self.paste_from_clipboard)
        self.prev_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.clear_button.clicked.connect(self.clear_queue)
        self.cancel_button.clicked.connect(self.cancel_work)
        self.viewer.controls.changed.connect(self._heatmap_changed)
        self.viewer.controls.save_requested.connect(self.save_overlay_dialog)
        self._update_nav()

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
        self.frame_spin.valueChanged.connect(self._frame_chosen)
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
            self.tr("Open files…"), self.open_files, QKeySequence.StandardKey.Open
        )
        file_menu.addAction(self.open_action)
        file_menu.addAction(self._action(self.tr("Open folder…"), self.open_folder, "Ctrl+Shift+O"))
        file_menu.addAction(
            self._action(
                self.tr("Paste"), self.paste_from_clipboard, QKeySequence.StandardKey.Paste
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(
            self._action(self.tr("Save heatmap overlay (PNG)…"), self.save_overlay_dialog, "Ctrl+S")
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
            self.tr("Next image"), lambda: self.go(1), "PgDown", "Alt+Right"
        )
        self.prev_action = self._action(
            self.tr("Previous image"), lambda: self.go(-1), "PgUp", "Alt+Left"
        )
        self.toggle_action = self._action(self.tr("Show heatmap"), self.toggle_heatmap, "H")
        view.addAction(self.next_action)
        view.addAction(self.prev_action)
        view.addAction(self.toggle_action)
        view.addAction(self._action(self.tr("Fit to window"), self.viewer.view.fit, "Ctrl+0"))
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(
            self._action(self.tr("About this screening type…"), self.show_pack_info)
        )
        help_menu.addAction(self._action(self.tr("Where is my data?…"), self.show_data_help))
        help_menu.addAction(self._action(self.tr("About ClinicLens"), self.show_about))

    # ------------------------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------------------------
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

    # ------------------------------------------------------------------------------------
    # Startup: packs, store, heavy imports — all in a worker
    # ------------------------------------------------------------------------------------
    def _start_up(self) -> None:
        dirs, store_path = self._model_dirs, self._store_path

        def work(_: Task) -> dict[str, Any]:
            from inference.cam import METHODS
            from inference.overlay import COLORMAPS
            from inference.packs import discover

            out: dict[str, Any] = {
                "catalog": discover(dirs),
                "methods": list(METHODS),
                "colormaps": list(COLORMAPS),
            }
            try:
                from screening.settings import load_settings

                out["clinic"] = load_settings()
                out["language"] = out["clinic"].language
            except Exception:  # noqa: BLE001 - settings never stop screening
                out["language"] = "en"
            try:
                from screening.i18n import languages

                out["languages"] = list(languages())
            except Exception:  # noqa: BLE001
                out["languages"] = ["en"]
            try:
                from screening.store import Store

                out["store"] = Store(store_path)
            except Exception as exc:  # noqa: BLE001 - screening works without the store
                out["store_error"] = getattr(exc, "message", None) or str(exc)
            import inference.screener  # noqa: F401 - warm onnxruntime before the first drop

            return out

        self.statusBar().showMessage(self.tr("Looking for screening types…"))
        self.runner.start(work, self._started, self._failed, name="startup")

    def _started(self, out: dict[str, Any]) -> None:
        self.clinic = out.get("clinic")
        self.languages = out.get("languages") or ["en"]
        if not self._fixed_language:
            self.language = presenter.resolve_language(
                out.get("language") or "", QLocale.system().name(), self.languages
            )
        self.store = out.get("store")
        self.batch.store = self.store
        self.batch.operator = self.operator
        self.store_error = out.get("store_error", "")
        self.viewer.controls.set_choices(out["methods"], out["colormaps"])
        self.viewer.controls.apply(self.session.heatmap, None)
        self.set_catalog(out["catalog"])
        if self.store is None:
            self.history.empty.setText(
                self.tr("Patient database unavailable: {reason}").format(reason=self.store_error)
            )
            self.history.empty.show()
        self.refresh_history()
        self.ready = True
        self.statusBar().showMessage(self.tr("Ready"), 3000)
        if self._pending_paths:
            paths, self._pending_paths = self._pending_paths, []
            self.add_paths(paths)
        QTimer.singleShot(0, self.offer_resume)
        QTimer.singleShot(0, lambda: ask_first_start(self))

    def set_catalog(self, catalog: PackCatalog) -> None:
        preferred = self.settings.value("pack")
        self.session.set_catalog(catalog, str(preferred) if preferred else None)
        self.pack_chooser.set_catalog(catalog, self.session.pack_id, self.language)
        if not catalog.packs:
            self.result_panel.clear(self.tr("No screening types installed"))
        self._screen_pending()

    def _failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        message_box(self, QMessageBox.Icon.Warning, self.tr("ClinicLens"), message).exec()

    # ------------------------------------------------------------------------------------
    # Screening type
    # ------------------------------------------------------------------------------------
    def select_pack(self, pack_id: str) -> None:
        if not self.session.select_pack(pack_id):
            return
        self.settings.setValue("pack", pack_id)
        self.batch_flow.show_pack_name()
        self.patients.saved.clear()
        if self._batch is not None:
            self._batch.cancel()
        self.record = None
        self._show_current(fit=True)
        self._screen_pending()

    def show_pack_info(self) -> None:
        if self.session.catalog is None:
            return
        html = pack_html(self.session.pack, self.session.catalog, self.language, self.tr)
        PackInfoDialog(html, self).exec()

    def show_data_help(self) -> DataHelpDialog:
        from inference.resources import user_data_dir

        dialog = DataHelpDialog(
            user_data_dir(), str(self.settings.value("last_report_folder", "")), self
        )
        dialog.open()
        return dialog

    def show_about(self) -> None:
        import inference

        QMessageBox.about(
            self,
            self.tr("About ClinicLens"),
            self.tr(
                "<h3>ClinicLens {version}</h3><p>Offline screening aid for clinics: small "
                "image classifiers with heatmaps, patient records and PDF reports.</p>"
                "<p><b>Screening aid — not a diagnosis.</b> Every result must be reviewed "
                "by a qualified health worker.</p>"
            ).format(version=inference.__version__),
        )

    # ------------------------------------------------------------------------------------
    # Adding images
    # ------------------------------------------------------------------------------------
    def open_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open images"),
            self.last_folder(),
            self.tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif *.dcm *.dicom)"),
        )
        if files:
            self.settings.setValue("last_folder", str(Path(files[0]).parent))
            self.add_paths(files)

    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Open a folder of images"), self.last_folder()
        )
        if folder:
            self.settings.setValue("last_folder", folder)
            self.add_paths([folder])

    def paste_from_clipboard(self) -> None:
        mime = QApplication.clipboard().mimeData()
        paths = local_paths(mime) if mime is not None else []
        if paths:
            self.add_paths(paths)
            return
        image = QApplication.clipboard().image()
        if image.isNull():
            self.statusBar().showMessage(self.tr("The clipboard holds no image or files."), 5000)
            return
        if self._paste_dir is None:
            self._paste_dir = tempfile.mkdtemp(prefix="cliniclens-paste-")
        n = len(list(Path(self._paste_dir).iterdir())) + 1
        target = Path(self._paste_dir) / f"pasted-{n:03d}.png"
        if not image.save(str(target), "PNG"):
            self._failed(self.tr("The pasted image could not be kept for screening."))
            return
        self.add_paths([str(target)])

    def add_paths(self, paths: list[str]) -> None:
        """Files and folders from any source; folders are scanned in a worker."""
        paths = [str(p) for p in paths]
        if not self.ready:  # dropped before packs were found: keep for later
            self._pending_paths.extend(paths)
            return
        folders = [p for p in paths if Path(p).is_dir()]
        if folders:
            self.settings.setValue("last_folder", folders[0])
        from .scan import expand

        self.statusBar().showMessage(self.tr("Looking for images…"))
        scan = self.runner.start(
            lambda task: expand(paths, lambda: task.cancelled), self._scanned, self._failed
        )
        self._show_progress(scan, 0, 0)

    def _scanned(self, outcome) -> None:
        self._hide_progress()
        added = self.session.add(list(outcome.images))
        parts = [self.tr("Added %n image(s)", "", added)]
        if outcome.skipped:
            parts.append(self.tr("skipped %n file(s) that are not images", "", outcome.skipped))
        if outcome.missing:
            parts.append(self.tr("%n path(s) not found", "", len(outcome.missing)))
        text = "; ".join(parts)
        self.drop_zone.label.setText(text)
        self.statusBar().showMessage(text, 8000)
        if added:
            self.record = None
            self._show_current(fit=True)
            self._screen_pending()

    def clear_queue(self) -> None:
        if self._batch is not None:
            self._batch.cancel()
        self.session.clear()
        self.frame = None
        self.record = None
        self.patients.forget_images()
        self.viewer.clear()
        self.result_panel.clear()
        self.timings_label.clear()
        self.drop_zone.label.setText(self.drop_zone.tr("Drop images or folders here"))
        self.dicom_bar.hide()
        self._update_nav()

    # ------------------------------------------------------------------------------------
    # Screening
    # ------------------------------------------------------------------------------------
    def _screen_pending(self) -> None:
        if self._batch is not None or self.session.pack is None:
            return
        todo = self.session.pending()
        if not todo:
            return
        pack, session = self.session.pack, self.session
        self._user_cancelled = False

        def work(task: Task) -> int:
            screener = session.screener(pack)
            for i, path in enumerate(todo):
                if task.cancelled:
                    return i
                result = session.screen(screener, path)
                task.report(i + 1, len(todo), (pack.id, path, result))
            return len(todo)

        self._batch = self.runner.start(
            work, self._batch_done, self._batch_failed, self._batch_progress, name="screen"
        )
        if len(todo) > 1:
            self._show_progress(self._batch, 0, len(todo))

    def _batch_progress(self, done: int, total: int, payload: object) -> None:
        pack_id, path, result = payload  # type: ignore[misc]
        if total > 1:
            self.progress.setMaximum(total)
            self.progress.setValue(done)
        if self.session.store_result(pack_id, path, result) and path == self.session.current_path:
            if self.record is None:
                self._show_current(fit=True)

    def _batch_done(self, _: object) -> None:
        self._batch = None
        self._hide_progress()
        if not self._user_cancelled:
            self._screen_pending()  # files added or pack changed meanwhile

    def _batch_failed(self, message: str) -> None:
        self._batch = None
        self._hide_progress()
        self.result_panel.clear(self.tr("Screening failed"))
        self._failed(message)

    def cancel_work(self) -> None:
        self._user_cancelled = True
        self.runner.cancel_all()
        self.statusBar().showMessage(self.tr("Cancelled"), 4000)

    def _show_progress(self, task: Task, done: int, total: int) -> None:
        self.progress.setRange(0, total)  # 0..0 = busy indicator
        self.progress.setValue(done)
        self.progress.show()
        self.cancel_button.show()

    def _hide_progress(self) -> None:
        if self._batch is None:
            self.progress.hide()
            self.cancel_button.hide()

    # ------------------------------------------------------------------------------------
    # Showing the current image
    # ------------------------------------------------------------------------------------
    def go(self, step: int) -> None:
        if self.session.go(step):
            self.record = None
            self._show_current(fit=True)

    def _update_nav(self) -> None:
        s = self.session
        path = s.current_path
        if self.record is not None:
            self.position.setText(
                self.tr("Saved screening #{id} — {file}").format(
                    id=self.record.id, file=Path(self.record.image_path).name
                )
            )
        elif path is None:
            self.position.setText(self.tr("No images yet"))
        else:
            self.position.setText(
                self.tr("Image {n} of {total} — {file}").format(
                    n=s.index + 1, total=len(s.queue), file=self.short_name(path)
                )
            )
        self.prev_button.setEnabled(s.index > 0)
        self.next_button.setEnabled(0 <= s.index < len(s.queue) - 1)

    # ------------------------------------------------------------------------------------
    # DICOM: header details prefill the patient form; multi-frame files offer a frame
    # ------------------------------------------------------------------------------------
    def _update_dicom(self) -> None:
        path = self.session.current_path
        if path is None or self.record is not None:
            self.dicom_bar.hide()
            return
        if path in self.session.dicom:
            self._show_dicom(self.session.dicom[path])
            return
        self.dicom_bar.hide()
        session = self.session

        def work(_: Task):
            return path, session.read_dicom(path)

        self.runner.start(work, self._dicom_read, name="dicom")

    def _dicom_read(self, out) -> None:
        path, details = out
        self.session.dicom[path] = details
        if path == self.session.current_path and self.record is None:
            self._show_dicom(details)

    def _show_dicom(self, details) -> None:
        if details is None:
            self.dicom_bar.hide()
            return
        p = details.patient
        parts = [self.tr("DICOM")]
        if p.modality:
            parts.append(p.modality)
        if p.study_date:
            parts.append(self.tr("study {date}").format(date=p.study_date.isoformat()))
        who = " — ".join(x for x in (p.patient_id, p.name) if x)
        if who:
            parts.append(who)
        self.dicom_label.setText(" · ".join(parts))
        multi = details.frames > 1
        for w in (self.frame_label, self.frame_spin, self.frame_count):
            w.setVisible(multi)
        with QSignalBlocker(self.frame_spin):
            self.frame_spin.setMaximum(max(1, details.frames))
            self.frame_spin.setValue(self.session.frames.get(details.path, 0) + 1)
        self.frame_count.setText(self.tr("of {n}").format(n=details.frames))
        self.dicom_bar.show()
        study = ""
        if p.study_date or p.modality:
            study = self.tr("DICOM study {date} {modality}").format(
                date=p.study_date.isoformat() if p.study_date else "", modality=p.modality
            )
            study = " ".join(study.split())
        birth = p.birth_date.isoformat() if p.birth_date else ""
        if self.patient_form.prefill_from_dicom(p.patient_id, p.name, p.sex, birth, study):
            self.patient_db_id = None
            self.patients.lookup(p.patient_id, keep_form=True)

    def _frame_chosen(self, value: int) -> None:
        path = self.session.current_path
        if path is None or not self.session.set_frame(path, value - 1):
            return
        self.frame = None
        self.patients.saved.discard(self.patients.saved_key() or ("", "", ""))
        self._show_current(fit=False)
        self._screen_pending()

    def _show_current(self, fit: bool = False) -> None:
        self.patients.follow()  # before the DICOM header may prefill an empty form
        self._update_nav()
        self._update_dicom()
        path, result, pack = (
            self.session.current_path,
            self.session.current_result,
            self.session.pack,
        )
        self.patients.update_buttons()
        from .modality_offer import show_offer  # a wrong-modality image: offer its type

        show_offer(self, result)
        if path is None or pack is None:
            self.viewer.clear()
            if pack is None and self.session.catalog is not None:
                self.result_panel.clear(self.tr("Choose a screening type"))
            else:
                self.result_panel.clear()
            return
        if result is None:
            self.result_panel.show_busy(self.tr("Screening…"))
            self.timings_label.clear()
            return
        summary = presenter.summarize(result, pack.manifest, self.language)
        self.result_panel.show_summary(summary)
        self._show_timings(result.timings)
        # A flagged result has no answer: the class list must not hint at one either.
        top = result.prediction.top_class if result.answered and result.prediction else None
        classes = [(c.id, c.name.get(self.language)) for c in pack.manifest.classes]
        self.viewer.controls.set_classes(classes if top else [], top)
        default = presenter.heatmap_class(result.prediction) if top else None
        self.viewer.controls.apply(self.session.heatmap, default)
        self._render(fit=fit)

    def _render(self, fit: bool = False) -> None:
        path, result, pack = (
            self.session.current_path,
            self.session.current_result,
            self.session.pack,
        )
        if path is None or result is None or pack is None or self.record is not None:
            return
        self._render_gen += 1
        gen, session, settings = self._render_gen, self.session, self.session.heatmap
        self.runner.start(
            lambda _: session.render(session.screener(pack), path, result, settings),
            lambda frame: self._rendered(frame, gen, fit),
            self._failed,
            name="render",
        )

    def _rendered(self, frame: Frame, gen: int, fit: bool) -> None:
        if gen != self._render_gen or frame.path != self.session.current_path:
            return  # a newer request or another image has taken over
        same_image = (
            self.frame is not None
            and self.frame.image is not None
            and frame.image is not None
            and self.frame.path == frame.path
            and self.viewer.original is not None
        )
        self.frame = frame
        if frame.image is None:
            self.viewer.clear()
            self.viewer.placeholder.setText(
                self.tr("The image cannot be shown: {reason}").format(reason=frame.error)
            )
            return
        original = self.viewer.original if same_image else to_pixmap(frame.image.pixels)
        overlay = to_pixmap(frame.overlay) if frame.overlay is not None else None
        has_evidence = frame.cam.has_evidence if frame.cam is not None else True
        self.viewer.set_frame(
            original, overlay, self.session.heatmap, has_evidence=has_evidence, fit=fit
        )
        if frame.result is not None:
            self._show_timings(frame.result.timings)
        self.patients.update_buttons()

    def _show_timings(self, timings) -> None:
        names = {
            "decode": self.tr("decode"),
            "preprocess": self.tr("preprocess"),
            "model": self.tr("model"),
            "heatmap": self.tr("heatmap"),
            "overlay": self.tr("overlay"),
        }
        parts = [f"{names[k]} {ms:.0f} ms" for k, ms in presenter.timing_parts(timings)]
        if parts:
            parts.append(self.tr("total {ms} ms").format(ms=f"{timings.total_ms:.0f}"))
        self.timings_label.setText(" · ".join(parts))

    # ------------------------------------------------------------------------------------
    # Heatmap controls
    # ------------------------------------------------------------------------------------
    def _heatmap_changed(self, change: dict) -> None:
        settings = self.session.set_heatmap(**change)
        if set(change) <= {"visible", "side_by_side"}:
            self.viewer.refresh(settings, fit="side_by_side" in change)
        elif "opacity" in change:
            self._render_timer.start()  # debounce slider drags
        else:
            self._render(fit=False)

    def toggle_heatmap(self) -> None:
        settings = self.session.set_heatmap(visible=not self.session.heatmap.visible)
        top = self.viewer.controls.class_combo.currentData()
        self.viewer.controls.apply(settings, top)
        self.viewer.refresh(settings)

    def _has_overlay(self) -> bool:
        if self.record is not None:  # a saved screening: its stored heatmap
            return self.records.has_overlay()
        return self.frame is not None and self.frame.overlay is not None

    def save_overlay_dialog(self) -> None:
        if not self._has_overlay():
            self.statusBar().showMessage(self.tr("There is no heatmap to save."), 5000)
            return
        if self.record is not None:
            stem, cls = Path(self.record.image_path).stem, self.record.top_class or "heatmap"
        else:
            stem = Path(self.frame.path).stem
            cls = self.frame.cam.class_id if self.frame.cam else "heatmap"
        default = Path(self.last_folder("last_save_folder")) / f"{stem}-{cls}-heatmap.png"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save heatmap overlay"), str(default), self.tr("PNG image (*.png)")
        )
        if path:
            self.settings.setValue("last_save_folder", str(Path(path).parent))
            self.save_overlay(path)

    def save_overlay(self, path: str | Path) -> Task | None:
        if not self._has_overlay():
            return None
        target = Path(path)
        if target.suffix.lower() != ".png":
            target = target.with_suffix(".png")
        stored = self.records.overlay_png() if self.record is not None else None
        overlay = self.frame.overlay if stored is None else None

        def work(_: Task) -> Path:
            from screening.files import atomic_write_bytes
            from screening.imaging import png_bytes

            data = stored if stored is not None else png_bytes(overlay)
            return atomic_write_bytes(target, data, what="heatmap image")

        return self.runner.start(
            work,
            lambda p: self.statusBar().showMessage(self.tr("Saved {path}").format(path=p), 8000),
            self._failed,
        )

    # ------------------------------------------------------------------------------------
    # Patients (gui.patient_flow), saved screenings (gui.records_view)
    def save_screening(self) -> Task | None:
        return self.patients.save()

    def write_report(self, path: str | Path, then=None) -> Task | None:
        return self.patients.write_report(path, then)

    def refresh_history(self, query: str = "") -> None:
        self.records.refresh(query)

    def open_record(self, screening_id: int) -> None:
        self.records.open(screening_id)

    def short_name(self, path: str) -> str:
        """The file as the user can tell it apart: its name, with folders when another
        file of the list has the same name (gui.names)."""
        from .names import short_labels

        return short_labels([*self.session.queue, path]).get(path, Path(path).name)

    def _manifest(self, pack_id: str):
        catalog = self.session.catalog
        if catalog is None:
            return None
        pack = next((p for p in catalog.packs if p.id == pack_id), None)
        return pack.manifest if pack else None

    # ------------------------------------------------------------------------------------
    # Clinic settings
    # ------------------------------------------------------------------------------------
    @property
    def operator(self) -> str:
        """Who screens: the clinic settings' operator (older installs: a QSettings value)."""
        if self.clinic is not None and self.clinic.operator:
            return self.clinic.operator
        return str(self.settings.value("operator", ""))

    def open_settings(self) -> None:
        from screening.settings import ClinicSettings, load_settings

        from .settings_dialog import SettingsDialog

        if self.clinic is None:
            try:
                self.clinic = load_settings()
            except Exception:  # noqa: BLE001 - a damaged file gives defaults
                self.clinic = ClinicSettings()
        languages = getattr(self, "languages", None) or ["en"]
        dialog = SettingsDialog(self.clinic, languages, self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.values()))
        self.settings_dialog = dialog
        dialog.open()

    def apply_settings(self, clinic: ClinicSettings) -> bool:
        """Save the clinic settings (shared with the CLI); a new language reopens the window
        in it (gui.relaunch), or applies at the next start while a batch runs."""
        from screening.settings import save_settings

        before = self.clinic.language if self.clinic is not None else ""
        language_changed = clinic.language != before
        try:
            save_settings(clinic)
        except Exception as exc:  # noqa: BLE001 - shown, the old settings stay
            self._failed(getattr(exc, "message", None) or str(exc))
            return False
        self.clinic = clinic
        self.batch.operator = self.operator
        message = self.tr("Settings saved.")
        if language_changed:
            if not self.batch.running:
                from .relaunch import switch_language

                QTimer.singleShot(0, lambda: switch_language(self, clinic.language))
                return True
            message += " " + self.tr("Restart ClinicLens to change the language.")
        self.statusBar().showMessage(message, 10000)
        return True

    # ------------------------------------------------------------------------------------
    # Batch jobs (screening.queue in a worker)
    # ------------------------------------------------------------------------------------
    def ask(self, title: str, text: str) -> bool:
        """A yes/no question (tests replace this)."""
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = message_box(self, QMessageBox.Icon.Question, title, text, yes | no)
        return box.exec() == yes

    def offer_resume(self) -> int | None:
        return self.batch_flow.offer_resume()

    def open_batch(self):
        return self.batch_flow.open()

    @property
    def batch_dialog(self):
        return self.batch_flow.dialog

    def write_job_report(self, job_id: int, path: str | Path) -> Task | None:
        return self.batch_flow.write_report(job_id, path)

    def export_job_csv(self, job_id: int, path: str | Path) -> Task | None:
        return self.batch_flow.export_csv(job_id, path)

    # ------------------------------------------------------------------------------------
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
        if self._paste_dir:
            shutil.rmtree(self._paste_dir, ignore_errors=True)
        super().closeEvent(event)

"""The main window's image list: adding files (open, folder, paste, drop), screening what
has no result yet in a worker, cancelling that, moving through the list and clearing it.

Why a module of its own: the window keeps only layout and menus. What this needs from the
window is named in ``ImageHost`` (no import of gui.main_window, so no import circle); the
list and its results are the Session's. Strings keep their "MainWindow" translation
context, so the catalogue needs no new entries.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QSettings
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressBar, QPushButton, QStatusBar

from .dropzone import DropZone, local_paths

if TYPE_CHECKING:
    from .result_panel import ResultPanel
    from .scan import ScanOutcome
    from .session import Session
    from .tasks import PoolTask, TaskRunner
    from .viewer_flow import ViewerFlow

translate = QCoreApplication.translate


class PatientsPart(Protocol):
    """What the list uses of gui.patient_flow (typed here: that module imports the window)."""

    def forget_images(self) -> None: ...


class ImageHost(Protocol):
    """What the image flow uses of the main window."""

    session: Session
    settings: QSettings
    runner: TaskRunner
    ready: bool  # packs found: dropped files can be screened
    drop_zone: DropZone
    progress: QProgressBar
    cancel_button: QPushButton
    result_panel: ResultPanel
    patients: PatientsPart

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt API
    def last_folder(self, key: str = "last_folder") -> str: ...
    def failed(self, message: str) -> None: ...
    def update_pack_notice(self) -> None: ...


class ImageFlow(QObject):
    """Adds images to the Session's list and screens them, one worker at a time."""

    def __init__(self, host: ImageHost, viewer: ViewerFlow, parent: QObject) -> None:
        super().__init__(parent)
        self.host = host
        self.session = host.session
        self.viewer = viewer
        self.screening: PoolTask | None = None  # the worker screening the list (one at a time)
        self.pending_paths: list[str] = []  # dropped before the packs were found
        self._user_cancelled = False
        self._paste_dir: str | None = None

    # -- adding images ---------------------------------------------------------------------
    def open_files(self) -> None:
        h = self.host
        files, _ = QFileDialog.getOpenFileNames(
            h.drop_zone.window(),
            translate("MainWindow", "Open images"),
            h.last_folder(),
            translate(
                "MainWindow",
                "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif *.dcm *.dicom)",
            ),
        )
        if files:
            h.settings.setValue("last_folder", str(Path(files[0]).parent))
            self.add_paths(files)

    def open_folder(self) -> None:
        h = self.host
        folder = QFileDialog.getExistingDirectory(
            h.drop_zone.window(),
            translate("MainWindow", "Open a folder of images"),
            h.last_folder(),
        )
        if folder:
            h.settings.setValue("last_folder", folder)
            self.add_paths([folder])

    def paste_from_clipboard(self) -> None:
        mime = QApplication.clipboard().mimeData()
        paths = local_paths(mime) if mime is not None else []
        if paths:
            self.add_paths(paths)
            return
        image = QApplication.clipboard().image()
        if image.isNull():
            self.host.statusBar().showMessage(
                translate("MainWindow", "The clipboard holds no image or files."), 5000
            )
            return
        if self._paste_dir is None:
            self._paste_dir = tempfile.mkdtemp(prefix="cliniclens-paste-")
        n = len(list(Path(self._paste_dir).iterdir())) + 1
        target = Path(self._paste_dir) / f"pasted-{n:03d}.png"
        if not image.save(str(target), "PNG"):
            self.host.failed(
                translate("MainWindow", "The pasted image could not be kept for screening.")
            )
            return
        self.add_paths([str(target)])

    def add_paths(self, paths: list[str]) -> None:
        """Files and folders from any source; folders are scanned in a worker."""
        paths = [str(p) for p in paths]
        h = self.host
        if not h.ready:  # dropped before packs were found: keep for later
            self.pending_paths.extend(paths)
            return
        folders = [p for p in paths if Path(p).is_dir()]
        if folders:
            h.settings.setValue("last_folder", folders[0])
        from .scan import expand

        h.statusBar().showMessage(translate("MainWindow", "Looking for images…"))
        h.runner.start(lambda task: expand(paths, lambda: task.cancelled), self._scanned, h.failed)
        self._show_progress(0, 0)

    def add_pending(self) -> None:
        """The packs are found: what was dropped before is added now."""
        if self.pending_paths:
            paths, self.pending_paths = self.pending_paths, []
            self.add_paths(paths)

    def _scanned(self, outcome: ScanOutcome) -> None:
        self._hide_progress()
        added = self.session.add(list(outcome.images))
        parts = [translate("MainWindow", "Added %n image(s)", "", added)]
        if outcome.skipped:
            parts.append(
                translate(
                    "MainWindow", "skipped %n file(s) that are not images", "", outcome.skipped
                )
            )
        if outcome.missing:
            parts.append(translate("MainWindow", "%n path(s) not found", "", len(outcome.missing)))
        text = "; ".join(parts)
        self.host.drop_zone.label.setText(text)
        self.host.statusBar().showMessage(text, 8000)
        if added:
            self.session.record = None
            self.viewer.show_current(fit=True)
            self.screen_pending()

    def clear(self) -> None:
        if self.screening is not None:
            self.screening.cancel()
        self.session.clear()
        self.session.picture = None
        self.session.record = None
        self.host.patients.forget_images()
        self.host.drop_zone.label.setText(translate("DropZone", "Drop images or folders here"))
        self.viewer.clear()

    def go(self, step: int) -> None:
        if self.session.go(step):
            self.session.record = None
            self.viewer.show_current(fit=True)

    # -- screening the list ----------------------------------------------------------------
    def screen_pending(self) -> None:
        """Screen, in one worker, every image of the list without a result (current first)."""
        s = self.session
        if self.screening is not None or s.pack is None:
            return
        todo = s.pending()
        if not todo:
            return
        pack = s.pack
        self._user_cancelled = False

        def work(task: PoolTask) -> int:
            screener = s.screener(pack)
            for i, path in enumerate(todo):
                if task.cancelled:
                    return i
                result = s.screen(screener, path)
                task.report(i + 1, len(todo), (pack.id, path, result))
            return len(todo)

        self.screening = self.host.runner.start(
            work, self._done, self._failed, self._progress, name="screen"
        )
        if len(todo) > 1:
            self._show_progress(0, len(todo))

    def _progress(self, done: int, total: int, payload: object) -> None:
        pack_id, path, result = payload  # type: ignore[misc]
        if total > 1:
            self.host.progress.setMaximum(total)
            self.host.progress.setValue(done)
        s = self.session
        if s.store_result(pack_id, path, result) and path == s.current_path:
            if s.record is None:
                self.viewer.show_current(fit=True)

    def _done(self, _: object) -> None:
        self.screening = None
        self._hide_progress()
        self.host.update_pack_notice()  # the screener may have skipped a site calibration
        if not self._user_cancelled:
            self.screen_pending()  # files added or pack changed meanwhile

    def _failed(self, message: str) -> None:
        self.screening = None
        self._hide_progress()
        self.host.result_panel.clear(translate("MainWindow", "Screening failed"))
        self.host.failed(message)

    def cancel(self) -> None:
        """The status bar's Cancel: every worker stops; unscreened images stay in the list."""
        self._user_cancelled = True
        self.host.runner.cancel_all()
        self.host.statusBar().showMessage(translate("MainWindow", "Cancelled"), 4000)

    def _show_progress(self, done: int, total: int) -> None:
        h = self.host
        h.progress.setRange(0, total)  # 0..0 = busy indicator
        h.progress.setValue(done)
        h.progress.show()
        h.cancel_button.show()

    def _hide_progress(self) -> None:
        if self.screening is None:
            self.host.progress.hide()
            self.host.cancel_button.hide()

    def close(self) -> None:
        """The window closes: pasted images were only kept for this session."""
        if self._paste_dir:
            shutil.rmtree(self._paste_dir, ignore_errors=True)

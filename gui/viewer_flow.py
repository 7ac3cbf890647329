"""What the main window shows for the current image: the position in the list, the result,
the heatmap (rendered in a worker), the DICOM header bar with its frame choice, and the
heatmap's PNG export.

Why a module of its own: the window keeps only layout and menus. What this needs from the
window is named in ``ViewerHost`` (no import of gui.main_window, so no import circle); what
is shown (the picture, a saved record) is kept in the Session. Strings keep their
"MainWindow" translation context, so the catalogue needs no new entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QSignalBlocker, QTimer
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QPushButton, QSpinBox, QStatusBar

from inference.focus import has_clear_focus

from . import presenter
from .qimage import to_pixmap
from .session import Picture

if TYPE_CHECKING:
    from .heatmap_view import HeatmapViewer
    from .patient_panel import PatientForm
    from .result_panel import ResultPanel
    from .session import DicomDetails, Session
    from .tasks import PoolTask, TaskRunner

translate = QCoreApplication.translate


class PatientsPart(Protocol):
    """What the viewer uses of gui.patient_flow (typed here: that module imports the window)."""

    saved: set[tuple[str, str, str]]

    def follow(self) -> None: ...
    def update_buttons(self) -> None: ...
    def saved_key(self) -> tuple[str, str, str] | None: ...
    def lookup(self, code: str, keep_form: bool = False) -> None: ...


class RecordsPart(Protocol):
    """What the viewer uses of gui.records_view: the shown record's stored heatmap."""

    def has_overlay(self) -> bool: ...
    def overlay_png(self) -> bytes | None: ...


class ViewerHost(Protocol):
    """What the viewer flow uses of the main window."""

    session: Session
    settings: QSettings
    runner: TaskRunner
    viewer: HeatmapViewer
    result_panel: ResultPanel
    timings_label: QLabel
    position: QLabel
    prev_button: QPushButton
    next_button: QPushButton
    dicom_bar: QFrame
    dicom_label: QLabel
    frame_label: QLabel
    frame_spin: QSpinBox
    frame_count: QLabel
    patient_form: PatientForm
    patients: PatientsPart
    records: RecordsPart

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt API
    def last_folder(self, key: str = "last_folder") -> str: ...
    def failed(self, message: str) -> None: ...
    def screen_pending(self) -> None: ...


class ViewerFlow(QObject):
    """Shows the current image of the Session's list (or nothing) in the window's widgets."""

    def __init__(self, host: ViewerHost, parent: QObject) -> None:
        super().__init__(parent)
        self.host = host
        self.session = host.session
        self.render_gen = 0  # a render whose number is older than this is dropped
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(40)
        self._render_timer.timeout.connect(lambda: self.render(fit=False))

    # -- position in the list --------------------------------------------------------------
    def update_nav(self) -> None:
        h, s = self.host, self.session
        path, record = s.current_path, s.record
        if record is not None:
            h.position.setText(
                translate("MainWindow", "Saved screening #{id} — {file}").format(
                    id=record.id, file=Path(record.image_path).name
                )
            )
        elif path is None:
            h.position.setText(translate("MainWindow", "No images yet"))
        else:
            h.position.setText(
                translate("MainWindow", "Image {n} of {total} — {file}").format(
                    n=s.index + 1, total=len(s.queue), file=s.short_name(path)
                )
            )
        h.prev_button.setEnabled(s.index > 0)
        h.next_button.setEnabled(0 <= s.index < len(s.queue) - 1)
        self.update_pack_warning()

    def update_pack_warning(self) -> None:
        """A weak pack's warning above the result (screening.pack_warnings, issue 16): for
        the saved screening shown, its pack; else the chosen pack, from the moment an image
        is in the list, so it is there before and with every result."""
        from screening.pack_warnings import warning_text

        s = self.session
        if s.record is not None:
            manifest = s.manifest(s.record.pack_id)
        elif s.current_path is not None and s.pack is not None:
            manifest = s.pack.manifest
        else:
            manifest = None
        self.host.result_panel.set_pack_warning(warning_text(manifest, s.language))

    def clear(self) -> None:
        """The list was emptied: nothing is shown."""
        h = self.host
        h.viewer.clear()
        h.result_panel.clear()
        h.timings_label.clear()
        h.dicom_bar.hide()
        self.update_nav()

    # -- DICOM: header details prefill the patient form; multi-frame files offer a frame ----
    def update_dicom(self) -> None:
        s = self.session
        path = s.current_path
        if path is None or s.record is not None:
            self.host.dicom_bar.hide()
            return
        if path in s.dicom:
            self._show_dicom(s.dicom[path])
            return
        self.host.dicom_bar.hide()
        self.host.runner.start(lambda _: (path, s.read_dicom(path)), self._dicom_read, name="dicom")

    def _dicom_read(self, out: tuple[str, DicomDetails | None]) -> None:
        path, details = out
        self.session.dicom[path] = details
        if path == self.session.current_path and self.session.record is None:
            self._show_dicom(details)

    def _show_dicom(self, details: DicomDetails | None) -> None:
        h = self.host
        if details is None:
            h.dicom_bar.hide()
            return
        p = details.patient
        parts = [translate("MainWindow", "DICOM")]
        if p.modality:
            parts.append(p.modality)
        if p.study_date:
            parts.append(
                translate("MainWindow", "study {date}").format(date=p.study_date.isoformat())
            )
        who = " — ".join(x for x in (p.patient_id, p.name) if x)
        if who:
            parts.append(who)
        h.dicom_label.setText(" · ".join(parts))
        multi = details.frames > 1
        for w in (h.frame_label, h.frame_spin, h.frame_count):
            w.setVisible(multi)
        with QSignalBlocker(h.frame_spin):
            h.frame_spin.setMaximum(max(1, details.frames))
            h.frame_spin.setValue(self.session.dicom_frames.get(details.path, 0) + 1)
        h.frame_count.setText(translate("MainWindow", "of {n}").format(n=details.frames))
        h.dicom_bar.show()
        study = ""
        if p.study_date or p.modality:
            study = translate("MainWindow", "DICOM study {date} {modality}").format(
                date=p.study_date.isoformat() if p.study_date else "", modality=p.modality
            )
            study = " ".join(study.split())
        birth = p.birth_date.isoformat() if p.birth_date else ""
        if h.patient_form.prefill_from_dicom(p.patient_id, p.name, p.sex, birth, study):
            self.session.patient_db_id = None
            h.patients.lookup(p.patient_id, keep_form=True)

    def frame_chosen(self, value: int) -> None:
        """The DICOM frame spin box: screen that frame of the current file."""
        path = self.session.current_path
        if path is None or not self.session.set_frame(path, value - 1):
            return
        self.session.picture = None
        patients = self.host.patients
        patients.saved.discard(patients.saved_key() or ("", "", ""))
        self.show_current(fit=False)
        self.host.screen_pending()

    # -- the result and the picture --------------------------------------------------------
    def show_current(self, fit: bool = False) -> None:
        h, s = self.host, self.session
        h.patients.follow()  # before the DICOM header may prefill an empty form
        self.update_nav()
        self.update_dicom()
        path, result, pack = s.current_path, s.current_result, s.pack
        h.patients.update_buttons()
        from .modality_offer import show_offer  # a wrong-modality image: offer its type

        show_offer(h, result)
        if path is None or pack is None:
            h.viewer.clear()
            if pack is None and s.catalog is not None:
                h.result_panel.clear(translate("MainWindow", "Choose a screening type"))
            else:
                h.result_panel.clear()
            return
        if result is None:
            h.result_panel.show_busy(translate("MainWindow", "Screening…"))
            h.timings_label.clear()
            return
        summary = presenter.summarize(result, pack.manifest, s.language)
        h.result_panel.show_summary(summary)
        self.show_timings(result.timings)
        # A flagged result has no answer: the class list must not hint at one either.
        top = result.prediction.top_class if result.answered and result.prediction else None
        classes = [(c.id, c.name.get(s.language)) for c in pack.manifest.classes]
        h.viewer.controls.set_classes(classes if top else [], top)
        default = presenter.heatmap_class(result.prediction) if top else None
        h.viewer.controls.apply(s.heatmap, default)
        self.render(fit=fit)

    def render(self, fit: bool = False) -> None:
        s = self.session
        path, result, pack = s.current_path, s.current_result, s.pack
        if path is None or result is None or pack is None or s.record is not None:
            return
        self.render_gen += 1
        gen, settings = self.render_gen, s.heatmap
        self.host.runner.start(
            lambda _: s.render(s.screener(pack), path, result, settings),
            lambda frame: self._rendered(frame, gen, fit),
            self.host.failed,
            name="render",
        )

    def _rendered(self, frame: Picture, gen: int, fit: bool) -> None:
        s, viewer = self.session, self.host.viewer
        if gen != self.render_gen or frame.path != s.current_path:
            return  # a newer request or another image has taken over
        shown = s.picture
        same_image = (
            shown is not None
            and shown.image is not None
            and frame.image is not None
            and shown.path == frame.path
            and viewer.original is not None
        )
        s.picture = frame
        if frame.image is None:
            viewer.clear()
            viewer.placeholder.setText(
                translate("MainWindow", "The image cannot be shown: {reason}").format(
                    reason=frame.error
                )
            )
            return
        original = viewer.original if same_image else to_pixmap(frame.image.pixels)
        overlay = to_pixmap(frame.overlay) if frame.overlay is not None else None
        has_evidence = frame.cam.has_evidence if frame.cam is not None else True
        # a map spread over the whole organ says so (inference.focus; issue 15)
        has_focus = frame.cam is None or not frame.cam.has_evidence or has_clear_focus(
            frame.cam.values
        )
        viewer.set_frame(
            original, overlay, s.heatmap, has_evidence=has_evidence, has_focus=has_focus, fit=fit
        )
        if frame.result is not None:
            self.show_timings(frame.result.timings)
        self.host.patients.update_buttons()

    def show_timings(self, timings) -> None:
        names = {
            "decode": translate("MainWindow", "decode"),
            "preprocess": translate("MainWindow", "preprocess"),
            "model": translate("MainWindow", "model"),
            "heatmap": translate("MainWindow", "heatmap"),
            "overlay": translate("MainWindow", "overlay"),
        }
        parts = [f"{names[k]} {ms:.0f} ms" for k, ms in presenter.timing_parts(timings)]
        if parts:
            parts.append(
                translate("MainWindow", "total {ms} ms").format(ms=f"{timings.total_ms:.0f}")
            )
        self.host.timings_label.setText(" · ".join(parts))

    # -- heatmap controls ------------------------------------------------------------------
    def heatmap_changed(self, change: dict) -> None:
        settings = self.session.set_heatmap(**change)
        if set(change) <= {"visible", "side_by_side"}:
            self.host.viewer.refresh(settings, fit="side_by_side" in change)
        elif "opacity" in change:
            self._render_timer.start()  # debounce slider drags
        else:
            self.render(fit=False)

    def toggle_heatmap(self) -> None:
        viewer = self.host.viewer
        settings = self.session.set_heatmap(visible=not self.session.heatmap.visible)
        top = viewer.controls.class_combo.currentData()
        viewer.controls.apply(settings, top)
        viewer.refresh(settings)

    def has_overlay(self) -> bool:
        if self.session.record is not None:  # a saved screening: its stored heatmap
            return self.host.records.has_overlay()
        frame = self.session.picture
        return frame is not None and frame.overlay is not None

    def save_overlay_dialog(self) -> None:
        h, s = self.host, self.session
        if not self.has_overlay():
            h.statusBar().showMessage(translate("MainWindow", "There is no heatmap to save."), 5000)
            return
        if s.record is not None:
            stem, cls = Path(s.record.image_path).stem, s.record.top_class or "heatmap"
        else:
            stem = Path(s.picture.path).stem
            cls = s.picture.cam.class_id if s.picture.cam else "heatmap"
        default = Path(h.last_folder("last_save_folder")) / f"{stem}-{cls}-heatmap.png"
        path, _ = QFileDialog.getSaveFileName(
            h.viewer.window(),
            translate("MainWindow", "Save heatmap overlay"),
            str(default),
            translate("MainWindow", "PNG image (*.png)"),
        )
        if path:
            h.settings.setValue("last_save_folder", str(Path(path).parent))
            self.save_overlay(path)

    def save_overlay(self, path: str | Path) -> PoolTask | None:
        if not self.has_overlay():
            return None
        target = Path(path)
        if target.suffix.lower() != ".png":
            target = target.with_suffix(".png")
        s, h = self.session, self.host
        stored = h.records.overlay_png() if s.record is not None else None
        overlay = s.picture.overlay if stored is None else None

        def work(_: PoolTask) -> Path:
            from screening.files import atomic_write_bytes
            from screening.imaging import png_bytes

            data = stored if stored is not None else png_bytes(overlay)
            return atomic_write_bytes(target, data, what="heatmap image")

        return h.runner.start(
            work,
            lambda p: h.statusBar().showMessage(
                translate("MainWindow", "Saved {path}").format(path=p), 8000
            ),
            h.failed,
        )

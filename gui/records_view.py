"""Saved screenings in the main window: the History list, showing one record, and assigning,
moving or voiding it (rules in ``screening.records``, every change audited there).

A voided screening is listed struck through and shown as "voided", never as a result.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from . import presenter
from .history_panel import history_entries
from .plaintext import plain
from .qimage import from_bytes

if TYPE_CHECKING:
    from screening.records import Void
    from screening.store import ScreeningRecord, Store

    from .heatmap_view import HeatmapViewer
    from .history_panel import HistoryList
    from .patient_panel import PatientForm
    from .result_panel import ResultPanel
    from .session import Picture, Session
    from .tasks import TaskRunner


class RecordDialog(QDialog):
    """Patient ID and/or reason for assigning, moving or voiding one screening."""

    def __init__(self, title: str, intro: str, *, ask_patient: bool, need_reason: bool,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.need_reason = need_reason
        text = QLabel(intro)
        text.setWordWrap(True)
        plain(text)
        self.patient = QLineEdit()
        self.patient.setPlaceholderText(self.tr("Clinic record number, e.g. P-001"))
        self.create = QCheckBox(self.tr("Create this patient if the ID is new"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(
            self.tr("Why (kept in the audit trail)") if need_reason else self.tr("Optional")
        )
        form = QFormLayout()
        if ask_patient:
            form.addRow(self.tr("Patient ID"), self.patient)
            form.addRow("", self.create)
        else:
            self.patient.hide()
            self.create.hide()
        form.addRow(self.tr("Reason"), self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.ask_patient = ask_patient
        for edit in (self.patient, self.reason):
            edit.textChanged.connect(lambda _: self._update())
        self._update()

    def _update(self) -> None:
        ok = (not self.ask_patient or bool(self.patient.text().strip())) and (
            not self.need_reason or bool(self.reason.text().strip())
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


class PatientsPart(Protocol):
    """What a shown record uses of gui.patient_flow (typed here: no import circle)."""

    def leave_image(self) -> None: ...
    def show_record(self, rec: ScreeningRecord, voided: bool) -> None: ...


class PicturesPart(Protocol):
    """What a shown record uses of gui.viewer_flow."""

    render_gen: int

    def show_timings(self, timings: object) -> None: ...
    def update_nav(self) -> None: ...


class RecordsHost(Protocol):
    """What the History uses of the main window (gui.main_window is not imported)."""

    session: Session
    runner: TaskRunner
    viewer: HeatmapViewer
    result_panel: ResultPanel
    patient_form: PatientForm
    history: HistoryList
    patients: PatientsPart
    pictures: PicturesPart
    store: Store | None
    record: ScreeningRecord | None
    picture: Picture | None
    language: str

    @property
    def operator(self) -> str: ...
    def window(self) -> QWidget: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt API
    def failed(self, message: str) -> None: ...


class RecordsView(QObject):
    """Everything about saved screenings that the main window shows."""

    def __init__(self, window: RecordsHost) -> None:
        super().__init__(window.window())
        self.w = window
        self.voids: dict[int, Void] = {}
        self.overlay_bytes: bytes | None = None  # the shown record's stored heatmap
        window.history.search_changed.connect(self.refresh)
        window.history.opened.connect(self.open)
        window.history.action_requested.connect(self.request)

    # -- words -------------------------------------------------------------------------------
    def status_text(self, status: str) -> str:
        """Short, translated reason for a screening without an answer (never a raw code)."""
        return {
            "unreadable": self.tr("the file could not be read"),
            "too_large": self.tr("the image is too large"),
            "not_modality": self.tr("not the kind of image this screening type is for"),
            "out_of_distribution": self.tr("unlike the images the model was trained on"),
            "poor_quality": self.tr("image quality too poor"),
            "error": self.tr("screening failed"),
        }.get(status, self.tr("no answer"))

    def rule_text(self, exc) -> str:
        values = dict(getattr(exc, "values", {}))
        return {
            "voided": self.tr("This screening was voided; it cannot be assigned."),
            "already_voided": self.tr("This screening is already voided."),
            "same_patient": self.tr("This screening already belongs to {patient}."),
            "reason_required": self.tr("Give a reason: it is kept in the audit trail."),
            "no_patient": self.tr(
                "No patient with ID {patient}. Check the ID, or tick “Create this patient”."
            ),
            "patient_required": self.tr("Enter the patient ID."),
        }.get(exc.rule, str(exc)).format(**{k: str(v) for k, v in values.items()})

    def row_text(self, rec: ScreeningRecord) -> str:
        w = self.w
        summary = presenter.summarize_record(rec, w.session.manifest(rec.pack_id), w.language)
        if summary.answered:
            finding = presenter.finding_line(summary)
            if summary.refer:
                finding += "  ▲ " + self.tr("refer")
        else:
            finding = self.tr("No answer: {reason}").format(reason=self.status_text(rec.status))
        who = rec.patient_code + (f" — {rec.patient_name}" if rec.patient_name else "")
        when = presenter.local_time(rec.created_at)
        who = who or self.tr("(no patient yet)")
        text = f"{when}   {who}   {Path(rec.image_path).name}\n{finding} · {summary.pack_name}"
        void = self.voids.get(rec.id)
        if void is not None:
            text = self.tr("VOIDED: {reason}").format(reason=void.reason) + "\n" + text
        return text

    # -- the list ----------------------------------------------------------------------------
    def refresh(self, query: str = "") -> None:
        from screening import records

        w, history = self.w, self.w.history
        store = w.store
        if store is None:
            with history.begin():
                pass
            history.finish()
            return
        try:
            found = store.list_screenings(query=query or None, limit=300)
            self.voids = records.voids(store)
            job_of_item = {
                r.batch_item_id: store.get_item(r.batch_item_id).job_id
                for r in found
                if r.batch_item_id is not None
            }
        except Exception as exc:  # noqa: BLE001 - shown, never fatal
            with history.begin():
                pass
            history.empty.setText(str(exc))
            history.empty.show()
            return
        with history.begin():
            for entry in history_entries(found, job_of_item):
                if entry.record is not None:
                    self._add(None, entry.record)
                    continue
                job = store.get_job(entry.job_id)  # type: ignore[arg-type]
                parent = history.add_job(
                    job.id,
                    self.tr(
                        "Batch #{id} — {when} — %n screening(s)", "", len(entry.children)
                    ).format(id=job.id, when=presenter.local_time(job.created_at)),
                    job.label,
                )
                for rec in entry.children:
                    self._add(parent, rec)
                parent.setExpanded(bool(query))
        history.finish()

    def _add(self, parent, rec: ScreeningRecord) -> None:
        self.w.history.add_screening(
            parent,
            rec.id,
            self.row_text(rec),
            rec.image_path,
            assigned=rec.patient_id is not None,
            void=self.voids.get(rec.id),
        )

    # -- one record --------------------------------------------------------------------------
    def open(self, screening_id: int) -> None:
        """Show a saved screening: its stored result, image and heatmap, and its patient."""
        from screening import records

        w = self.w
        if w.store is None:
            return
        try:
            rec = w.store.get_screening(screening_id)
            images = w.store.screening_images(screening_id)
            void = records.void_of(w.store, screening_id)
        except Exception as exc:  # noqa: BLE001
            w.failed(str(exc))
            return
        w.patients.leave_image()
        w.record = rec
        w.picture = None
        w.pictures.render_gen += 1  # drop renders still in flight for the live image
        summary = presenter.summarize_record(rec, w.session.manifest(rec.pack_id), w.language)
        if void is not None:
            summary = replace(
                summary,
                answered=False,
                headline="",
                probability=None,
                refer=False,
                bars=(),
                referring=(),
                voided=self.tr("Voided {when} by {who}: {reason}").format(
                    when=presenter.local_time(void.at),
                    who=void.operator or "—",
                    reason=void.reason,
                ),
            )
        w.result_panel.show_summary(summary)
        w.pictures.show_timings(rec.timings)
        self.overlay_bytes = images.overlay if void is None else None
        original, overlay = from_bytes(images.thumbnail), from_bytes(self.overlay_bytes)
        w.viewer.set_frame(original, overlay, w.session.heatmap, fit=True)
        w.viewer.controls.set_classes([], None)  # not the live image's classes
        for widget in (
            w.viewer.controls.class_combo,
            w.viewer.controls.method_combo,
            w.viewer.controls.colormap_combo,
            w.viewer.controls.opacity,
        ):
            widget.setEnabled(False)  # a stored overlay is a fixed picture
        if original is None:
            w.viewer.placeholder.setText(self.tr("No image was stored with this screening."))
        w.patients.show_record(rec, void is not None)
        w.pictures.update_nav()

    def has_overlay(self) -> bool:
        rec = self.w.record
        if rec is None:
            return False
        on_disk = bool(rec.heatmap_path) and Path(rec.heatmap_path).is_file()
        return on_disk or self.overlay_bytes is not None

    def overlay_png(self) -> bytes:
        """*GUI thread* The record's heatmap as PNG: the full-size file a batch saved when it
        is still there, else the copy kept in the database."""
        rec = self.w.record
        if rec is not None and rec.heatmap_path and Path(rec.heatmap_path).is_file():
            data = Path(rec.heatmap_path).read_bytes()
            if data.startswith(b"\x89PNG"):
                return data
        image = QImage.fromData(QByteArray(self.overlay_bytes or b""))
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(buffer.data())

    # -- assign / move / void ----------------------------------------------------------------
    def ask(self, kind: str, rec: ScreeningRecord) -> tuple[str, str, bool] | None:
        """(patient ID, reason, create) from a dialog; None when cancelled. Tests replace it."""
        if kind == "void":
            dialog = RecordDialog(
                self.tr("Void screening #{id}").format(id=rec.id),
                self.tr(
                    "A voided screening stays in the database and the audit trail, but it is "
                    "never shown or printed as a result again. This cannot be undone."
                ),
                ask_patient=False,
                need_reason=True,
                parent=self.w.window(),
            )
        else:
            move = kind == "move"
            intro = (
                self.tr(
                    "Screening #{id} belongs to {patient}. Moving it is recorded with "
                    "the reason; reports printed before still name {patient}."
                )  # fmt: skip
                if move
                else self.tr("Screening #{id} has no patient yet.")
            ).format(id=rec.id, patient=rec.patient_code)
            dialog = RecordDialog(
                self.tr("Move to another patient") if move else self.tr("Assign to a patient"),
                intro,
                ask_patient=True,
                need_reason=move,
                parent=self.w.window(),
            )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.patient.text().strip(), dialog.reason.text(), dialog.create.isChecked()

    def request(self, kind: str, screening_id: int) -> bool:
        w = self.w
        if w.store is None:
            return False
        try:
            rec = w.store.get_screening(screening_id)
        except Exception as exc:  # noqa: BLE001
            w.failed(str(exc))
            return False
        answer = self.ask(kind, rec)
        if answer is None:
            return False
        code, reason, create = answer
        if kind == "void":
            return self.void(screening_id, reason)
        return self.assign(screening_id, code, reason=reason, create=create)

    def assign(
        self, screening_id: int, code: str, *, reason: str = "", create: bool = False, info=None
    ) -> bool:
        """Put a screening on a patient; ``info`` (PatientInfo) creates a new one in full."""
        from screening import records

        w = self.w
        try:
            if info is not None and w.store.get_patient_by_code(code) is None:
                w.store.add_patient(info, operator=w.operator)
            rec = records.assign(
                w.store, screening_id, code, operator=w.operator, reason=reason, create=create
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._say(self.rule_text(exc) if hasattr(exc, "rule") else _message(exc), True)
            return False
        self._changed(
            screening_id,
            self.tr("Screening #{id} is now on {patient}.").format(
                id=rec.id, patient=rec.patient_code
            ),
        )
        return True

    def void(self, screening_id: int, reason: str) -> bool:
        from screening import records

        w = self.w
        try:
            records.void(w.store, screening_id, reason, operator=w.operator)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._say(self.rule_text(exc) if hasattr(exc, "rule") else _message(exc), True)
            return False
        self._changed(screening_id, self.tr("Screening #{id} was voided.").format(id=screening_id))
        return True

    def _changed(self, screening_id: int, message: str) -> None:
        w = self.w
        self.refresh(w.history.search.text())
        if w.record is not None and w.record.id == screening_id:
            self.open(screening_id)
        self._say(message)

    def _say(self, text: str, error: bool = False) -> None:
        self.w.patient_form.show_feedback(text, error)
        self.w.statusBar().showMessage(text, 10000)


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", None) or exc)

"""The Patient tab's behaviour in the main window: the form follows the image shown, a
screening is saved to the patient typed for that image, a second image of this session
for the same patient is saved only after a question, and a saved record without a patient
can be assigned from the form. Rules: ``gui.patient_controller`` and ``screening.records``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from .patient_controller import PatientController, PatientDraft
from .tasks import PoolTask

if TYPE_CHECKING:
    from screening.store import ScreeningRecord, Store

    from .history_panel import HistoryList
    from .patient_panel import PatientForm
    from .session import Picture, Session
    from .tasks import TaskRunner


class RecordsPart(Protocol):
    """What the Patient tab uses of gui.records_view (typed here: no import circle)."""

    def ask(self, kind: str, rec: ScreeningRecord) -> tuple[str, str, bool] | None: ...
    def assign(self, screening_id: int, code: str, **kw: Any) -> bool: ...
    def refresh(self, query: str = "") -> None: ...


class PatientHost(Protocol):
    """What the Patient tab uses of the main window (gui.main_window is not imported)."""

    session: Session
    settings: QSettings
    runner: TaskRunner
    patient_form: PatientForm
    history: HistoryList
    records: RecordsPart
    store: Store | None
    record: ScreeningRecord | None
    picture: Picture | None
    patient_db_id: int | None
    language: str

    @property
    def operator(self) -> str: ...
    def window(self) -> QWidget: ...
    def ask(self, title: str, text: str) -> bool: ...
    def last_folder(self, key: str = "last_folder") -> str: ...


class PatientFlow(QObject):
    def __init__(self, window: PatientHost) -> None:
        super().__init__(window.window())
        self.w = window
        self.form = window.patient_form
        self.rules = PatientController()
        self.form_key: str | None = None  # image whose details the form holds
        self.saved: set[tuple[str, str, str]] = set()  # (pack, source, sha256) saved
        self.record_voided = False
        self.showing_record = False  # the form holds a saved record's patient
        self.form.save_requested.connect(self.save)
        self.form.report_requested.connect(self.save_report_dialog)
        self.form.lookup_requested.connect(self.lookup)

    # -- the form follows the image ---------------------------------------------------------
    def leave_image(self) -> None:
        """Keep what the form holds with the image it was typed for."""
        if self.form_key is not None and self.w.record is None:
            self.rules.leave(self.form_key, self.form.draft())
        self.form_key = None

    def follow(self) -> None:
        """Called whenever the shown image may have changed: show that image's details."""
        w = self.w
        key = w.session.current_path if w.record is None else None
        if key is None or key == self.form_key:
            return
        if self.form_key is None and not self.showing_record:
            # Typed before any image was shown (patient first, then the image): it is this
            # image's patient. Any later image starts empty.
            self.rules.leave(key, self.form.draft())
        self.showing_record = False
        self.leave_image()
        self.form_key = key
        draft = self.rules.enter(key)
        self.form.load(draft)
        self.form.save_button.setText(self.tr("Save screening to patient record"))
        w.patient_db_id = None
        if draft.patient_id.strip():
            self.lookup(draft.patient_id.strip(), keep_form=True)

    def show_record(self, rec: ScreeningRecord, voided: bool) -> None:
        """A saved screening is shown: the form shows its patient (or is empty to assign)."""
        w = self.w
        self.record_voided = voided
        self.showing_record = True
        if rec.patient_id is not None:
            p = w.store.get_patient(rec.patient_id)
            self.form.load(PatientDraft(p.patient_id, p.name, p.sex, p.birth_date, -1, p.notes))
            w.patient_db_id = p.id
        else:
            self.form.load(PatientDraft())
            w.patient_db_id = None
        self.form.save_button.setText(
            self.tr("Move screening to this patient…")
            if rec.patient_id is not None
            else self.tr("Assign screening to this patient")
        )
        self.update_buttons()

    def forget_images(self) -> None:
        self.rules.clear()
        self.form_key = None
        self.showing_record = False
        self.form.load(PatientDraft())
        self.form.save_button.setText(self.tr("Save screening to patient record"))
        self.w.patient_db_id = None

    # -- buttons ---------------------------------------------------------------------------
    def saved_key(self) -> tuple[str, str, str] | None:
        result = self.w.session.current_result
        if result is None or self.w.session.pack_id is None:
            return None
        return (self.w.session.pack_id, result.source, result.image_sha256)

    def update_buttons(self) -> None:
        w = self.w
        if w.record is not None:
            can_save = w.store is not None and not self.record_voided
        else:
            can_save = (
                w.store is not None
                and w.session.current_result is not None
                and self.saved_key() not in self.saved
            )
        self.form.save_button.setEnabled(can_save)
        self.form.report_button.setEnabled(w.store is not None and w.patient_db_id is not None)

    def lookup(self, code: str, keep_form: bool = False) -> None:
        w = self.w
        if w.store is None or not code:
            return
        patient = w.store.get_patient_by_code(code)
        if patient is None:
            w.patient_db_id = None
            self.form.show_feedback(self.tr("New patient: saved with the screening."))
        else:
            w.patient_db_id = patient.id
            if not keep_form and not self.form.name.text().strip():
                self.form.fill(
                    patient.patient_id, patient.name, patient.sex, patient.birth_date, patient.notes
                )
            self.form.show_feedback(
                self.tr("Existing patient: {label}").format(label=patient.label)
            )
        self.update_buttons()

    # -- saving ----------------------------------------------------------------------------
    def _checked_values(self) -> dict[str, str] | None:
        """The form's fields, or None after saying what to fix (no worker, no traceback)."""
        form = self.form
        if form.dicom_unconfirmed:
            form.show_feedback(
                self.tr(
                    "Check the details read from the DICOM file, then press “Details are correct”."
                ),
                True,
            )
            return None
        problem = form.birth_date_problem()
        if problem:
            form.show_feedback(problem, True)
            form.birth_date.setFocus()
            return None
        values = form.values()
        if not values["patient_id"]:
            form.show_feedback(
                self.tr("Enter a patient ID: it is needed to find the patient later."), True
            )
            form.patient_id.setFocus()
            return None
        return values

    def save(self) -> PoolTask | None:
        """Save button: the shown image's screening to the form's patient, or, for a saved
        record, assign / move it to that patient."""
        if self.w.record is not None:
            self.assign_record()
            return None
        return self.save_screening()

    def assign_record(self) -> bool:
        from screening.store import PatientInfo

        w, rec = self.w, self.w.record
        values = self._checked_values()
        if rec is None or values is None:
            return False
        if rec.patient_id is not None:
            if values["patient_id"].casefold() == rec.patient_code.casefold():
                return False
            answer = w.records.ask("move", rec)
            if answer is None:
                return False
            return w.records.assign(rec.id, answer[0] or values["patient_id"], reason=answer[1])
        return w.records.assign(rec.id, values["patient_id"], info=PatientInfo(**values))

    def save_screening(self) -> PoolTask | None:
        """Record the shown screening for the patient in the form (creating or updating it)."""
        w = self.w
        store, pack, result = w.store, w.session.pack, w.session.current_result
        if store is None or pack is None or result is None:
            return None
        values = self._checked_values()
        if values is None:
            return None
        key = w.session.current_path or result.source
        earlier = self.rules.earlier_images(values["patient_id"], key)
        if earlier and not w.ask(
            self.tr("Same patient again?"),
            self.tr(
                "{patient} already has %n screening(s) saved in this session ({files}). "
                "Is this image also of {patient}?",
                "",
                len(earlier),
            ).format(patient=values["patient_id"], files=", ".join(e.label for e in earlier)),
        ):
            self.form.show_feedback(self.tr("Not saved. Check the patient ID."), True)
            return None
        frame = w.picture if w.picture is not None and w.picture.path == result.source else None
        operator = w.operator
        saved_key = self.saved_key()
        label = w.session.short_name(key)

        pixels = shown_overlay = None
        shown = result
        if frame is not None and frame.image is not None:
            pixels = frame.image.pixels
            if frame.overlay is not None and frame.cam is not None and frame.cam.has_evidence:
                shown_overlay = frame.overlay
            shown = frame.result or result

        def work(_: PoolTask):
            from screening.saving import save_to_patient
            from screening.store import PatientInfo

            return save_to_patient(
                store,
                shown,
                PatientInfo(**values),
                manifest=pack.manifest,
                operator=operator,
                pixels=pixels,
                overlay=shown_overlay,
            )

        def done(out) -> None:
            patient, record = out
            if saved_key is not None:
                self.saved.add(saved_key)
            self.rules.record_saved(key, patient.patient_id, label, record.id)
            if w.session.current_path == key and w.record is None:
                w.patient_db_id = patient.id
                self.form.show_feedback(
                    self.tr("Saved to {patient} (screening #{id}).").format(
                        patient=patient.label, id=record.id
                    )
                )
            self.update_buttons()
            w.records.refresh(w.history.search.text())

        def failed(message: str) -> None:
            self.form.show_feedback(message, True)

        return w.runner.start(work, done, failed, name="save")

    # -- reports ---------------------------------------------------------------------------
    def unsaved_result_on_screen(self) -> bool:
        """An image's result is shown that is not in the record, so a report would omit it."""
        w = self.w
        return (
            w.record is None
            and w.session.current_result is not None
            and self.saved_key() not in self.saved
        )

    def confirm_report(self) -> bool:
        """Say before writing that the result on screen is not in the report (issue 19)."""
        if not self.unsaved_result_on_screen():
            return True
        return self.w.ask(
            self.tr("Result not saved"),
            self.tr(
                "The result on screen is not saved to this patient's record, so the report "
                "will not include it. Save it first with \"Save screening to patient record\".\n\n"
                "Write the report without it?"
            ),
        )

    def save_report_dialog(self) -> None:
        w = self.w
        if w.store is None or w.patient_db_id is None or not self.confirm_report():
            return
        from screening.reports import report_filename
        from screening.settings import load_settings

        patient = w.store.get_patient(w.patient_db_id)
        name = report_filename(patient, load_settings().report_options())
        default = Path(w.last_folder("last_report_folder")) / name
        path, _ = QFileDialog.getSaveFileName(
            w.window(), self.tr("Save report"), str(default), self.tr("PDF document (*.pdf)")
        )
        if path:
            w.settings.setValue("last_report_folder", str(Path(path).parent))
            self.write_report(path)

    def write_report(self, path: str | Path, then=None) -> PoolTask | None:
        """The patient's PDF report, written in a worker; ``then(path)`` after it is written."""
        w = self.w
        store, pid = w.store, w.patient_db_id
        if store is None or pid is None:
            return None
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        operator, lang = w.operator, w.language

        def work(_: PoolTask):
            from screening.outputs import write_patient_report
            from screening.settings import load_settings

            extra = {"operator": operator} if operator else {}
            options = load_settings().report_options(language=lang, **extra)
            return write_patient_report(store, pid, target, options, operator=operator)

        def done(info) -> None:
            self.form.show_feedback(
                self.tr("Report saved: {path} ({pages} page(s))").format(
                    path=Path(info.path).name, pages=info.pages
                ),
                link=str(info.path),
            )
            if then is not None:
                then(Path(info.path))

        self.form.show_feedback(self.tr("Writing the report…"))
        return w.runner.start(
            work, done, lambda message: self.form.show_feedback(message, True), name="report"
        )

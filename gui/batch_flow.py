"""The Batch window's behaviour in the main window: start, resume, pause and cancel jobs
(gui.batch.BatchController), fill the table from the store, and write a job's summary
report and CSV export.

Why a module of its own: the window keeps only layout and menus. What this needs from the
window is named in ``BatchHost`` (no import of gui.main_window, so no import circle); the
shared state (store, catalog, language, clinic settings) is read from the Session. Strings
keep their "MainWindow" translation context, so the catalogue needs no new entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QSettings
from PySide6.QtWidgets import QFileDialog, QStatusBar, QWidget

from .batch import BatchController, BatchSources, Outcome, row_for, unfinished_jobs
from .tasks import PoolTask

if TYPE_CHECKING:
    from inference.packs import ModelPack
    from screening.queue import Progress

    from .batch_dialog import BatchDialog
    from .history_panel import HistoryList
    from .session import Session
    from .tasks import TaskRunner

translate = QCoreApplication.translate


class BatchHost(Protocol):
    """What the batch flow uses of the main window."""

    session: Session
    settings: QSettings
    runner: TaskRunner
    history: HistoryList

    @property
    def operator(self) -> str: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt API
    def ask(self, title: str, text: str) -> bool: ...
    def last_folder(self, key: str = "last_folder") -> str: ...
    def refresh_history(self, query: str = "") -> None: ...


def selected_job(dialog: BatchDialog | None) -> int | None:
    """The job the batch window's list has selected (None when there is none)."""
    data = dialog.jobs.currentData() if dialog is not None else None
    return int(data) if data is not None else None


class BatchFlow(QObject):
    """Connects the Batch window to the BatchController and the store."""

    def __init__(self, host: BatchHost, batch: BatchController, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent
        self.session = host.session
        self.batch = batch
        self.dialog: BatchDialog | None = None
        self._job_patients: dict[int, str] = {}
        self._job_labels: dict[str, str] = {}

    def _status(self, text: str, ms: int) -> None:
        self.host.statusBar().showMessage(text, ms)

    # -- the window ------------------------------------------------------------------------
    def offer_resume(self) -> int | None:
        """On start-up: a batch a crash left unfinished is offered for resuming."""
        store, catalog = self.session.store, self.session.catalog
        if store is None or catalog is None or self.batch.running:
            return None
        try:
            jobs = unfinished_jobs(store, catalog.ids)
        except Exception:  # noqa: BLE001 - the offer is a convenience
            return None
        if not jobs:
            return None
        job = jobs[0]
        counts = store.job_counts(job.id)
        pack = next(p for p in catalog.packs if p.id == job.pack_id)
        text = translate(
            "MainWindow",
            "Batch #{id} ({pack}) was interrupted with {done} of {total} images screened. "
            "Resume it now?",
        ).format(
            id=job.id,
            pack=pack.manifest.display_name.get(self.session.language),
            done=counts.finished,
            total=counts.total,
        )
        if weak := self._weak_warning(pack):
            text += "\n\n⚠ " + weak
        if not self.host.ask(translate("MainWindow", "Unfinished batch"), text):
            return None
        self.open()
        self.resume_job(job.id)
        return job.id

    def open(self) -> BatchDialog:
        from .batch_dialog import BatchDialog

        if self.dialog is None:
            d = BatchDialog(self.parent_widget)
            d.browse_requested.connect(self._browse)
            d.start_requested.connect(self.start_job)
            d.resume_requested.connect(self.resume_job)
            d.retry_requested.connect(lambda job_id: self.resume_job(job_id, retry_failed=True))
            d.pause_toggled.connect(lambda p: self.batch.pause() if p else self.batch.resume())
            d.cancel_requested.connect(self.batch.cancel)
            d.job_selected.connect(self.show_job)
            d.report_requested.connect(self._report_dialog)
            d.export_requested.connect(self._export_dialog)
            self.batch.job_started.connect(self._job_started)
            self.batch.progressed.connect(self._job_progress)
            self.batch.finished.connect(self._job_finished)
            self.batch.failed.connect(self._job_failed)
            settings = self.host.settings
            geometry = settings.value("batch/geometry")
            if geometry is not None:
                d.restoreGeometry(geometry)
            d.finished.connect(lambda _: settings.setValue("batch/geometry", d.saveGeometry()))
            d.language = self.session.language
            self.dialog = d
            if self.session.store is None:
                d.state.setText(
                    translate("MainWindow", "Batches need the patient database: {reason}").format(
                        reason=self.session.store_error or translate("MainWindow", "not open yet")
                    )
                )
                d.setEnabled(self.session.store is not None)
        self._refresh_jobs(self.batch.job_id)
        self.show_pack_name()
        # After a restart the list selects the newest job: show its items, not an empty table.
        job_id = self.batch.job_id if self.batch.job_id is not None else selected_job(self.dialog)
        if job_id is not None and not self.batch.running:
            self.show_job(job_id)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def show_pack_name(self) -> None:
        """The screening type a new batch uses (the main window's choice)."""
        if self.dialog is None:
            return
        pack = self.session.pack
        name = pack.manifest.display_name.get(self.session.language) if pack is not None else ""
        self.dialog.set_pack_name(name or translate("MainWindow", "none chosen"))
        label = self.dialog.pack_label
        if weak := self._weak_warning(pack):  # seen before Start is pressed (issue 16)
            from .result_panel import WARN_STYLE

            label.setText(label.text() + "\n⚠ " + weak)
            label.setStyleSheet(WARN_STYLE)
        else:
            label.setStyleSheet("")

    def _weak_warning(self, pack: ModelPack | None) -> str:
        """The pack's weak-pack warning (screening.pack_warnings), "" when it has none."""
        from screening.pack_warnings import warning_text

        return warning_text(pack.manifest if pack is not None else None, self.session.language)

    def _browse(self, kind: str) -> None:
        d, settings, last_folder = self.dialog, self.host.settings, self.host.last_folder
        if kind == "files":
            files, _ = QFileDialog.getOpenFileNames(
                d,
                translate("MainWindow", "Add images"),
                last_folder(),
                translate(
                    "MainWindow",
                    "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif *.dcm *.dicom)",
                ),
            )
            if files:
                settings.setValue("last_folder", str(Path(files[0]).parent))
                d.add_sources(files)
        elif kind == "folder":
            folder = QFileDialog.getExistingDirectory(
                d, translate("MainWindow", "Add a folder of images"), last_folder()
            )
            if folder:
                settings.setValue("last_folder", folder)
                d.add_sources([folder])
        else:
            path, _ = QFileDialog.getOpenFileName(
                d,
                translate("MainWindow", "Patient list"),
                last_folder(),
                translate("MainWindow", "CSV file (*.csv);;All files (*)"),
            )
            if path:
                d.set_mapping(path)

    # -- jobs ------------------------------------------------------------------------------
    def job_pack(self, job_id: int | None = None) -> ModelPack | None:
        """The pack a job ran with (None: not installed any more); no job: the chosen one."""
        store, catalog = self.session.store, self.session.catalog
        if job_id is None or store is None or catalog is None:
            return self.session.pack
        pack_id = store.get_job(job_id).pack_id
        return next((p for p in catalog.packs if p.id == pack_id), None)

    def start_job(self, sources: BatchSources) -> PoolTask | None:
        pack = self.session.pack
        if pack is None or self.session.store is None:
            self._job_failed(translate("MainWindow", "Choose a screening type first."))
            return None
        return self._run_job(self.batch.start(pack, sources), pack)

    def resume_job(self, job_id: int, retry_failed: bool = False) -> PoolTask | None:
        pack = self.job_pack(job_id)
        if pack is None:
            self._job_failed(
                translate(
                    "MainWindow", "The screening type of this batch is not installed any more."
                )
            )
            return None
        return self._run_job(
            self.batch.start(pack, job_id=job_id, retry_failed=retry_failed), pack
        )

    def _run_job(self, task: PoolTask | None, pack: ModelPack) -> PoolTask | None:
        if task is not None and self.dialog is not None:
            self._job_patients.clear()
            self.dialog.set_running(True)
            self.dialog.set_job_buttons(None)
            self.dialog.progress.setRange(0, 0)
            text = translate("MainWindow", "Preparing the batch…")
            if weak := self._weak_warning(pack):  # also for a resumed job of another type
                text += "\n⚠ " + weak
            self.dialog.state.setText(text)
        return task

    def _job_started(self, job_id: int, resumed: bool) -> None:
        self._refresh_jobs(job_id)
        if self.dialog is not None:
            self.show_job(job_id, buttons=False)

    def _job_progress(self, p: Progress) -> None:
        d, store = self.dialog, self.session.store
        if d is None:
            return
        d.show_progress(p.finished, p.total, p.failed, p.state)
        d.set_job_summary(p.job_id, p.finished, p.total, p.state)
        if p.item is not None and store is not None:
            d.update_row(
                row_for(
                    p.item,
                    store,
                    self._manifests(),
                    self.session.language,
                    self._job_patients,
                    self._job_labels,
                )
            )
        self._status(
            translate("MainWindow", "Batch: {finished} of {total}").format(
                finished=p.finished, total=p.total
            ),
            3000,
        )

    def _job_finished(self, outcome: Outcome) -> None:
        if self.dialog is not None:
            self.dialog.set_running(False)
            self._refresh_jobs(outcome.job_id)
            self.show_job(outcome.job_id)
        self.host.refresh_history(self.host.history.search.text())
        store = self.session.store
        if store is not None:  # the same words and numbers as the PDF and the CSV
            from screening.outcomes import job_outcomes

            counts = job_outcomes(store, outcome.job_id)
            self._status(
                translate("MainWindow", "Batch #{id}: {summary}").format(
                    id=outcome.job_id, summary=counts.summary(self.session.language)
                ),
                10000,
            )

    def _job_failed(self, message: str) -> None:
        d = self.dialog
        if d is not None:
            d.set_running(False)
            d.progress.setRange(0, 1)
            self._message(message, error=True)
            if self.batch.job_id is not None:
                self._refresh_jobs(self.batch.job_id)
                self.show_job(self.batch.job_id, state_text=False)
        self._status(message, 10000)

    def _manifests(self) -> dict[str, Any]:
        catalog = self.session.catalog
        return {p.id: p.manifest for p in catalog.packs} if catalog is not None else {}

    def _refresh_jobs(self, current: int | None) -> None:
        store = self.session.store
        if self.dialog is None or store is None:
            return
        jobs = [(j, store.job_counts(j.id)) for j in store.list_jobs(limit=30)]
        self.dialog.set_jobs(jobs, current)

    def show_job(self, job_id: int, buttons: bool = True, state_text: bool = True) -> None:
        """Fill the batch table with a job's items as the store has them."""
        d, store = self.dialog, self.session.store
        if d is None or store is None:
            return
        from .names import short_labels

        items = store.job_items(job_id)
        manifests, patients, language = self._manifests(), {}, self.session.language
        self._job_labels = short_labels(i.path for i in items)
        d.set_rows(
            [row_for(i, store, manifests, language, patients, self._job_labels) for i in items]
        )
        counts = store.job_counts(job_id)
        if state_text:
            d.show_progress(
                counts.finished, counts.total, counts.failed, store.get_job(job_id).state
            )
        if buttons:
            d.set_job_buttons(counts)

    # -- a job's report and export ---------------------------------------------------------
    def _report_dialog(self, job_id: int) -> None:
        folder = self.host.last_folder("last_report_folder")
        path, _ = QFileDialog.getSaveFileName(
            self.dialog,
            translate("MainWindow", "Save summary report"),
            str(Path(folder) / f"batch-{job_id}-summary.pdf"),
            translate("MainWindow", "PDF document (*.pdf)"),
        )
        if path:
            self.host.settings.setValue("last_report_folder", str(Path(path).parent))
            self.write_report(job_id, path)

    def write_report(self, job_id: int, path: str | Path) -> PoolTask | None:
        """The batch summary PDF and its audit entry (screening.outputs), in a worker."""
        store = self.session.store
        if store is None:
            return None
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        operator, lang, clinic = self.host.operator, self.session.language, self.session.clinic

        def work(_: PoolTask):
            from screening.outputs import write_batch_summary
            from screening.settings import ClinicSettings

            options = (clinic or ClinicSettings()).report_options(language=lang, operator=operator)
            return write_batch_summary(store, job_id, target, options, operator=operator)

        return self.host.runner.start(
            work,
            lambda info: self._message(
                translate("MainWindow", "Summary report saved: {path} ({pages} page(s))").format(
                    path=Path(info.path).name, pages=info.pages
                ),
                str(info.path),
            ),
            self._message_error,
            name="batch-report",
        )

    def _export_dialog(self, job_id: int) -> None:
        folder = self.host.last_folder("last_report_folder")
        path, _ = QFileDialog.getSaveFileName(
            self.dialog,
            translate("MainWindow", "Export results"),
            str(Path(folder) / f"batch-{job_id}-results.csv"),
            translate("MainWindow", "CSV file (*.csv)"),
        )
        if path:
            self.host.settings.setValue("last_report_folder", str(Path(path).parent))
            self.export_csv(job_id, path)

    def export_csv(self, job_id: int, path: str | Path) -> PoolTask | None:
        """The job's results as CSV for spreadsheets, audited (screening.outputs), in a worker."""
        store = self.session.store
        if store is None:
            return None
        target = Path(path)
        if target.suffix.lower() != ".csv":
            target = target.with_suffix(".csv")
        pack = self.job_pack(job_id)
        operator, clinic = self.host.operator, self.session.clinic

        def work(_: PoolTask):
            from screening.export import ExportOptions
            from screening.outputs import export_job_results, job_class_ids

            class_ids = job_class_ids(store, job_id, pack.manifest if pack is not None else None)
            options = ExportOptions(include_patient_names=bool(clinic and clinic.names_in_exports))
            return export_job_results(
                store, job_id, target, class_ids, options, operator=operator
            ).path

        return self.host.runner.start(
            work,
            lambda p: self._message(
                translate("MainWindow", "Results exported: {path}").format(path=Path(p).name),
                str(p),
            ),
            self._message_error,
            name="batch-export",
        )

    def _message(self, text: str, link: str = "", error: bool = False) -> None:
        from .patient_panel import set_text_with_link

        if self.dialog is not None:
            state = self.dialog.state
            state.setStyleSheet("QLabel { color: #a61b1b; }" if error else "")
            set_text_with_link(state, text, link, translate("MainWindow", "Open"))
        self._status(text, 10000)

    def _message_error(self, text: str) -> None:
        self._message(text, error=True)

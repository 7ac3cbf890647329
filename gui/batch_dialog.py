"""The Batch window: many files for one or many patients, progress, pause/resume/cancel,
retry failed, and the summary PDF and CSV of a job. Work runs in ``gui.batch``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .batch import BatchSources, Row
from .plaintext import plain, tooltip

if TYPE_CHECKING:
    from screening.store import BatchJob, JobCounts

KIND_COLOURS = {"refer": "#fde2e1", "flagged": "#fff1cc", "failed": "#fff1cc"}


class BatchDialog(QDialog):
    """Widgets only; the main window connects them to its BatchController."""

    start_requested = Signal(object)  # BatchSources
    resume_requested = Signal(int)  # job id
    retry_requested = Signal(int)
    pause_toggled = Signal(bool)  # True: pause
    cancel_requested = Signal()
    job_selected = Signal(int)
    report_requested = Signal(int)
    export_requested = Signal(int)
    browse_requested = Signal(str)  # "files" | "folder" | "mapping"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Batch screening"))
        self.paths: list[str] = []
        self.mapping = ""

        # -- what to screen --------------------------------------------------------------
        self.add_files = QPushButton(self.tr("Add files…"))
        self.add_folder = QPushButton(self.tr("Add folder…"))
        self.add_mapping = QPushButton(self.tr("Patient list (CSV)…"))
        self.add_mapping.setToolTip(
            self.tr("A CSV file with the columns 'file' and 'patient_id', one row per image")
        )
        self.clear_sources = QPushButton(self.tr("Clear"))
        self.sources = QListWidget()
        self.sources.setMaximumHeight(self.fontMetrics().height() * 3 + 12)
        self.sources.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sources.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.patients = QComboBox()
        self.patients.addItem(self.tr("No patient (assign later)"), "none")
        self.patients.addItem(self.tr("All images belong to one patient"), "one")
        self.patients.addItem(
            self.tr("One subfolder per patient (folder name = patient ID)"), "folder"
        )
        self.patient_code = QLineEdit()
        self.patient_code.setPlaceholderText(self.tr("Patient ID"))
        self.patient_code.setEnabled(False)
        self.pack_label = QLabel()
        self.pack_label.setWordWrap(True)
        plain(self.pack_label)
        self.language = "en"  # of the outcome words (screening.outcomes), set by the window
        self.rows: list[Row] = []
        self.start_button = QPushButton(self.tr("Start screening"))
        self.start_button.setDefault(True)
        self.start_button.setEnabled(False)

        add_row = QHBoxLayout()
        for b in (self.add_files, self.add_folder, self.add_mapping, self.clear_sources):
            add_row.addWidget(b)
        add_row.addStretch(1)
        who = QHBoxLayout()
        who.addWidget(QLabel(self.tr("Patients")))
        who.addWidget(self.patients, 1)
        who.addWidget(self.patient_code)
        who.addWidget(self.start_button)
        inputs = QGroupBox(self.tr("Images to screen"))
        in_layout = QVBoxLayout(inputs)
        in_layout.addLayout(add_row)
        in_layout.addWidget(self.sources)
        in_layout.addLayout(who)
        in_layout.addWidget(self.pack_label)

        # -- the job ---------------------------------------------------------------------
        self.jobs = QComboBox()
        self.jobs.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.jobs.setMinimumContentsLength(24)
        self.progress = QProgressBar()
        self.progress.setFormat(self.tr("%v of %m"))
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)  # no "0 of 1" before there is a batch
        self.state = QLabel(self.tr("No batch yet."))
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setCheckable(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.resume_button = QPushButton(self.tr("Resume"))
        # The items it queues again never reached the model (unreadable, missing, an error);
        # their rows read "no answer" or "failed", so the button names what it does instead.
        self.retry_button = QPushButton(self.tr("Read unread files again"))
        self.retry_button.setToolTip(
            self.tr(
                "Queue again the files that could not be read or screened, for example after "
                "reconnecting a drive or replacing a damaged file."
            )
        )
        self.report_button = QPushButton(self.tr("Summary report (PDF)…"))
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("File"), self.tr("Patient"), self.tr("Result"), self.tr("State")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A reason's start says what it is; the whole text is in the tooltip and below.
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setStyleSheet("QLabel { color: #3e4c59; padding: 2px; }")
        plain(self.detail)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_detail(row))

        job_row = QHBoxLayout()
        job_row.addWidget(QLabel(self.tr("Job")))
        job_row.addWidget(self.jobs, 1)
        controls = QGridLayout()
        controls.addWidget(self.progress, 0, 0, 1, 4)
        controls.addWidget(self.state, 1, 0, 1, 4)
        controls.addWidget(self.pause_button, 2, 0)
        controls.addWidget(self.cancel_button, 2, 1)
        controls.addWidget(self.resume_button, 2, 2)
        controls.addWidget(self.retry_button, 2, 3)
        outputs = QHBoxLayout()
        outputs.addStretch(1)
        outputs.addWidget(self.report_button)
        outputs.addWidget(self.export_button)
        self.close_button = QPushButton(self.tr("Close"))
        outputs.addWidget(self.close_button)
        job_box = QGroupBox(self.tr("Progress and results"))
        job_layout = QVBoxLayout(job_box)
        job_layout.addLayout(job_row)
        job_layout.addLayout(controls)
        job_layout.addWidget(self.table, 1)
        job_layout.addWidget(self.detail)

        layout = QVBoxLayout(self)
        layout.addWidget(inputs)
        layout.addWidget(job_box, 1)
        layout.addLayout(outputs)
        self.resize(900, 640)

        self.add_files.clicked.connect(lambda: self.browse_requested.emit("files"))
        self.add_folder.clicked.connect(lambda: self.browse_requested.emit("folder"))
        self.add_mapping.clicked.connect(lambda: self.browse_requested.emit("mapping"))
        self.clear_sources.clicked.connect(self.clear)
        self.patients.currentIndexChanged.connect(self._patients_changed)
        self.start_button.clicked.connect(lambda: self.start_requested.emit(self.sources_value()))
        self.pause_button.toggled.connect(self._pause_toggled)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.resume_button.clicked.connect(self._emit_for_job(self.resume_requested))
        self.retry_button.clicked.connect(self._emit_for_job(self.retry_requested))
        self.report_button.clicked.connect(self._emit_for_job(self.report_requested))
        self.export_button.clicked.connect(self._emit_for_job(self.export_requested))
        self.jobs.activated.connect(lambda i: self._emit_for_job(self.job_selected)())
        self.close_button.clicked.connect(self.close)
        self.set_running(False)
        self.set_job_buttons(None)

    # -- inputs ----------------------------------------------------------------------------
    def add_sources(self, paths: list[str]) -> None:
        for p in paths:
            if p not in self.paths:
                self.paths.append(p)
                self.sources.addItem(p + ("/" if Path(p).is_dir() else ""))
        self._update_start()

    def set_mapping(self, path: str) -> None:
        if self.mapping:
            for i in range(self.sources.count()):
                if self.sources.item(i).data(Qt.ItemDataRole.UserRole) == "mapping":
                    self.sources.takeItem(i)
                    break
        self.mapping = path
        self.sources.addItem(self.tr("Patient list: {path}").format(path=path))
        self.sources.item(self.sources.count() - 1).setData(Qt.ItemDataRole.UserRole, "mapping")
        self._update_start()

    def clear(self) -> None:
        self.paths, self.mapping = [], ""
        self.sources.clear()
        self._update_start()

    def _patients_changed(self, _: int) -> None:
        self.patient_code.setEnabled(self.patients.currentData() == "one")
        self._update_start()

    def _update_start(self) -> None:
        self.start_button.setEnabled(
            bool(self.paths or self.mapping) and not self._running and self.isEnabled()
        )

    def set_pack_name(self, name: str) -> None:
        self.pack_label.setText(
            self.tr("Screening type: {name} (change it in the main window)").format(name=name)
        )

    def sources_value(self) -> BatchSources:
        mode = self.patients.currentData()
        return BatchSources(
            paths=tuple(self.paths),
            mapping_csv=self.mapping,
            patient_code=self.patient_code.text().strip() if mode == "one" else "",
            folder_per_patient=mode == "folder",
        )

    # -- the job ---------------------------------------------------------------------------
    def _emit_for_job(self, signal):
        def emit() -> None:
            job_id = self.jobs.currentData()
            if job_id is not None:
                signal.emit(int(job_id))

        return emit

    def _pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Continue") if paused else self.tr("Pause"))
        self.pause_toggled.emit(paused)

    _running = False

    def set_running(self, running: bool) -> None:
        self._running = running
        for w in (self.add_files, self.add_folder, self.add_mapping, self.clear_sources):
            w.setEnabled(not running)
        self.jobs.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        if not running:
            with QSignalBlocker(self.pause_button):
                self.pause_button.setChecked(False)
                self.pause_button.setText(self.tr("Pause"))
        self._update_start()

    def set_job_buttons(self, counts: JobCounts | None) -> None:
        has_job = counts is not None and not self._running
        self.resume_button.setEnabled(has_job and bool(counts and counts.pending))
        self.retry_button.setEnabled(has_job and bool(counts and counts.failed))
        self.report_button.setEnabled(has_job and bool(counts and counts.finished))
        self.export_button.setEnabled(has_job and bool(counts and counts.total))

    def set_jobs(self, jobs: list[tuple[BatchJob, JobCounts]], current: int | None) -> None:
        with QSignalBlocker(self.jobs):
            self.jobs.clear()
            for job, counts in jobs:
                when = job.created_at[:16].replace("T", " ")
                text = f"#{job.id} {when} — " + self.tr("{done} of {total} done ({state})").format(
                    done=counts.finished, total=counts.total, state=self.state_name(job.state)
                )
                self.jobs.addItem(text, job.id)
                self.jobs.setItemData(self.jobs.count() - 1, job.label, Qt.ItemDataRole.ToolTipRole)
            if current is not None:
                self.jobs.setCurrentIndex(max(0, self.jobs.findData(current)))

    def set_job_summary(self, job_id: int, finished: int, total: int, state: str) -> None:
        """Keep the job list's line for a running job current."""
        index = self.jobs.findData(job_id)
        if index < 0:
            return
        text = self.jobs.itemText(index)
        head = text.split(" — ")[0]
        self.jobs.setItemText(
            index,
            head
            + " — "
            + self.tr("{done} of {total} done ({state})").format(
                done=finished, total=total, state=self.state_name(state)
            ),
        )

    def state_name(self, state: str) -> str:
        return {
            "pending": self.tr("waiting"),
            "running": self.tr("running"),
            "paused": self.tr("paused"),
            "cancelled": self.tr("cancelled"),
            "done": self.tr("finished"),
        }.get(state, state)

    def outcome_counts(self):
        """Answered / refused / failed / not done over the table's rows; each row's outcome
        comes from screening.outcomes.outcome_of, the same words as the CLI, CSV and PDF."""
        from collections import Counter

        from screening.outcomes import OutcomeCounts

        n = Counter(r.outcome for r in self.rows)
        return OutcomeCounts(
            answered=n["answered"],
            refused=n["refused"],
            failed=n["failed"],
            not_done=n["not_done"],
            referred=sum(r.kind == "refer" for r in self.rows),
        )

    def show_progress(self, finished: int, total: int, failed: int, state: str) -> None:
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setStyleSheet("")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(finished)
        self.progress.setTextVisible(total > 0)
        text = self.tr("{finished} of {total} images done").format(finished=finished, total=total)
        if self.rows:
            text += " · " + self.outcome_counts().summary(self.language)
        if state != "running":
            text += " · " + self.state_name(state)
        self.state.setText(text)

    def set_rows(self, rows: list[Row]) -> None:
        self.rows = list(rows)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            self._fill(i, row)
        self._show_detail(self.table.currentRow())

    def update_row(self, row: Row) -> None:
        if row.position >= self.table.rowCount():
            self.table.setRowCount(row.position + 1)
        while len(self.rows) <= row.position:
            self.rows.append(row)
        self.rows[row.position] = row
        self._fill(row.position, row)
        if row.position == self.table.currentRow():
            self._show_detail(row.position)

    def _show_detail(self, index: int) -> None:
        """The selected row in full: path, patient and the whole reason."""
        if not 0 <= index < len(self.rows):
            self.detail.clear()
            return
        row = self.rows[index]
        parts = [row.path or row.file]
        if row.patient:
            parts.append(self.tr("Patient: {patient}").format(patient=row.patient))
        if row.result:
            parts.append(row.result)
        self.detail.setText("\n".join(parts))

    def _fill(self, index: int, row: Row) -> None:
        kinds = {
            "pending": self.tr("waiting"),
            "ok": self.tr("screened"),
            "refer": self.tr("refer"),
            "flagged": self.tr("no answer"),
            "failed": self.tr("failed"),
        }
        colour = KIND_COLOURS.get(row.kind)
        cells = (row.file, row.patient, row.result, kinds[row.kind])
        tips = (row.path or row.file, row.patient, row.result, kinds[row.kind])
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(tooltip(tips[col]))
            if colour:
                item.setBackground(QBrush(QColor(colour)))
            self.table.setItem(index, col, item)

    def row_texts(self, index: int) -> tuple[str, ...]:
        return tuple(self.table.item(index, c).text() for c in range(self.table.columnCount()))

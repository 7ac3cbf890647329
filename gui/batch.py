"""Batch screening in the GUI: the same persisted queue as ``cliniclens batch``.

``screening.queue.BatchQueue`` does the work (items persisted before work starts, one
transaction per finished item, resumable after a crash). This module runs it in a
QThreadPool worker and turns its progress callback into Qt signals; the plain functions at
the top decide what is shown, so tests drive them without a window.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from .scan import expand
from .tasks import PoolTask, TaskRunner

if TYPE_CHECKING:
    from inference.packs import ModelPack
    from screening.queue import Progress, QueueInput
    from screening.store import BatchItem, BatchJob, JobCounts, Store

    from .session import Session

# Jobs in these states with items still pending were interrupted (a crash leaves "running").
UNFINISHED_STATES = ("running", "paused", "pending")


@dataclass(frozen=True)
class BatchSources:
    """What the user put in the batch: files/folders, an optional CSV mapping, patients."""

    paths: tuple[str, ...] = ()
    mapping_csv: str = ""
    patient_code: str = ""  # everything belongs to this patient ("" for none)
    folder_per_patient: bool = False  # first-level subfolder name = patient ID

    @property
    def empty(self) -> bool:
        return not self.paths and not self.mapping_csv


@dataclass(frozen=True)
class Gathered:
    inputs: tuple[QueueInput, ...]
    skipped: int  # files in folders that are not images by name
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """One line of the batch table."""

    position: int
    file: str
    patient: str
    result: str  # class name, or why there is no answer; "" while pending
    kind: str  # pending | ok | refer | flagged | failed
    outcome: str = "not_done"  # screening.outcomes: answered | refused | failed | not_done
    path: str = ""  # the full path, for the tooltip and the detail pane


@dataclass(frozen=True)
class Outcome:
    job_id: int
    counts: JobCounts
    state: str  # done | cancelled | paused


def gather(sources: BatchSources) -> Gathered:
    """*worker* The files of a batch, each once, with the patient ID each belongs to.

    Chosen files are taken as they are (a bad one gets a row saying why); folders are
    scanned for image files like a drop on the main window."""
    from screening.queue import QueueInput, read_mapping

    inputs: list[QueueInput] = (
        list(read_mapping(sources.mapping_csv)) if sources.mapping_csv else []
    )
    seen = {os.path.normcase(os.path.abspath(i.path)) for i in inputs}
    skipped, missing = 0, []
    for raw in sources.paths:
        outcome = expand([raw])
        skipped += outcome.skipped
        missing += outcome.missing
        root = Path(raw)
        for file in outcome.images:
            key = os.path.normcase(os.path.abspath(file))
            if key in seen:
                continue
            seen.add(key)
            code = sources.patient_code
            if sources.folder_per_patient and root.is_dir():
                parts = Path(file).relative_to(root).parts
                code = parts[0] if len(parts) > 1 else sources.patient_code
            inputs.append(QueueInput(file, code))
    return Gathered(tuple(inputs), skipped, tuple(missing))


def row_for(
    item: BatchItem,
    store: Store,
    manifests: dict[str, Any],
    language: str = "en",
    patients: dict[int, str] | None = None,
    labels: dict[str, str] | None = None,
) -> Row:
    """What the table shows for one item (reads its screening and patient from the store).
    ``labels``: file names made distinct within the job (gui.names.short_labels)."""
    from screening.outcomes import outcome_of

    from .presenter import finding_line, status_reason, summarize_record

    patient = ""
    if item.patient_id is not None:
        cache = patients if patients is not None else {}
        if item.patient_id not in cache:
            cache[item.patient_id] = store.get_patient(item.patient_id).patient_id
        patient = cache[item.patient_id]
    name = (labels or {}).get(item.path) or Path(item.path).name
    at = (item.position, name, patient)
    if item.state == "pending":
        return Row(*at, "", "pending", "not_done", item.path)
    if item.state == "failed" or item.screening_id is None:
        reason = status_reason(item.status, item.error, language)
        outcome = outcome_of(item.status or "error")
        # The State column says what the counts above it say (screening.outcomes): a file
        # that could not be read is a refusal there, so it reads "no answer", not "failed".
        kind = "failed" if outcome == "failed" else "flagged"
        return Row(*at, reason, kind, outcome, item.path)
    rec = store.get_screening(item.screening_id)
    if not rec.answered:
        man = manifests.get(rec.pack_id)
        reason = status_reason(rec.status, rec.message, language, man.modality if man else "")
        return Row(*at, reason, "flagged", outcome_of(rec.status), item.path)
    # The referral's class when it is not the top one (one message, as in the result panel).
    text = finding_line(summarize_record(rec, manifests.get(rec.pack_id), language))
    return Row(*at, text, "refer" if rec.refer else "ok", "answered", item.path)


def unfinished_jobs(store: Store, pack_ids: Sequence[str], limit: int = 20) -> list[BatchJob]:
    """Jobs a crash (or a quit) left with work to do, for packs that are installed."""
    found = []
    for job in store.list_jobs(limit=limit):
        if job.state in UNFINISHED_STATES and job.pack_id in pack_ids:
            if store.job_counts(job.id).pending:
                found.append(job)
    return found


class BatchController(QObject):
    """Runs one batch job at a time in the pool; pause/resume/cancel from the GUI thread."""

    job_started = Signal(int, bool)  # job id, resumed
    progressed = Signal(object)  # screening.queue.Progress
    finished = Signal(object)  # Outcome
    failed = Signal(str)

    def __init__(self, runner: TaskRunner, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.session = session
        self.store: Store | None = None
        self.operator = ""
        self.job_id: int | None = None
        self.task: PoolTask | None = None
        self._queue: Any = None
        self._paused = False

    @property
    def running(self) -> bool:
        return self.task is not None

    @property
    def paused(self) -> bool:
        return self._paused

    def start(
        self,
        pack: ModelPack,
        sources: BatchSources | None = None,
        *,
        job_id: int | None = None,
        retry_failed: bool = False,
    ) -> PoolTask | None:
        """A new job from ``sources`` (or the same inputs' unfinished job), or resume ``job_id``."""
        if self.running or self.store is None:
            return None
        store, session, operator = self.store, self.session, self.operator
        self._paused = False

        def work(task: PoolTask) -> Outcome:
            from screening.errors import InvalidInputError
            from screening.queue import BatchQueue

            queue = BatchQueue(store, session.screener(pack), workers=2, operator=operator)
            self._queue = queue
            if self._paused:
                queue.pause()
            if job_id is not None:
                job, resumed = store.get_job(job_id), True
            else:
                got = gather(sources or BatchSources())
                if not got.inputs:
                    raise InvalidInputError(
                        self.tr("No images were found in the files and folders given.")
                    )
                label = ", ".join(Path(p).name for p in (sources.paths if sources else ()))
                job, resumed = queue.submit(
                    got.inputs, label=label[:200], options={"source": "gui"}
                )
                if resumed and not store.job_counts(job.id).pending and not retry_failed:
                    job, resumed = queue.submit(got.inputs, label=label[:200], new=True)
            if retry_failed:
                queue.retry_failed(job.id)
            task.report(0, 0, ("job", job.id, resumed))
            if task.cancelled:
                return Outcome(job.id, store.job_counts(job.id), store.get_job(job.id).state)

            def report(p: Progress) -> None:
                if task.cancelled:  # a cancel that came before run() had started
                    queue.cancel()
                task.report(p.finished, p.total, p)

            counts = queue.run(job.id, report)
            state = store.get_job(job.id).state
            return Outcome(job.id, counts, state)

        def progress(_done: int, _total: int, payload: object) -> None:
            if isinstance(payload, tuple) and payload and payload[0] == "job":
                self.job_id = int(payload[1])
                self.job_started.emit(self.job_id, bool(payload[2]))
            else:
                self.progressed.emit(payload)

        def done(outcome: Outcome) -> None:
            self.task, self._queue = None, None
            self._paused = False
            self.finished.emit(outcome)

        def failed(message: str) -> None:
            self.task, self._queue = None, None
            self._paused = False
            self.failed.emit(message)

        self.task = self.runner.start(work, done, failed, progress, name="batch")
        return self.task

    def pause(self) -> None:
        self._paused = True
        if self._queue is not None:
            self._queue.pause()

    def resume(self) -> None:
        self._paused = False
        if self._queue is not None:
            self._queue.resume()

    def cancel(self) -> None:
        """Stop after the items in hand; what is left stays pending and can be resumed."""
        self._paused = False
        if self.task is not None:
            self.task.cancel()
        if self._queue is not None:
            self._queue.cancel()

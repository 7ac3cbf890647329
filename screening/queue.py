"""The persisted batch queue: many files, one pack, a worker pool, and no lost work.

Every item is written to the store before work starts. A worker screens one item and
then, in ONE transaction, stores the screening and marks the item done. So killing the
process at any moment leaves each item either pending, failed (never reached the model,
reason recorded) or done with exactly one screening; running the same job again picks up
the pending ones. Progress goes to a plain callback, so the CLI (tqdm) and the GUI (Qt
signals, in its own layer) drive the same code.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import queue as queue_mod
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from inference.errors import ImageError, InferenceError, PackError
from inference.packs import file_sha256
from inference.results import ScreenResult, Status
from inference.screener import Screener, failed_result

from .errors import InvalidInputError, QueueError, ScreeningError
from .files import atomic_write_bytes
from .imaging import jpeg_bytes, png_bytes
from .store import BatchItem, BatchJob, JobCounts, Store

# Files that are never clinic images, whatever folder they turn up in.
_JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


@dataclass(frozen=True)
class QueueInput:
    """One file to screen and the clinic patient ID it belongs to (if known)."""

    path: str
    patient_code: str = ""


@dataclass(frozen=True)
class Progress:
    """Sent to the progress callback after each item (and at start/stop)."""

    job_id: int
    done: int
    failed: int
    total: int
    state: str  # running | paused | cancelled | done
    item: BatchItem | None = None

    @property
    def finished(self) -> int:
        return self.done + self.failed


ProgressCallback = Callable[[Progress], None]


# ---------------------------------------------------------------------------------------
# Gathering inputs
# ---------------------------------------------------------------------------------------
def _is_junk(path: Path) -> bool:
    return path.name.startswith(".") or path.name.lower() in _JUNK_NAMES


def scan(path: Path) -> list[Path]:
    """Every file under ``path`` (recursively, sorted, hidden/system files skipped).

    Symlinked folders are not followed, so a symlink loop cannot hang the scan."""
    if not path.is_dir():
        return [path]
    found: list[Path] = []
    for root, dirs, files in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            p = Path(root) / name
            if not _is_junk(p):
                found.append(p)
    return found


def collect_inputs(
    paths: Sequence[Path | str],
    *,
    patient_code: str = "",
    folder_per_patient: bool = False,
) -> list[QueueInput]:
    """Files from files and folders given by the user, in a stable order, each once.

    ``patient_code`` assigns everything to one patient; ``folder_per_patient`` takes the
    name of each first-level subfolder of a given folder as the patient ID of its files."""
    if not paths:
        raise InvalidInputError("Give at least one file or folder to screen.")
    seen: set[str] = set()
    inputs: list[QueueInput] = []
    for raw in paths:
        root = Path(raw)
        if not root.exists() and not root.is_symlink():
            raise InvalidInputError(f"{root} does not exist. Check the path and try again.")
        for file in scan(root):
            key = os.path.normcase(os.path.abspath(file))
            if key in seen:
                continue
            seen.add(key)
            code = patient_code
            if folder_per_patient and root.is_dir():
                rel = file.relative_to(root).parts
                code = rel[0] if len(rel) > 1 else patient_code
            inputs.append(QueueInput(str(file), code))
    return inputs


def read_mapping(csv_path: Path | str) -> list[QueueInput]:
    """A CSV with columns ``file,patient_id`` (header required; relative paths are taken
    relative to the CSV's folder). Folders in the file column are scanned."""
    path = Path(csv_path)
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot read the mapping file {path}: {exc.strerror or exc}"
        ) from exc
    reader = csv.DictReader(text.splitlines())
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    if not {"file", "patient_id"} <= fields:
        raise InvalidInputError(
            f"{path.name}: the first line must name the columns 'file' and 'patient_id' "
            f"(found: {', '.join(sorted(fields)) or 'nothing'})."
        )
    inputs: list[QueueInput] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not row.get("file"):
            continue
        if not row.get("patient_id"):
            raise InvalidInputError(f"{path.name} line {line}: no patient_id for {row['file']}.")
        target = Path(row["file"])
        if not target.is_absolute():
            target = path.parent / target
        if not target.exists():
            raise InvalidInputError(f"{path.name} line {line}: {target} does not exist.")
        for file in scan(target):
            key = os.path.normcase(os.path.abspath(file))
            if key not in seen:
                seen.add(key)
                inputs.append(QueueInput(str(file), row["patient_id"]))
    if not inputs:
        raise InvalidInputError(f"{path.name} lists no files.")
    return inputs


def job_key(pack_id: str, inputs: Iterable[QueueInput], out_dir: Path | str | None) -> str:
    """Identity of a batch command: same pack, same files and patients, same output folder
    -> same job, so running the command again resumes it."""
    doc = {
        "pack": pack_id,
        "out": os.path.abspath(out_dir) if out_dir else "",
        "items": sorted((os.path.abspath(i.path), i.patient_code) for i in inputs),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode("utf-8")).hexdigest()


def heatmap_name(item: BatchItem) -> str:
    """``<stem>_<item id>_heatmap.png``: unique per item, stable across resumes."""
    stem = re.sub(r"[^\w.-]+", "_", Path(item.path).stem, flags=re.UNICODE)[:60] or "image"
    return f"{stem}_{item.id}_heatmap.png"


# ---------------------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------------------
class BatchQueue:
    """Creates, runs, pauses, resumes, cancels and retries batch jobs for one pack.

    ``pause``/``resume``/``cancel`` may be called from any thread while ``run`` works."""

    def __init__(
        self,
        store: Store,
        screener: Screener,
        *,
        workers: int = 2,
        operator: str = "",
        heatmap_dir: Path | str | None = None,
        keep_overlays: bool = True,
    ) -> None:
        self.store = store
        self.screener = screener
        self.workers = max(1, int(workers))
        self.operator = operator
        self.heatmap_dir = Path(heatmap_dir) if heatmap_dir else None
        self.keep_overlays = keep_overlays
        self._running = threading.Event()
        self._running.set()
        self._cancel = threading.Event()
        self._active_job: int | None = None

    @property
    def pack_id(self) -> str:
        return self.screener.manifest.id

    # -- creating ------------------------------------------------------------------------
    def submit(
        self,
        inputs: Sequence[QueueInput],
        *,
        out_dir: Path | str | None = None,
        label: str = "",
        options: dict | None = None,
        new: bool = False,
    ) -> tuple[BatchJob, bool]:
        """The job for these inputs: the existing one (resumed) or a new one.

        Returns ``(job, resumed)``. With ``new`` a finished job with the same inputs is not
        reused and a fresh job is made (the inputs are screened again)."""
        if not inputs:
            raise InvalidInputError("No files to screen were found in the paths given.")
        key = job_key(self.pack_id, inputs, out_dir)
        existing = self.store.find_job(key)
        if existing is not None and not new:
            return existing, True
        if existing is not None:
            n = 2
            while self.store.find_job(f"{key}#{n}") is not None:
                n += 1
            key = f"{key}#{n}"
        patient_ids: dict[str, int] = {}
        for code in sorted({i.patient_code for i in inputs if i.patient_code}):
            patient_ids[code] = self.store.ensure_patient(code, operator=self.operator).id
        job = self.store.create_job(
            key,
            self.pack_id,
            [(i.path, patient_ids.get(i.patient_code)) for i in inputs],
            label=label,
            out_dir=str(out_dir or ""),
            operator=self.operator,
            options=options,
        )
        return job, False

    # -- controlling ---------------------------------------------------------------------
    def pause(self) -> None:
        """Workers finish the item in hand, then wait (the job shows as paused)."""
        self._running.clear()
        self._mark_active("paused")

    def resume(self) -> None:
        self._running.set()
        self._mark_active("running")

    def _mark_active(self, state: str) -> None:
        job_id = self._active_job
        if job_id is not None:
            self.store.set_job_state(job_id, state)

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def cancel(self) -> None:
        """Stop after the items in hand; the rest stay pending and can be resumed later."""
        self._cancel.set()
        self._running.set()

    def retry_failed(self, job_id: int) -> int:
        """Queue a job's failed items again (e.g. after fixing the files); run() them next."""
        return self.store.reset_failed(job_id)

    # -- running -------------------------------------------------------------------------
    def run(self, job_id: int, progress: ProgressCallback | None = None) -> JobCounts:
        """Screen every pending item of the job. Fatal problems (pack broken, disk full,
        database read-only) stop the job with a ScreeningError/PackError; finished items
        stay finished and the rest stay pending."""
        job = self.store.get_job(job_id)
        if job.pack_id != self.pack_id:
            raise QueueError(
                f"Batch job {job_id} was made for model pack {job.pack_id!r}, not "
                f"{self.pack_id!r}. Resume it with the same model."
            )
        self._cancel.clear()
        pending = self.store.job_items(job_id, state="pending")
        counts = self.store.job_counts(job_id)
        lock = threading.Lock()
        state = {"done": counts.done, "failed": counts.failed}
        total = counts.total
        work: queue_mod.SimpleQueue[BatchItem] = queue_mod.SimpleQueue()
        for item in pending:
            work.put(item)
        fatal: list[BaseException] = []
        stop = threading.Event()

        def report(run_state: str, item: BatchItem | None = None) -> None:
            if progress is not None:
                progress(Progress(job_id, state["done"], state["failed"], total, run_state, item))

        def worker() -> None:
            while not stop.is_set():
                self._running.wait()
                if self._cancel.is_set() or stop.is_set():
                    return
                try:
                    item = work.get_nowait()
                except queue_mod.Empty:
                    return
                try:
                    outcome = self._process(item)
                    with lock:
                        state["done" if outcome.state == "done" else "failed"] += 1
                        report("paused" if self.paused else "running", outcome)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                    fatal.append(exc)
                    stop.set()
                    return

        self.store.set_job_state(job_id, "running")
        self._active_job = job_id
        report("running")
        try:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="cliniclens-batch") as pool:
                for future in [pool.submit(worker) for _ in range(self.workers)]:
                    future.result()
        finally:
            self._active_job = None
            final = self.store.job_counts(job_id)
            if fatal:
                end = "paused"
            elif self._cancel.is_set() and final.pending:
                end = "cancelled"
            else:
                end = "done" if not final.pending else "paused"
            try:
                self.store.set_job_state(job_id, end)
            except ScreeningError:
                if not fatal:
                    raise
            report(end)
        if fatal:
            raise fatal[0]
        return final

    def _process(self, item: BatchItem) -> BatchItem:
        """Screen one item and persist the outcome. Raises only for job-fatal problems."""
        screener = self.screener
        started = time.perf_counter()
        try:
            image = screener.load(item.path)
        except ImageError as exc:
            return self._fail(item, failed_result(item.path, exc))
        except OSError as exc:  # e.g. a file vanishing mid-read on a network share
            return self._fail(item, ScreenResult(item.path, Status.UNREADABLE, str(exc)))
        try:
            result = screener.screen_image(image, (time.perf_counter() - started) * 1000.0)
            overlay_rgb = None
            if result.answered:
                _, overlay_rgb, result = screener.overlay(image, result)
        except PackError:
            raise
        except InferenceError as exc:
            return self._fail(item, failed_result(item.path, exc))
        except (MemoryError, ValueError, RuntimeError) as exc:
            return self._fail(
                item, ScreenResult(item.path, Status.ERROR, f"screening failed: {exc}")
            )
        heatmap_path = ""
        if overlay_rgb is not None and self.heatmap_dir is not None:
            target = self.heatmap_dir / heatmap_name(item)
            atomic_write_bytes(target, png_bytes(overlay_rgb), what="heatmap image")
            heatmap_path = str(target)
        self.store.record_screening(
            result,
            patient_id=item.patient_id,
            operator=self.operator,
            manifest=screener.manifest,
            image_path=item.path,
            thumbnail=jpeg_bytes(image.pixels),
            overlay=jpeg_bytes(overlay_rgb)
            if overlay_rgb is not None and self.keep_overlays
            else None,
            heatmap_path=heatmap_path,
            batch_item_id=item.id,
        )
        return self._reload(item)

    def _fail(self, item: BatchItem, result: ScreenResult) -> BatchItem:
        digest = ""
        try:
            digest = file_sha256(Path(item.path)) if Path(item.path).is_file() else ""
        except OSError:
            digest = ""
        self.store.fail_item(item.id, result.status.value, result.message, digest)
        return self._reload(item)

    def _reload(self, item: BatchItem) -> BatchItem:
        return self.store.get_item(item.id)

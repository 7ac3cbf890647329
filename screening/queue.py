"""The persisted batch queue: many files, one pack, a worker pool, and no lost work.

Every item is written to the store before work starts. Workers claim and decode a chunk of
items, screen it in one model call and encode its pictures; one writer thread then stores
the chunk's screenings and marks its items done in ONE transaction (screening.batch_pipeline,
screening.batch_writes). So killing the process at any moment leaves each item either
pending, failed (never reached the model, reason recorded) or done with exactly one
screening; running the same job again picks up the pending ones. Progress goes to a plain callback, so the CLI (tqdm) and the GUI (Qt
signals, in its own layer) drive the same code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue as queue_mod
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from inference.errors import ImageError, InferenceError, PackError
from inference.images import sha256_file
from inference.results import ScreenResult, Status
from inference.screener import Screener, failed_result

from . import claims
from .batch_pipeline import (
    CHUNK_ITEMS,
    CHUNK_PIXELS,
    HANDOFF_CHUNKS,
    Decoded,
    Handoff,
    Screened,
    pixels,
)
from .batch_writes import PendingScreening, record_chunk
from .errors import InvalidInputError, QueueError, ScreeningError
from .files import atomic_write_bytes
from .imaging import jpeg_bytes, png_bytes
from .inputs import QueueInput, collect_inputs, read_mapping
from .scanner import folder_problem, fs_path, scan_files, store_path
from .store import BatchItem, BatchJob, JobCounts, Store

__all__ = [
    "BatchQueue",
    "Progress",
    "QueueInput",
    "collect_inputs",
    "heatmap_name",
    "job_key",
    "read_mapping",
    "scan",
]

POLL_S = 0.5  # how often a run waiting on another process's items looks again
# ".<name>_<item id>_heatmap.png.<random>.tmp": what files.atomic_writer leaves when killed
_TMP_HEATMAP = re.compile(r"^\.(?P<name>.+_(?P<id>\d+)_heatmap\.png)\.\w+\.tmp$")
scan = scan_files  # the name tests and older callers use


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
# Job identity
# ---------------------------------------------------------------------------------------
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
    stem = (
        Path(fs_path(item.path)).stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    )
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.UNICODE)[:60] or "image"
    return f"{stem}_{item.id}_heatmap.png"


def _text(value: str) -> str:
    """Text the store can keep: characters a file name smuggled in (lone surrogates from
    bytes that are not UTF-8) become visible escapes."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _storable(result: ScreenResult, item: BatchItem) -> ScreenResult:
    """The result as the store can keep it: its source the item's stored path, and a file
    name that is not UTF-8 in its message written as ``\\udcff`` escapes."""
    return replace(result, source=item.path, message=_text(result.message))


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
        chunk_items: int = CHUNK_ITEMS,
        chunk_pixels: int = CHUNK_PIXELS,
        handoff_chunks: int = HANDOFF_CHUNKS,
    ) -> None:
        self.store = store
        self.screener = screener
        self.workers = max(1, int(workers))
        self.operator = operator
        self.heatmap_dir = Path(heatmap_dir) if heatmap_dir else None
        self.keep_overlays = keep_overlays
        self.chunk_items = max(1, int(chunk_items))
        self.chunk_pixels = max(1, int(chunk_pixels))
        self.handoff_chunks = max(1, int(handoff_chunks))
        self._handoff: Handoff | None = None  # the running job's (tests watch it)
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
        # Names that are not UTF-8 are kept in a reversible text form (scanner.store_path);
        # a folder name used as a patient ID, or in the label, keeps them as \\udcNN escapes.
        inputs = [QueueInput(store_path(i.path), _text(i.patient_code)) for i in inputs]
        label = _text(label)
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
        try:
            job = self.store.create_job(
                key,
                self.pack_id,
                [(i.path, patient_ids.get(i.patient_code)) for i in inputs],
                label=label,
                out_dir=store_path(str(out_dir or "")),
                operator=self.operator,
                options=options,
            )
        except QueueError:
            raced = self.store.find_job(key)  # another process made the same job just now
            if raced is None:
                raise
            return raced, True
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
        stay finished and the rest stay pending.

        Finished items whose file changed since are queued again first. Each item is
        claimed before it is read, so another process running the same job takes the
        other items, and this run waits for the ones it holds before reporting done."""
        job = self.store.get_job(job_id)
        if job.pack_id != self.pack_id:
            raise QueueError(
                f"Batch job {job_id} was made for model pack {job.pack_id!r}, not "
                f"{self.pack_id!r}. Resume it with the same model."
            )
        self._cancel.clear()
        owner = claims.new_owner()
        claims.requeue_changed(self.store, job_id, operator=self.operator)
        self._remove_stale_temp_files(job_id, owner)
        lock = threading.Lock()
        taken: set[int] = set()
        work: queue_mod.SimpleQueue[BatchItem] = queue_mod.SimpleQueue()
        fatal: list[BaseException] = []
        stop = threading.Event()
        handoff: Handoff[list[Screened]] = Handoff(self.handoff_chunks)
        self._handoff = handoff
        producing = [self.workers]

        def refill() -> None:
            with lock:
                for item in self.store.job_items(job_id, state="pending"):
                    if item.id not in taken:
                        taken.add(item.id)
                        work.put(item)

        def report(run_state: str, item: BatchItem | None = None) -> None:
            if progress is not None:
                c = self.store.job_counts(job_id)
                progress(Progress(job_id, c.done, c.failed, c.total, run_state, item))

        def halted() -> bool:
            return stop.is_set() or self._cancel.is_set()

        def claimed(item: BatchItem) -> bool:
            if claims.claim(self.store, item.id, owner):
                return True
            with lock:
                taken.discard(item.id)  # held by another run: look again later
            return False

        def next_item() -> BatchItem | None:
            """The next item this run holds a claim on; None when nothing is left."""
            while not halted():
                if not self._running.wait(POLL_S):
                    continue  # paused: look at stop/cancel again
                try:
                    item = work.get_nowait()
                except queue_mod.Empty:
                    if not claims.held_elsewhere(self.store, job_id, owner):
                        refill()  # items another run gave back (or its claims went stale)
                        if work.empty():
                            return None
                    elif self._cancel.wait(POLL_S):
                        return None
                    else:
                        refill()
                    continue
                if claimed(item):
                    return item
            return None

        def more_items(first: Decoded | BatchItem) -> list[Decoded]:
            """A chunk: the first item and what else is queued now, up to the chunk's size
            and pixel budget (never waiting for more)."""
            chunk: list[Decoded] = []
            budget = self.chunk_pixels
            entry: Decoded | BatchItem | None = first
            while entry is not None:
                if isinstance(entry, Decoded):
                    chunk.append(entry)
                    budget -= pixels(entry.image.pixels.shape)
                else:
                    with lock:
                        report("paused" if self.paused else "running", entry)
                entry = None
                if len(chunk) >= self.chunk_items or budget <= 0 or halted() or self.paused:
                    break
                try:
                    item = work.get_nowait()
                except queue_mod.Empty:
                    break
                if claimed(item):
                    entry = self._decode(item)
            return chunk

        def worker() -> None:
            try:
                while (item := next_item()) is not None:
                    chunk = more_items(self._decode(item))
                    screened = []
                    for done in self._screen_chunk(chunk):
                        if isinstance(done, Screened):
                            screened.append(done)
                        else:
                            with lock:
                                report("paused" if self.paused else "running", done)
                    if screened and not handoff.put(screened):
                        return  # the writer stopped: these stay pending
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                fatal.append(exc)
                stop.set()
                handoff.close()
            finally:
                with lock:
                    producing[0] -= 1
                handoff.wake()

        def writer() -> None:
            while (chunk := handoff.get(lambda: producing[0] == 0)) is not None:
                if halted():
                    continue  # cancelled: screened but not stored, so still pending
                try:
                    finished = self._write_chunk(chunk)
                    if progress is None:
                        continue
                    with lock:  # one count per chunk, then each item's place in it
                        c = self.store.job_counts(job_id)
                        state = "paused" if self.paused else "running"
                        for k, item in enumerate(finished):
                            later = len(finished) - 1 - k  # stored with it, reported after
                            progress(
                                Progress(job_id, c.done - later, c.failed, c.total, state, item)
                            )
                except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                    fatal.append(exc)
                    stop.set()
                    handoff.close()
                    return

        refill()
        self._active_job = job_id  # first: a pause() from now on marks the job itself
        start = "paused" if self.paused else "running"  # paused before run() got here
        self.store.set_job_state(job_id, start)
        report(start)
        try:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="cliniclens-batch") as pool:
                futures = [pool.submit(worker) for _ in range(self.workers)]
                writer()
                handoff.close()  # the writer ended early (fatal): free blocked workers
                for future in futures:
                    future.result()
        finally:
            self._active_job = None
            with contextlib.suppress(ScreeningError):
                claims.release(self.store, owner)
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

    def _remove_stale_temp_files(self, job_id: int, owner: str) -> None:
        """Heatmap temp files a killed run left behind (never those of items another live
        run holds now: it may be writing them)."""
        folder = self.heatmap_dir
        if folder is None or not folder.is_dir():
            return
        busy = set(claims.held_elsewhere(self.store, job_id, owner))
        mine = {item.id for item in self.store.job_items(job_id)}
        with contextlib.suppress(OSError), os.scandir(folder) as it:
            for entry in it:
                match = _TMP_HEATMAP.match(entry.name)
                if match is None or not entry.is_file(follow_symlinks=False):
                    continue
                item_id = int(match["id"])
                if item_id in mine and item_id not in busy:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def _decode(self, item: BatchItem) -> Decoded | BatchItem:
        """The item's decoded image, or the item marked failed (never reached the model)."""
        started = time.perf_counter()
        problem = folder_problem(item.path)
        if problem is not None:
            return self._fail(item, ScreenResult(item.path, Status.UNREADABLE, problem))
        try:
            image = self.screener.load(fs_path(item.path))
        except ImageError as exc:
            return self._fail(item, failed_result(item.path, exc))
        except OSError as exc:  # e.g. a file vanishing mid-read on a network share
            return self._fail(item, ScreenResult(item.path, Status.UNREADABLE, str(exc)))
        return Decoded(item, image, (time.perf_counter() - started) * 1000.0)

    def _screen_chunk(self, chunk: Sequence[Decoded]) -> list[Screened | BatchItem]:
        """Screen a chunk in one model call (one by one if the call fails, so one bad image
        fails alone), then each answered image's heatmap overlay."""
        if not chunk:
            return []
        results: list[ScreenResult | None] = [None] * len(chunk)
        if len(chunk) > 1:
            with contextlib.suppress(InferenceError, MemoryError, ValueError, RuntimeError):
                results = list(
                    self.screener.screen_images(
                        [d.image for d in chunk], decode_ms=[d.decode_ms for d in chunk]
                    )
                )
        return [self._screen_one(d, r) for d, r in zip(chunk, results, strict=True)]

    def _screen_one(self, d: Decoded, result: ScreenResult | None) -> Screened | BatchItem:
        """One item's result and overlay. Raises only for job-fatal problems."""
        screener, item = self.screener, d.item
        try:
            if result is None:
                result = screener.screen_image(d.image, d.decode_ms)
            overlay_rgb = None
            if result.answered:
                # the heatmap that explains the message (the referring class, if not the top)
                explained = result.prediction.explained_class if result.prediction else None
                _, overlay_rgb, result = screener.overlay(d.image, result, explained)
        except PackError:
            raise
        except InferenceError as exc:
            return self._fail(item, failed_result(item.path, exc))
        except (MemoryError, ValueError, RuntimeError) as exc:
            return self._fail(
                item, ScreenResult(item.path, Status.ERROR, f"screening failed: {exc}")
            )
        keep = overlay_rgb is not None and self.keep_overlays
        return Screened(
            item,
            _storable(result, item),
            jpeg_bytes(d.image.pixels, optimize=False),
            jpeg_bytes(overlay_rgb, optimize=False) if keep else None,  # type: ignore[arg-type]
            png_bytes(overlay_rgb)
            if overlay_rgb is not None and self.heatmap_dir is not None
            else None,
        )

    def _write_chunk(self, chunk: Sequence[Screened]) -> list[BatchItem]:
        """Heatmap files, then the chunk's screenings in one transaction."""
        rows = []
        for s in chunk:
            heatmap_path = ""
            if s.heatmap_png is not None and self.heatmap_dir is not None:
                target = self.heatmap_dir / heatmap_name(s.item)
                atomic_write_bytes(target, s.heatmap_png, what="heatmap image")
                heatmap_path = str(target)
            rows.append(
                PendingScreening(
                    s.item.id,
                    s.item.patient_id,
                    s.item.path,
                    s.result,
                    s.thumbnail,
                    s.overlay_jpeg,
                    heatmap_path,
                )
            )
        record_chunk(self.store, rows, operator=self.operator, manifest=self.screener.manifest)
        return [self._reload(s.item) for s in chunk]

    def _fail(self, item: BatchItem, result: ScreenResult) -> BatchItem:
        result = _storable(result, item)
        try:
            digest = sha256_file(fs_path(item.path))
        except ImageError:
            digest = ""  # not a readable file: the row says why
        self.store.fail_item(item.id, result.status.value, result.message, digest)
        return self._reload(item)

    def _reload(self, item: BatchItem) -> BatchItem:
        return self.store.get_item(item.id)

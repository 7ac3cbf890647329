"""Issue 20's input and job findings, one test each (every one failed before its fix).

3 FIFO hang / signals, 4 /dev/zero, 5 names that are not UTF-8, 6 changed files, 9 unreadable
folders, 10 deep folders, 11 mapping encodings, 13 two runs of one job, 16 JPEG without its
end marker, 17 stale heatmap temp files. (7, memory, is in test_memory.py and test_slow.py.)
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from inference.errors import ImageError
from inference.images import NotAFileError, decode, load_image
from screening import cli
from screening.errors import InvalidInputError
from screening.queue import BatchQueue, collect_inputs, heatmap_name, read_mapping
from screening.scanner import fs_path, scan_files, store_path, walk
from screening.store import Store
from tests.packgen import make_pack
from tests.redteam import corpus
from tests.screening_fixtures import write_image

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "assets" / "samples" / "chest-xray-pneumonia" / "normal.jpg"
POSIX = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and byte names are POSIX")


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICLENS_")}
    env.update(CLINICLENS_HOME=str(tmp_path / "home"), LANG="en_US.UTF-8", LC_ALL="")
    env["PYTHONPATH"] = str(ROOT)
    return env


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# -- the "Done when" check, at the command line ------------------------------------------
@POSIX
def test_folder_with_fifo_dev_zero_and_byte_name_finishes_with_a_row_each(tmp_path):
    """Before: the FIFO hung the batch for ever (and /dev/zero read 6 GB, and the name
    killed it). After: the good image is answered and every other entry has a status."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.jpg").write_bytes(SAMPLE.read_bytes())
    os.mkfifo(folder / "scan.jpg")
    (folder / "zero.png").symlink_to("/dev/zero")
    odd = os.fsencode(folder) + b"/foto-\xff.jpg"
    with open(odd, "wb") as fh:
        fh.write(SAMPLE.read_bytes())
    cmd = [sys.executable, "-m", "screening.cli", "batch", str(folder)]
    cmd += ["--model", "chest-xray-pneumonia", "--out", str(tmp_path / "out"), "-q"]
    done = subprocess.run(cmd, env=cli_env(tmp_path), capture_output=True, timeout=300)
    assert done.returncode == 1, done.stderr.decode(errors="replace")  # some not screened
    rows = {Path(fs_path(r["file"])).name: r for r in read_rows(tmp_path / "out" / "results.csv")}
    assert set(rows) == {"good.jpg", "scan.jpg", "zero.png", os.fsdecode(b"foto-\xff.jpg")}
    assert rows["good.jpg"]["status"] == "ok" and rows["good.jpg"]["predicted_class"]
    assert rows["scan.jpg"]["status"] == "unreadable" and "named pipe" in rows["scan.jpg"]["error"]
    assert rows["zero.png"]["status"] == "unreadable" and "device" in rows["zero.png"]["error"]
    byte_row = rows[os.fsdecode(b"foto-\xff.jpg")]
    assert byte_row["status"] == "ok" and byte_row["sha256"] == rows["good.jpg"]["sha256"]


# -- 3: Ctrl-C / SIGTERM stop a batch even when a worker is stuck ------------------------
STUCK = """
import sys, threading
import inference.screener
import screening.interrupts
def load(self, path):  # a read from a dead network share: never returns
    print("worker stuck in a read", file=sys.stderr, flush=True)
    threading.Event().wait()
inference.screener.Screener.load = load
screening.interrupts.GRACE_S = float(sys.argv[1])
from screening.cli import main
sys.exit(main(sys.argv[2:]))
"""


def start_stuck_batch(
    tmp_path: Path, grace: float
) -> tuple[subprocess.Popen, threading.Event, threading.Event]:
    """A CLI batch whose worker never returns; events for 'started' and 'stopping'."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.jpg").write_bytes(SAMPLE.read_bytes())
    cmd = [sys.executable, "-c", STUCK, str(grace), "batch", str(folder)]
    cmd += ["--model", "chest-xray-pneumonia", "--out", str(tmp_path / "out")]
    proc = subprocess.Popen(
        cmd, env=cli_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    started, stopping = threading.Event(), threading.Event()

    def watch() -> None:
        for line in proc.stderr:
            if "worker stuck in a read" in line:  # signal handlers are installed by then
                started.set()
            if "stopping after the images in hand" in line:
                stopping.set()

    threading.Thread(target=watch, daemon=True).start()
    return proc, started, stopping


@pytest.mark.skipif(os.name != "posix", reason="signals are POSIX")
@pytest.mark.parametrize("signals", [1, 2])
def test_sigterm_stops_a_batch_stuck_in_a_read(tmp_path, signals):
    """Before: SIGTERM only asked the workers to stop after the item in hand, which never
    came back, so the process lived on. Now a second signal, or the grace time, ends it."""
    proc, started, stopping = start_stuck_batch(tmp_path, grace=1.0 if signals == 1 else 600.0)
    try:
        assert started.wait(300), "the batch did not start"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        if signals == 2:
            assert stopping.wait(120), "the first signal was not acknowledged"
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 130  # before: still waiting for the stuck read
        assert time.monotonic() - t0 < 120
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with Store(tmp_path / "home" / "cliniclens.db") as s:
        (job,) = s.list_jobs()
        assert s.job_counts(job.id).pending == 1  # the stuck image stays to do, nothing lost


# -- 4 and 5: devices are never read; names that are not UTF-8 round-trip ---------------
@POSIX
def test_link_to_dev_zero_is_refused_without_a_read(tmp_path):
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    t0 = time.perf_counter()
    with pytest.raises(NotAFileError, match="device"):
        load_image(tmp_path / "zero.png")
    assert time.perf_counter() - t0 < 1.0  # before: read 6 GB, then MemoryError


@POSIX
def test_byte_names_round_trip_through_the_store_form(tmp_path):
    raw = os.fsencode(tmp_path) + b"/r\xf6ntgen-\xff.png"
    name = os.fsdecode(raw)
    text = store_path(name)
    text.encode("utf-8")  # what SQLite and results.csv need
    assert text.startswith("file:///") and fs_path(text) == name
    plain = str(tmp_path / "pasién 患者.png")
    assert store_path(plain) == plain and fs_path(plain) == plain


# -- 6: a changed file is screened again -------------------------------------------------
def test_rerun_screens_a_file_again_when_its_content_changed(store, screener, tmp_path):
    changing = write_image(tmp_path / "in" / "a.png", seed=1)
    steady = write_image(tmp_path / "in" / "b.png", seed=2)
    touched = write_image(tmp_path / "in" / "c.png", seed=3)
    queue = BatchQueue(store, screener, workers=1)
    job, _ = queue.submit(collect_inputs([tmp_path / "in"]))
    queue.run(job.id)
    before = {Path(i.path).name: i for i in store.job_items(job.id)}

    write_image(changing, seed=7)  # a new photo saved under the old name
    st = os.stat(changing)
    os.utime(changing, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    st = os.stat(touched)
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # same bytes

    again, resumed = queue.submit(collect_inputs([tmp_path / "in"]))
    assert resumed and again.id == job.id
    counts = queue.run(job.id)
    after = {Path(i.path).name: i for i in store.job_items(job.id)}
    assert counts.pending == 0 and counts.done == 3
    assert after["a.png"].image_sha256 != before["a.png"].image_sha256
    assert after["a.png"].screening_id != before["a.png"].screening_id
    for name in ("b.png", "c.png"):
        assert after[name].screening_id == before[name].screening_id
    # the old answer stays in the history, but answers for the job no more
    assert (
        store.get_screening(before["a.png"].screening_id).image_sha256
        == before["a.png"].image_sha256
    )
    assert {s.id for s in store.list_screenings(job_id=job.id)} == {
        after[n].screening_id for n in after
    }
    assert any(e.action == "batch.requeue_changed" for e in store.audit_log())
    del steady


# -- 9 and 10: unreadable and very deep folders ------------------------------------------
def test_unreadable_subfolder_is_a_row_and_the_batch_exit_says_so(tmp_path, monkeypatch):
    models = tmp_path / "models"
    make_pack(models, "tiny-pack")
    monkeypatch.setenv("CLINICLENS_MODELS", str(models))
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    write_image(tmp_path / "in" / "good.png")
    locked = tmp_path / "in" / "locked"
    write_image(locked / "hidden-from-us.png")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(os.fspath(path)) == locked:  # what chmod 000 does for anyone but root
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code = cli.main(
        ["batch", str(tmp_path / "in"), "--model", "tiny-pack", "--out", str(tmp_path / "out")]
    )
    assert code == cli.EXIT_SOME_FAILED  # before: 0, "all done"
    rows = {Path(r["file"]).name: r for r in read_rows(tmp_path / "out" / "results.csv")}
    assert rows["locked"]["status"] == "unreadable"
    assert "cannot be opened (permission denied)" in rows["locked"]["error"]
    assert rows["good.png"]["status"] != "unreadable"


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root reads folders whatever their mode"
)
def test_really_unreadable_subfolder_is_listed(tmp_path):
    write_image(tmp_path / "in" / "locked" / "x.png")
    (tmp_path / "in" / "locked").chmod(0)
    try:
        assert scan_files(tmp_path / "in") == [tmp_path / "in" / "locked"]
    finally:
        (tmp_path / "in" / "locked").chmod(0o755)


def test_folder_nested_1200_deep_is_walked_without_recursion(tmp_path):
    from gui.scan import expand

    bottom = corpus._deep(1_200)(tmp_path)
    try:
        assert scan_files(tmp_path / "deep") == [bottom]  # before: RecursionError
        assert collect_inputs([tmp_path / "deep"])[0].path == str(bottom)
        assert expand([tmp_path / "deep"]).images == (str(bottom),)  # the GUI's drop
        depth = sum(1 for _ in walk(tmp_path / "deep"))
        assert depth == 1_201
    finally:
        corpus.remove_tree(tmp_path / "deep")


# -- 11: mapping CSVs as Excel saves them ------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("cp1252", ","), ("cp1252", ";"), ("utf-16", "\t")],
)
def test_mapping_csv_in_excel_encodings(tmp_path, encoding, delimiter):
    write_image(tmp_path / "niño.png")
    sep = "," if delimiter == "\t" else delimiter  # utf-16 here with commas still
    text = f"file{sep}patient_id\r\nniño.png{sep}Peña-1\r\n"
    (tmp_path / "map.csv").write_bytes(text.encode(encoding))
    (got,) = read_mapping(tmp_path / "map.csv")
    assert Path(got.path).name == "niño.png" and got.patient_code == "Peña-1"


def test_mapping_csv_that_is_not_text_is_refused_plainly(tmp_path):
    (tmp_path / "map.csv").write_bytes(b"file,patient_id\n\x81\x8d\xff.png,P\n")
    with pytest.raises(InvalidInputError, match="CSV UTF-8"):
        read_mapping(tmp_path / "map.csv")


# -- 13: two runs of one job share it ----------------------------------------------------
class _Meeting:
    """Screener stand-in whose first two loads wait for each other: both runs are mid-job."""

    def __init__(self, screener) -> None:
        self._screener = screener
        self._barrier = threading.Barrier(2, timeout=30)
        self._count = 0
        self._lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self._screener, name)

    def load(self, path):
        with self._lock:
            self._count += 1
            first_two = self._count <= 2
        if first_two:
            self._barrier.wait()
        return self._screener.load(path)


def test_two_runs_of_one_job_share_the_items(tmp_path, screener):
    """Before: both runs screened the first item and the second died on 'UNIQUE constraint
    failed'. Now each claims different items and both end with the job done."""
    files = [write_image(tmp_path / "in" / f"i{n}.png", seed=n) for n in range(8)]
    db = tmp_path / "clinic.db"
    meeting = _Meeting(screener)
    with Store(db) as a, Store(db) as b:
        queue_a = BatchQueue(a, meeting, workers=1)
        queue_b = BatchQueue(b, meeting, workers=1)
        job, _ = queue_a.submit(collect_inputs(files))
        same, resumed = queue_b.submit(collect_inputs(files))
        assert resumed and same.id == job.id
        results: dict[str, object] = {}

        def run(name, queue):
            try:
                results[name] = queue.run(job.id)
            except BaseException as exc:  # noqa: BLE001 - asserted below
                results[name] = exc

        threads = [
            threading.Thread(target=run, args=(n, q)) for n, q in (("a", queue_a), ("b", queue_b))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not any(isinstance(r, BaseException) for r in results.values()), results
        assert a.job_counts(job.id).done == 8 and a.get_job(job.id).state == "done"
        per_item = a._query("SELECT batch_item_id, COUNT(*) FROM screenings GROUP BY batch_item_id")
        assert len(per_item) == 8 and all(n == 1 for _, n in per_item)


# -- 16: a JPEG missing only its end marker ----------------------------------------------
def test_jpeg_without_end_marker_decodes_like_the_whole_file():
    whole = corpus.jpeg_bytes(4, 96)
    assert whole.endswith(b"\xff\xd9")
    full = decode(whole).pixels
    assert np.array_equal(decode(whole[:-2]).pixels, full)  # before: "damaged or incomplete"
    assert np.array_equal(
        decode(whole[:-2], draft_size=(48, 48)).pixels, decode(whole, draft_size=(48, 48)).pixels
    )
    with pytest.raises(ImageError, match="cut short"):
        decode(whole[: len(whole) * 9 // 10])  # missing image data is still refused


# -- 17: heatmap temp files of a killed run ----------------------------------------------
def test_stale_heatmap_temp_files_are_removed_on_the_next_run(store, screener, tmp_path):
    image = write_image(tmp_path / "in" / "a.png")
    heat = tmp_path / "out" / "heatmaps"
    heat.mkdir(parents=True)
    queue = BatchQueue(store, screener, workers=1, heatmap_dir=heat)
    job, _ = queue.submit(collect_inputs([image]))
    (item,) = store.job_items(job.id)
    # what files.atomic_writer leaves when SIGKILL hits between mkstemp and os.replace
    fd, stale = tempfile.mkstemp(prefix=f".{heatmap_name(item)}.", suffix=".tmp", dir=heat)
    os.write(fd, b"half a PNG")
    os.close(fd)
    other = heat / ".someone_else_999999_heatmap.png.abcdefgh.tmp"  # not this job's item
    other.write_bytes(b"x")
    queue.run(job.id)
    assert not Path(stale).exists()
    assert other.exists()
    assert (heat / heatmap_name(item)).exists() or store.get_item(item.id).state == "failed"


@POSIX
def test_byte_named_patient_folder_and_label_are_stored(store, screener, tmp_path):
    folder = os.fsencode(tmp_path / "in") + b"/Pasien-\xe9"
    os.makedirs(folder)
    image = write_image(Path(os.fsdecode(folder)) / "a.png")
    queue = BatchQueue(store, screener, workers=1)
    job, _ = queue.submit(
        collect_inputs([tmp_path / "in"], folder_per_patient=True), label=str(image)
    )
    counts = queue.run(job.id)
    assert counts.failed == 0 and counts.done == 1
    (item,) = store.job_items(job.id)
    assert fs_path(item.path) == str(image)
    assert store.get_patient(item.patient_id).patient_id == "Pasien-\\udce9"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows claims end by lease only")
def test_claims_of_a_dead_run_are_taken_over(store, screener, tmp_path):
    """A run killed mid-item (another process, or an earlier run of this one) leaves a
    claim; the next run takes the item at once instead of waiting for the lease."""
    from screening import claims

    files = [write_image(tmp_path / "in" / f"i{n}.png", seed=n) for n in range(3)]
    queue = BatchQueue(store, screener, workers=1)
    job, _ = queue.submit(collect_inputs(files))
    first, second, third = store.job_items(job.id)
    ended = claims.new_owner()  # a run of this process that ended without releasing
    claims._ACTIVE.discard(ended)
    assert claims.claim(store, first.id, ended)
    gone = f"{claims._HOST}:{_dead_pid()}:abcd1234"  # a run whose process has exited
    assert claims.claim(store, second.id, gone)
    live = claims.new_owner()  # a run still under way holds the third
    assert claims.claim(store, third.id, live)
    assert not claims.claim(store, third.id, claims.new_owner())
    assert claims.held_elsewhere(store, job.id, "me") == [third.id]
    claims.release(store, live)
    counts = queue.run(job.id)
    assert counts.pending == 0 and counts.done == 3


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_two_commands_on_one_folder_both_finish_without_a_database_error(tmp_path):
    """The red-team run: the same batch command started twice at once. Both end normally,
    every file has one screening, and nobody sees 'UNIQUE constraint failed'."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(16):
        (folder / f"x{n:02d}.jpg").write_bytes(SAMPLE.read_bytes() + bytes([n]))  # distinct files
    cmd = [sys.executable, "-m", "screening.cli", "batch", str(folder)]
    cmd += ["--model", "chest-xray-pneumonia", "--out", str(tmp_path / "out"), "-q"]
    env = cli_env(tmp_path)
    procs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert not any("UNIQUE" in e or "Traceback" in e for e in errors), errors
    with Store(tmp_path / "home" / "cliniclens.db") as s:
        (job,) = s.list_jobs()
        assert s.job_counts(job.id).done == 16
        per_item = s._query("SELECT batch_item_id, COUNT(*) FROM screenings GROUP BY batch_item_id")
        assert len(per_item) == 16 and all(n == 1 for _, n in per_item)

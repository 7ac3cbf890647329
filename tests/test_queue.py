"""The persisted batch queue: inputs, running, pause/cancel/resume/retry, failure modes."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from screening import files as files_mod
from screening.errors import InvalidInputError, OutputError
from screening.queue import BatchQueue, Progress, collect_inputs, job_key, read_mapping, scan
from screening.store import Store
from tests.screening_fixtures import (
    CountingGate,
    tiny_screener,
    write_corrupt_jpeg,
    write_image,
)


def make_folder(root: Path, n_good: int = 4) -> Path:
    for i in range(n_good):
        write_image(root / f"img{i:02d}.png", seed=i)
    write_corrupt_jpeg(root / "broken.jpg")
    (root / "notes.txt").write_text("not an image", "utf-8")
    (root / ".hidden.png").write_bytes(b"skip me")
    (root / "Thumbs.db").write_bytes(b"skip me")
    return root


def assert_exactly_once(store: Store, job_id: int) -> None:
    """Every item finished; each done item has exactly one screening and vice versa."""
    items = store.job_items(job_id)
    assert all(i.state in ("done", "failed") for i in items)
    per_item = store._query(
        "SELECT batch_item_id, COUNT(*) FROM screenings WHERE batch_item_id IN"
        " (SELECT id FROM batch_items WHERE job_id=?) GROUP BY batch_item_id",
        (job_id,),
    )
    assert all(count == 1 for _, count in per_item)
    done = {i.id for i in items if i.state == "done"}
    assert {item_id for item_id, _ in per_item} == done
    assert {i.screening_id for i in items if i.state == "done"} == {
        s.id for s in store.list_screenings(job_id=job_id, limit=-1)
    }


def test_scan_is_recursive_sorted_and_skips_hidden_and_symlink_loops(tmp_path):
    make_folder(tmp_path / "in")
    write_image(tmp_path / "in" / "deeper" / "x.png")
    (tmp_path / "in" / "deeper" / "loop").symlink_to(tmp_path / "in", target_is_directory=True)
    names = [p.relative_to(tmp_path / "in").as_posix() for p in scan(tmp_path / "in")]
    assert names == [
        "broken.jpg",
        "img00.png",
        "img01.png",
        "img02.png",
        "img03.png",
        "notes.txt",
        "deeper/x.png",
    ]


def test_collect_inputs_dedupes_and_assigns_patients(tmp_path):
    write_image(tmp_path / "in" / "P-1" / "a.png")
    write_image(tmp_path / "in" / "P-2" / "b.png")
    write_image(tmp_path / "in" / "loose.png")
    inputs = collect_inputs(
        [tmp_path / "in", tmp_path / "in" / "P-1" / "a.png"], folder_per_patient=True
    )
    assert [(Path(i.path).name, i.patient_code) for i in inputs] == [
        ("loose.png", ""),
        ("a.png", "P-1"),
        ("b.png", "P-2"),
    ]
    with pytest.raises(InvalidInputError, match="does not exist"):
        collect_inputs([tmp_path / "missing"])


def test_mapping_csv(tmp_path):
    write_image(tmp_path / "a.png")
    write_image(tmp_path / "sub" / "b.png")
    mapping = tmp_path / "map.csv"
    mapping.write_text("file,patient_id\na.png,P-1\nsub,P-2\n", "utf-8")
    inputs = read_mapping(mapping)
    assert [(Path(i.path).name, i.patient_code) for i in inputs] == [
        ("a.png", "P-1"),
        ("b.png", "P-2"),
    ]
    mapping.write_text("path,who\na.png,P-1\n", "utf-8")
    with pytest.raises(InvalidInputError, match="'file' and 'patient_id'"):
        read_mapping(mapping)
    mapping.write_text("file,patient_id\nnope.png,P-1\n", "utf-8")
    with pytest.raises(InvalidInputError, match="line 2"):
        read_mapping(mapping)


def test_job_key_depends_on_inputs_pack_and_output(tmp_path):
    a = collect_inputs([write_image(tmp_path / "a.png")])
    assert job_key("p", a, tmp_path / "o") == job_key("p", list(reversed(a)), tmp_path / "o")
    assert job_key("p", a, tmp_path / "o") != job_key("q", a, tmp_path / "o")
    assert job_key("p", a, tmp_path / "o") != job_key("p", a, tmp_path / "o2")


def test_run_screens_good_files_and_records_failures(store, screener, tmp_path):
    inputs = collect_inputs([make_folder(tmp_path / "in")], patient_code="P-9")
    queue = BatchQueue(store, screener, workers=2, heatmap_dir=tmp_path / "heat")
    job, resumed = queue.submit(inputs, out_dir=tmp_path / "out")
    assert not resumed and store.job_counts(job.id).pending == 6  # persisted before work
    seen: list[Progress] = []
    counts = queue.run(job.id, seen.append)
    assert (counts.done, counts.failed, counts.pending) == (4, 2, 0)
    assert seen[0].state == "running" and seen[-1].state == "done"
    assert max(p.finished for p in seen) == 6
    failed = {Path(i.path).name: i for i in store.job_items(job.id, "failed")}
    assert failed["broken.jpg"].status == "unreadable" and "damaged" in failed["broken.jpg"].error
    assert failed["notes.txt"].status == "unreadable"
    assert len(failed["notes.txt"].image_sha256) == 64  # the file is still identified
    records = store.list_screenings(job_id=job.id)
    assert len(records) == 4 and all(r.patient_code == "P-9" for r in records)
    assert all(r.has_thumbnail and r.has_overlay for r in records)
    assert sorted(Path(r.heatmap_path).name for r in records) == sorted(
        p.name for p in (tmp_path / "heat").iterdir()
    )
    assert store.get_job(job.id).state == "done"
    assert_exactly_once(store, job.id)
    again, resumed = queue.submit(inputs, out_dir=tmp_path / "out")
    assert resumed and again.id == job.id
    fresh, resumed = queue.submit(inputs, out_dir=tmp_path / "out", new=True)
    assert not resumed and fresh.id != job.id


def test_retry_failed_after_fixing_the_file(store, screener, tmp_path):
    folder = make_folder(tmp_path / "in", n_good=1)
    queue = BatchQueue(store, screener, workers=1)
    job, _ = queue.submit(collect_inputs([folder]))
    assert queue.run(job.id).failed == 2
    write_image(folder / "broken.jpg", seed=5, fmt="JPEG")  # the clinic re-exports it
    assert queue.retry_failed(job.id) == 2
    counts = queue.run(job.id)
    assert (counts.done, counts.failed) == (2, 1)
    assert store.get_item(store.job_items(job.id)[0].id).attempts == 2
    assert_exactly_once(store, job.id)


def test_cancel_keeps_rest_pending_and_run_again_finishes(store, screener, tmp_path):
    inputs = collect_inputs([write_image(tmp_path / f"i{n}.png", seed=n) for n in range(8)])
    queue = BatchQueue(store, screener, workers=1, chunk_items=1)
    job, _ = queue.submit(inputs)

    def cancel_after_three(p: Progress) -> None:
        if p.finished == 3:
            queue.cancel()

    counts = queue.run(job.id, cancel_after_three)
    assert (counts.done, counts.pending) == (3, 5)
    assert store.get_job(job.id).state == "cancelled"
    assert queue.run(job.id).done == 8
    assert store.get_job(job.id).state == "done"
    assert_exactly_once(store, job.id)


def test_pause_holds_workers_until_resume(store, screener, tmp_path):
    inputs = collect_inputs([write_image(tmp_path / f"i{n}.png", seed=n) for n in range(6)])
    queue = BatchQueue(store, screener, workers=2, chunk_items=1)  # pause between items
    gate = CountingGate(parties=2)
    queue._running = gate  # the pause gate both workers wait at
    job, _ = queue.submit(inputs)
    seen: dict[str, object] = {}
    calls = {"n": 0}
    screen = screener.screen_images

    def counted(images, **kwargs):
        calls["n"] += len(images)
        return screen(images, **kwargs)

    screener.screen_images = counted

    def pause_once(p: Progress) -> None:
        if p.item is not None and not seen:
            seen["paused"] = True
            queue.pause()

            def when_both_workers_wait() -> None:
                assert gate.all_held.wait(60), "workers never stopped at the pause"
                seen["state"] = store.get_job(job.id).state
                seen["screened"] = calls["n"]
                seen["finished"] = store.job_counts(job.id).finished
                queue.resume()

            threading.Thread(target=when_both_workers_wait, daemon=True).start()

    counts = queue.run(job.id, pause_once)
    assert seen["state"] == "paused"  # visible to other windows / processes
    # Both workers were held with work left: the pause stopped them, not the end of the job.
    assert seen["finished"] < 6 and seen["screened"] < 6
    assert counts.done == 6 and calls["n"] == 6  # after resume: the rest, each once


def test_job_for_another_pack_is_refused(store, screener, tmp_path):
    other = tiny_screener(tmp_path / "other", pack_id="other-pack")
    job, _ = BatchQueue(store, other).submit(collect_inputs([write_image(tmp_path / "a.png")]))
    with pytest.raises(Exception, match="made for model pack 'other-pack'"):
        BatchQueue(store, screener).run(job.id)


def test_disk_full_while_writing_heatmap_stops_cleanly(store, screener, tmp_path, monkeypatch):
    inputs = collect_inputs([write_image(tmp_path / f"i{n}.png", seed=n) for n in range(4)])
    heat = tmp_path / "heat"
    queue = BatchQueue(store, screener, workers=1, heatmap_dir=heat)
    job, _ = queue.submit(inputs)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files_mod.os, "fsync", no_space)
    with pytest.raises(OutputError, match="disk is full") as info:
        queue.run(job.id)
    assert info.value.code == "disk_full"
    assert store.job_counts(job.id).pending == 4 and store.list_screenings() == []
    assert list(heat.iterdir()) == []  # no half-written temp files left behind
    assert store.integrity_ok() and store.get_job(job.id).state == "paused"
    monkeypatch.undo()
    assert queue.run(job.id).done == 4
    assert_exactly_once(store, job.id)


def test_read_only_output_folder_is_reported(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files_mod.tempfile, "mkstemp", read_only)
    with pytest.raises(OutputError, match="read-only") as info:
        files_mod.check_writable_dir(tmp_path / "out")
    assert info.value.code == "read_only"


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root ignores folder permissions"
)
def test_really_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="read-only"):
            files_mod.atomic_write_text(ro / "results.csv", "x")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_database_full_mid_batch_stops_without_corruption(store, screener, tmp_path):
    """A real SQLITE_FULL after a few items: clear error, finished items kept, rest pending."""
    from screening.errors import StoreFullError

    inputs = collect_inputs(
        [write_image(tmp_path / f"i{n}.png", seed=n, size=300) for n in range(6)]
    )
    queue = BatchQueue(store, screener, workers=1, chunk_items=1)  # one commit per item
    job, _ = queue.submit(inputs)

    def fill_up(p: Progress) -> None:
        if p.finished == 2:
            pages = store._query("PRAGMA page_count")[0][0]
            store._conn.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StoreFullError, match="disk is full"):
        queue.run(job.id, fill_up)
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    counts = store.job_counts(job.id)
    assert (counts.done, counts.pending) == (2, 4)
    assert store.integrity_ok()
    assert queue.run(job.id).done == 6
    assert_exactly_once(store, job.id)


def test_progress_callback_error_stops_the_run(store, screener, tmp_path):
    inputs = collect_inputs([write_image(tmp_path / f"i{n}.png", seed=n) for n in range(5)])
    queue = BatchQueue(store, screener, workers=2, chunk_items=1)
    job, _ = queue.submit(inputs)

    def broken(p: Progress) -> None:
        if p.item is not None:
            raise RuntimeError("GUI went away")

    with pytest.raises(RuntimeError, match="GUI went away"):
        queue.run(job.id, broken)
    assert store.job_counts(job.id).pending >= 3
    assert queue.run(job.id).done == 5
    assert_exactly_once(store, job.id)


def test_batch_heatmap_explains_a_referral_from_a_class_that_is_not_the_top(
    store, screener, tmp_path, monkeypatch
):
    """Issue 19 item 5: 'Normal 66 %' referred because of 'Abnormal' saves Abnormal's map."""
    from dataclasses import replace

    screen, overlay = screener.screen_image, screener.overlay
    drawn: list[str | None] = []
    referring: list[str] = []

    def referred_by_second_class(*args, **kwargs):
        result = screen(*args, **kwargs)
        p = result.prediction
        referring.append(next(c for c in p.class_ids if c != p.top_class))
        return replace(result, prediction=replace(p, refer=True, referring_classes=(referring[-1],)))

    def spy(image, result, class_id=None, **kwargs):
        drawn.append(class_id)
        return overlay(image, result, class_id, **kwargs)

    monkeypatch.setattr(screener, "screen_image", referred_by_second_class)
    monkeypatch.setattr(screener, "overlay", spy)
    queue = BatchQueue(store, screener, workers=1, heatmap_dir=tmp_path / "heat")
    job, _ = queue.submit(collect_inputs([write_image(tmp_path / "a.png", seed=3)]))
    assert queue.run(job.id).done == 1
    assert drawn == referring  # before: None, i.e. the top class's map

"""The chunked batch pipeline: one transaction per chunk, a bounded hand-off, every item
once and reported in order."""

from __future__ import annotations

import threading

import pytest

from screening import batch_writes
from screening import queue as queue_mod
from screening.errors import StoreFullError
from screening.queue import BatchQueue, Progress, collect_inputs
from tests.screening_fixtures import write_image
from tests.test_queue import assert_exactly_once


def images(tmp_path, n: int) -> list:
    return collect_inputs([write_image(tmp_path / f"i{k:02d}.png", seed=k) for k in range(n)])


def test_chunk_commits_together_or_not_at_all(store, screener, tmp_path, monkeypatch):
    """A failure on the third screening of a chunk leaves the first two unstored too."""
    queue = BatchQueue(store, screener, workers=1, chunk_items=4)
    job, _ = queue.submit(images(tmp_path, 4))
    calls = {"n": 0}
    insert = batch_writes._insert

    def third_fails(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise StoreFullError("The disk is full.")
        return insert(*args, **kwargs)

    monkeypatch.setattr(batch_writes, "_insert", third_fails)
    with pytest.raises(StoreFullError):
        queue.run(job.id)
    assert calls["n"] == 3  # the chunk was being written in one go
    assert store.job_counts(job.id).pending == 4 and store.list_screenings() == []
    monkeypatch.undo()
    assert queue.run(job.id).done == 4
    assert_exactly_once(store, job.id)


def test_item_finished_by_another_run_is_skipped_the_rest_of_its_chunk_kept(
    store, screener, tmp_path
):
    queue = BatchQueue(store, screener, workers=1, chunk_items=4)
    job, _ = queue.submit(images(tmp_path, 4))
    first = store.job_items(job.id)[0]
    # another process finished the first item after this run claimed it
    store.record_screening(
        screener.screen_path(tmp_path / "i00.png"),
        manifest=screener.manifest,
        image_path=first.path,
        batch_item_id=first.id,
    )
    rows = [
        batch_writes.PendingScreening(
            i.id, None, i.path, screener.screen_path(tmp_path / f"i{k:02d}.png"), None, None, ""
        )
        for k, i in enumerate(store.job_items(job.id))
    ]
    batch_writes.record_chunk(store, rows, operator="", manifest=screener.manifest)
    assert store.job_counts(job.id).done == 4
    assert_exactly_once(store, job.id)


def test_a_slow_writer_holds_the_workers_at_the_bound(store, screener, tmp_path, monkeypatch):
    """While the writer cannot store, workers screen at most what the hand-off, the writer
    and their own hands hold, then wait; nothing is screened twice or lost."""
    n, chunk, workers = 24, 2, 2
    queue = BatchQueue(
        store, screener, workers=workers, chunk_items=chunk, handoff_chunks=1, heatmap_dir=None
    )
    job, _ = queue.submit(images(tmp_path, n))
    screened = {"n": 0}
    lock = threading.Lock()
    all_blocked = threading.Event()
    seen: dict[str, int] = {}
    screen = screener.screen_images

    def counted(imgs, **kwargs):
        with lock:
            screened["n"] += len(imgs)
            if screened["n"] == n:
                all_blocked.set()  # an unbounded pipeline screens everything: stop waiting
        return screen(imgs, **kwargs)

    monkeypatch.setattr(screener, "screen_images", counted)
    record = queue_mod.record_chunk
    first = {"held": False}

    def slow_record(*args, **kwargs):
        if not first["held"]:
            first["held"] = True
            handoff = queue._handoff
            handoff.on_wait = lambda waiting: waiting == workers and all_blocked.set()
            assert all_blocked.wait(60), "workers neither finished nor waited"
            seen["screened"], seen["waiting"] = screened["n"], handoff.waiting
        return record(*args, **kwargs)

    monkeypatch.setattr(queue_mod, "record_chunk", slow_record)
    counts = queue.run(job.id)
    # writer's chunk + one in the hand-off + one in each worker's hands
    bound = chunk * (1 + 1 + workers)
    assert seen["waiting"] == workers and seen["screened"] <= bound < n
    assert counts.done == n and screened["n"] == n
    assert_exactly_once(store, job.id)


def test_chunked_run_reports_every_item_once_in_order(store, screener, tmp_path):
    heat = tmp_path / "heat"
    queue = BatchQueue(store, screener, workers=2, chunk_items=4, heatmap_dir=heat)
    job, _ = queue.submit(images(tmp_path, 10))
    reports: list[Progress] = []
    counts = queue.run(job.id, reports.append)
    finished = [p for p in reports if p.item is not None]
    assert sorted(p.item.id for p in finished) == sorted(i.id for i in store.job_items(job.id))
    assert [p.finished for p in finished] == list(range(1, 11))
    assert all(p.item.state == "done" for p in finished)
    assert counts.done == 10 and len(list(heat.iterdir())) == sum(
        1 for s in store.list_screenings() if s.heatmap_path
    )
    assert_exactly_once(store, job.id)

"""The red-team corpus through a real batch: every entry gets a row, none hangs or crashes.

Fast entries run in ``make test``; the large-pixel ones are in ``test_slow.py``
(``pytest -m redteam_slow``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from screening.queue import BatchQueue, collect_inputs
from screening.scanner import fs_path
from screening.store import Store
from tests.redteam import corpus

DEADLINE_S = 300.0  # the corpus screens in seconds; a hang shows as a failure, not a stall


def run_batch(store: Store, screener, folder: Path, workers: int = 2):
    """Submit and run ``folder`` in a thread; fail (not hang) if it does not finish."""
    queue = BatchQueue(store, screener, workers=workers)
    job, _ = queue.submit(collect_inputs([folder]))
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["counts"] = queue.run(job.id)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(DEADLINE_S)
    if thread.is_alive():
        queue.cancel()
        pytest.fail(f"the batch did not finish within {DEADLINE_S:.0f} s (a read hung)")
    if "error" in outcome:
        raise outcome["error"]
    return job, outcome["counts"]


def test_corpus_has_at_least_forty_bad_inputs():
    assert len(corpus.CASES) >= 40
    assert len({c.name for c in corpus.CASES}) == len(corpus.CASES)


@pytest.fixture()
def folder(tmp_path):
    """The corpus folder, removed afterwards by hand: pytest's own clean-up recurses and
    would fail on the 1,200-deep entry."""
    path = tmp_path / "corpus"
    yield path
    corpus.remove_tree(path)


def test_every_corpus_entry_gets_the_row_it_should(tmp_path, folder, screener):
    made = corpus.build(folder)
    assert len(made) >= 40 or not all(corpus.supported(c) for c in corpus.CASES)
    with Store(tmp_path / "clinic.db") as store:
        job, counts = run_batch(store, screener, folder)
        assert counts.pending == 0 and counts.total == len(made)
        rows = {fs_path(item.path): item for item in store.job_items(job.id)}
        wrong = []
        for name, (case, path) in made.items():
            item = rows.get(str(path))
            if item is None:
                wrong.append(f"{name}: no row")
            elif item.status not in case.expect or case.words not in item.error:
                wrong.append(f"{name}: {item.status} {item.error!r}")
        assert not wrong, "\n".join(wrong)
        assert store.integrity_ok()

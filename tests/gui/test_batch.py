"""The Batch window on the persisted queue: progress, pause/resume, cancel, retry failed,
resume after a crash, summary PDF and CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication

from gui.batch import BatchSources, gather, unfinished_jobs
from inference.packs import load_pack
from inference.screener import Screener
from screening.store import Store
from tests.gui.conftest import write_image


def engine_class(pack_dir: Path, image: Path) -> str:
    screener = Screener(load_pack(pack_dir))
    result = screener.screen_path(image)
    man = screener.manifest
    return man.classes[man.class_index(result.prediction.top_class)].name.get("en")


@pytest.fixture
def clinic_folder(tmp_path) -> Path:
    """Two patients, a folder each, plus one file that is not a readable image."""
    root = tmp_path / "clinic"
    write_image(root / "P-001" / "a.png", seed=1)
    write_image(root / "P-001" / "sub" / "b.png", seed=2)
    write_image(root / "P-002" / "c.png", seed=3)
    (root / "P-002" / "broken.png").write_bytes(b"\x89PNG not really")
    (root / "P-002" / "notes.txt").write_text("not an image", "utf-8")
    return root


def wait_task(qtbot, window, task) -> None:
    assert task is not None
    qtbot.waitUntil(lambda: task not in window.runner._live, timeout=30000)


def run_dialog(qtbot, window, sources_paths, mode="folder"):
    d = window.open_batch()
    assert window.session.pack.manifest.display_name.get("en") in d.pack_label.text()
    d.add_sources([str(p) for p in sources_paths])
    d.patients.setCurrentIndex(d.patients.findData(mode))
    assert d.start_button.isEnabled()
    with qtbot.waitSignal(window.batch.finished, timeout=30000) as blocker:
        d.start_button.click()
    return d, blocker.args[0]


def test_gather_folder_per_patient_and_mapping(clinic_folder, tmp_path):
    got = gather(BatchSources((str(clinic_folder),), folder_per_patient=True))
    by_name = {Path(i.path).name: i.patient_code for i in got.inputs}
    assert by_name == {"a.png": "P-001", "b.png": "P-001", "c.png": "P-002", "broken.png": "P-002"}
    assert got.skipped == 1  # notes.txt
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"file,patient_id\n{clinic_folder / 'P-001' / 'a.png'},X-9\n", "utf-8")
    got = gather(BatchSources((str(clinic_folder / "P-001"),), mapping_csv=str(mapping)))
    assert [(Path(i.path).name, i.patient_code) for i in got.inputs] == [
        ("a.png", "X-9"),
        ("b.png", ""),
    ]


def test_batch_screens_every_file_once_and_shows_the_engines_answer(
    qtbot, window, clinic_folder, packs_root
):
    d, outcome = run_dialog(qtbot, window, [clinic_folder])
    store = window.store
    counts = store.job_counts(outcome.job_id)
    assert (counts.done, counts.failed, counts.pending) == (3, 1, 0)
    assert outcome.state == "done"
    assert len(store.list_screenings(job_id=outcome.job_id, limit=-1)) == 3
    assert d.table.rowCount() == 4
    rows = {d.row_texts(i)[0]: d.row_texts(i) for i in range(4)}
    a = clinic_folder / "P-001" / "a.png"
    assert rows["a.png"][1] == "P-001" and rows["c.png"][1] == "P-002"
    assert rows["a.png"][2].startswith(engine_class(packs_root / "tiny-pack", a))
    # counted as refused in the line above the table (screening.outcomes), so shown as such
    assert rows["broken.png"][3] == "no answer"
    assert d.progress.value() == 4 and d.progress.maximum() == 4
    assert d.retry_button.isEnabled() and not d.resume_button.isEnabled()
    assert d.report_button.isEnabled() and d.export_button.isEnabled()
    # the batch's screenings are in the history list
    qtbot.waitUntil(lambda: window.history.count() == 3)


def test_pause_holds_the_queue_and_resume_finishes(qtbot, window, tmp_path, monkeypatch):
    from screening import queue as queue_mod
    from tests.screening_fixtures import CountingGate

    gates: list[CountingGate] = []

    class GatedQueue(queue_mod.BatchQueue):
        """The batch's queue, its pause gate telling when every worker is held at it."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._running = CountingGate(parties=self.workers)
            gates.append(self._running)

    monkeypatch.setattr(queue_mod, "BatchQueue", GatedQueue)
    files = [write_image(tmp_path / "many" / f"{i:02d}.png", seed=i) for i in range(24)]
    d = window.open_batch()
    d.add_sources([str(tmp_path / "many")])
    window.batch.job_started.connect(lambda *_: d.pause_button.setChecked(True))
    d.start_button.click()
    qtbot.waitUntil(lambda: window.batch.job_id is not None and window.batch.paused, timeout=20000)
    assert d.pause_button.text() == "Continue"
    job_id = window.batch.job_id
    # the items in hand finish, then both workers hold at the pause
    qtbot.waitUntil(lambda: gates and gates[0].all_held.is_set(), timeout=20000)
    held = window.store.job_counts(job_id)
    assert window.batch.running
    assert window.store.job_counts(job_id) == held
    assert held.pending > 0
    assert window.store.get_job(job_id).state == "paused"
    with qtbot.waitSignal(window.batch.finished, timeout=30000):
        d.pause_button.setChecked(False)
    counts = window.store.job_counts(job_id)
    assert (counts.done, counts.pending) == (len(files), 0)
    assert not d.pause_button.isChecked() and d.pause_button.text() == "Pause"


def test_cancel_keeps_the_rest_pending_and_resume_completes_exactly_once(qtbot, window, tmp_path):
    for i in range(24):
        write_image(tmp_path / "set" / f"{i:02d}.png", seed=10 + i)
    d = window.open_batch()
    d.add_sources([str(tmp_path / "set")])
    window.batch.job_started.connect(lambda *_: d.cancel_button.click())
    with qtbot.waitSignal(window.batch.finished, timeout=30000) as blocker:
        d.start_button.click()
    job_id = blocker.args[0].job_id
    counts = window.store.job_counts(job_id)
    assert counts.pending > 0 and counts.total == 24  # stopped after the items in hand
    assert blocker.args[0].state == window.store.get_job(job_id).state == "cancelled"
    assert d.resume_button.isEnabled()
    window.batch.job_started.disconnect()
    with qtbot.waitSignal(window.batch.finished, timeout=30000):
        d.resume_button.click()
    counts = window.store.job_counts(job_id)
    assert (counts.done, counts.pending) == (24, 0)
    screenings = window.store.list_screenings(job_id=job_id, limit=-1)
    assert len(screenings) == 24 and len({s.batch_item_id for s in screenings}) == 24


def test_retry_failed_after_fixing_the_file(qtbot, window, clinic_folder):
    d, outcome = run_dialog(qtbot, window, [clinic_folder])
    assert window.store.job_counts(outcome.job_id).failed == 1
    write_image(clinic_folder / "P-002" / "broken.png", seed=9)  # the file is fixed
    with qtbot.waitSignal(window.batch.finished, timeout=30000):
        d.retry_button.click()
    counts = window.store.job_counts(outcome.job_id)
    assert (counts.done, counts.failed) == (4, 0)
    assert not d.retry_button.isEnabled()


def test_same_files_again_make_a_new_job(qtbot, window, clinic_folder):
    d, first = run_dialog(qtbot, window, [clinic_folder])
    with qtbot.waitSignal(window.batch.finished, timeout=30000) as blocker:
        d.start_button.click()
    assert blocker.args[0].job_id != first.job_id
    assert window.store.job_counts(blocker.args[0].job_id).done == 3
    assert d.jobs.count() == 2


def test_summary_pdf_and_csv_from_the_gui(qtbot, window, clinic_folder, tmp_path):
    _, outcome = run_dialog(qtbot, window, [clinic_folder])
    pdf, table = tmp_path / "out" / "summary", tmp_path / "out" / "results.csv"
    (tmp_path / "out").mkdir()
    wait_task(qtbot, window, window.write_job_report(outcome.job_id, pdf))
    state = window.batch_dialog.state
    assert "summary.pdf" in state.text() and "<a href=" in state.text()  # open it to print
    assert pdf.with_suffix(".pdf").as_uri() in state.text()
    text = " ".join(p.extract_text() for p in PdfReader(pdf.with_suffix(".pdf")).pages)
    for name in ("a.png", "b.png", "c.png", "broken.png", "P-001", "P-002"):
        assert name in text
    wait_task(qtbot, window, window.export_job_csv(outcome.job_id, table))
    rows = list(csv.DictReader(table.open(encoding="utf-8-sig")))
    assert sorted(Path(r["file"]).name for r in rows) == ["a.png", "b.png", "broken.png", "c.png"]
    assert {r["patient_id"] for r in rows} == {"P-001", "P-002"}
    job = outcome.job_id  # audited as `cliniclens batch` audits them (screening.outputs)
    details = {e.action: e.detail for e in window.store.audit_log() if "export" in e.action}
    assert details == {
        "report.export": f"batch job {job}: {pdf.with_suffix('.pdf')}",
        "results.export": f"job {job}: {table}",
    }


def crashed_job(tmp_path, files) -> int:
    """What a killed app leaves: a job with items persisted, state 'running', none done."""
    store = Store(tmp_path / "store" / "cliniclens.db")
    job = store.create_job("crash-key", "tiny-pack", [(str(f), None) for f in files])
    store.set_job_state(job.id, "running")
    assert [j.id for j in unfinished_jobs(store, ["tiny-pack"])] == [job.id]
    assert unfinished_jobs(store, ["other-pack"]) == []
    store.close()
    return job.id


@pytest.mark.parametrize("accept", [True, False])
def test_unfinished_job_is_offered_on_start_up(qtbot, make_window, tmp_path, monkeypatch, accept):
    from gui.main_window import MainWindow

    files = [write_image(tmp_path / "crash" / f"{i}.png", seed=i) for i in range(3)]
    job_id = crashed_job(tmp_path, files)
    asked = []
    monkeypatch.setattr(MainWindow, "ask", lambda self, title, text: asked.append(text) or accept)
    window = make_window()
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert f"#{job_id}" in asked[0] and "0 of 3" in asked[0]
    if accept:
        qtbot.waitUntil(
            lambda: window.store.job_counts(job_id).done == 3 and not window.batch.running,
            timeout=30000,
        )
        assert window.batch_dialog.isVisible()
        assert len(window.store.list_screenings(job_id=job_id, limit=-1)) == 3
    else:
        QCoreApplication.processEvents()  # anything the answer queued has run
        assert window.batch_dialog is None
        assert window.store.job_counts(job_id).pending == 3


def test_quitting_mid_batch_offers_the_rest_at_next_start(
    qtbot, make_window, tmp_path, monkeypatch
):
    from gui.main_window import MainWindow

    for i in range(24):
        write_image(tmp_path / "q" / f"{i:02d}.png", seed=40 + i)
    asked = []
    monkeypatch.setattr(MainWindow, "ask", lambda self, title, text: asked.append(text) or True)
    first = make_window()
    d = first.open_batch()
    d.add_sources([str(tmp_path / "q")])
    first.batch.job_started.connect(lambda *_: first.close())
    d.start_button.click()
    qtbot.waitUntil(lambda: first.store is None or not first.isVisible(), timeout=20000)
    qtbot.waitUntil(lambda: not first.runner.busy, timeout=20000)
    store = Store(tmp_path / "store" / "cliniclens.db")
    job = store.list_jobs()[0]
    left = store.job_counts(job.id).pending
    store.close()
    assert left > 0 and job.state == "paused"
    second = make_window()
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    qtbot.waitUntil(
        lambda: second.store.job_counts(job.id).pending == 0 and not second.batch.running,
        timeout=30000,
    )
    screenings = second.store.list_screenings(job_id=job.id, limit=-1)
    assert len(screenings) == 24 and len({s.batch_item_id for s in screenings}) == 24

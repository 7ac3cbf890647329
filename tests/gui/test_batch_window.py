"""Issue 19 items 3 (GUI), 6 and 7 in the Batch window: outcome words, same-named files,
reasons readable from their start, the selected job's rows after a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import write_image
from tests.gui.test_batch import run_dialog


def test_before_any_batch_there_is_no_0_of_1(qtbot, window):
    d = window.open_batch()
    assert not d.progress.isTextVisible()
    assert "0 of 1" not in d.state.text()


def test_outcome_words_same_names_and_full_reasons(qtbot, window, tmp_path):
    root = tmp_path / "clinic"
    write_image(root / "left" / "scan.png", seed=1)
    write_image(root / "right" / "scan.png", seed=2)
    (root / "right" / "broken.png").write_bytes(b"\x89PNG not really")
    d, outcome = run_dialog(qtbot, window, [root], mode="none")
    files = sorted(d.row_texts(i)[0] for i in range(d.table.rowCount()))
    assert files == ["broken.png", "left/scan.png", "right/scan.png"]  # told apart
    # one vocabulary: the window and the status bar say what the PDF and CSV say
    assert "Answered 2 · Refused 1 · Failed 0" in d.state.text()
    assert "Answered 2 · Refused 1 · Failed 0" in window.statusBar().currentMessage()
    broken = next(i for i in range(d.table.rowCount()) if d.row_texts(i)[0] == "broken.png")
    reason = d.rows[broken].result
    assert len(reason) > 20
    assert d.table.textElideMode() == Qt.TextElideMode.ElideRight  # the start stays readable
    tip = d.table.item(broken, 2).toolTip()
    assert reason.split("(")[0].strip()[:20] in tip
    d.table.setCurrentCell(broken, 2)
    assert reason in d.detail.text() and str(root / "right" / "broken.png") in d.detail.text()


def test_after_a_restart_the_selected_job_shows_its_rows(qtbot, make_window, tmp_path):
    root = tmp_path / "few"
    for i in range(3):
        write_image(root / f"{i}.png", seed=i)
    first = make_window()
    run_dialog(qtbot, first, [root], mode="none")
    first.close()
    again = make_window()
    d = again.open_batch()
    assert d.jobs.currentData() is not None
    assert d.table.rowCount() == 3  # not an empty table until the job is picked again
    assert "3 of 3 images done" in d.state.text()

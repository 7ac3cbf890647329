"""The batch table's State column agrees with the counts above it (gui.batch.row_for)."""

from __future__ import annotations

from types import SimpleNamespace

from gui.batch import row_for
from screening.outcomes import count_outcomes


def item(status: str, error: str = "") -> SimpleNamespace:
    return SimpleNamespace(position=1, path="/x/scan-5.jpg", patient_id=None, state="failed",
                           screening_id=None, status=status, error=error)


def test_an_unreadable_file_reads_no_answer_as_it_is_counted_refused():
    row = row_for(item("unreadable", "Truncated File Read"), store=None, manifests={})
    assert (row.kind, row.outcome) == ("flagged", "refused")
    assert count_outcomes(["unreadable"]).refused == 1


def test_an_internal_error_stays_failed_in_both():
    row = row_for(item("error", "boom"), store=None, manifests={})
    assert (row.kind, row.outcome) == ("failed", "failed")
    assert count_outcomes(["error"]).failed == 1

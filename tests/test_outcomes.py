"""One vocabulary for counts (issue 19 item 3) and one way to print a probability (item 4)."""

from __future__ import annotations

import pytest

from inference.results import Prediction, ScreenResult, Status
from screening.numbers import format_percent, format_probability
from screening.outcomes import (
    ANSWERED,
    FAILED,
    NOT_DONE,
    REFUSED,
    OutcomeCounts,
    count_outcomes,
    outcome_of,
)
from screening.store import BatchItem


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("ok", ANSWERED),
        (Status.OK, ANSWERED),
        ("not_modality", REFUSED),
        ("out_of_distribution", REFUSED),
        ("poor_quality", REFUSED),
        ("unreadable", REFUSED),
        ("too_large", REFUSED),
        ("not_a_file", REFUSED),  # codes added later are refusals with a reason
        ("error", FAILED),
        (Status.ERROR, FAILED),
        ("pending", NOT_DONE),
        ("deleted", NOT_DONE),
        ("", NOT_DONE),
        (None, NOT_DONE),
    ],
)
def test_outcome_of_each_status(status, outcome):
    assert outcome_of(status) == outcome


def _item(i: int, state: str, status: str = "") -> BatchItem:
    return BatchItem(i, 1, i, f"/x/{i}.png", None, state, status, "", "", None, 0, "")


def _result(status: Status, refer: bool = False) -> ScreenResult:
    pred = Prediction("p", "1", "", ("a", "b"), (0.2, 0.8), "b", 0.8, refer)
    return ScreenResult("x.png", status, prediction=pred)


def test_ten_images_six_refused_counts_as_the_issue_says():
    """The issue's case: 10 images, 6 without an answer, must not read "10 screened"."""
    statuses = ["ok"] * 4 + ["out_of_distribution"] * 3 + ["not_modality"] * 2 + ["unreadable"]
    counts = count_outcomes(statuses)
    assert counts == OutcomeCounts(answered=4, refused=6, failed=0, not_done=0)
    assert counts.total == 10 and not counts.complete
    assert counts.summary("en") == "Answered 4 · Refused 6 · Failed 0"
    assert counts.summary("id") == "Terjawab 4 · Ditolak 6 · Gagal 0"


def test_not_done_is_mentioned_only_when_some_are():
    counts = count_outcomes(["ok", "pending", "pending"])
    assert counts.summary("en") == "Answered 1 · Refused 0 · Failed 0 · Not done 2"


def test_mixed_shapes_count_alike():
    """Job pairs, lone items, ScreenResults and status codes all count the same way."""
    entries = [
        (_item(1, "pending"), None),  # not screened yet
        (_item(2, "done", "ok"), None),  # screened, screening deleted since
        (_item(3, "failed", "unreadable"), None),
        _item(4, "failed", "error"),
        _result(Status.OK, refer=True),
        _result(Status.OK, refer=False),
        _result(Status.POOR_QUALITY, refer=True),  # refer of a refused image never counts
    ]
    assert count_outcomes(entries) == OutcomeCounts(
        answered=2, refused=2, failed=1, not_done=2, referred=1
    )


def test_empty_is_complete_and_zero():
    counts = count_outcomes([])
    assert counts.total == 0 and counts.complete
    assert counts.summary() == "Answered 0 · Refused 0 · Failed 0"


@pytest.mark.parametrize(
    ("p", "lang", "text"),
    [
        (1.0, "en", "> 99.9 %"),
        (0.99951, "en", "> 99.9 %"),
        (0.0, "en", "< 0.1 %"),
        (0.0004, "en", "< 0.1 %"),
        (0.989, "en", "98.9 %"),
        (0.989, "id", "98,9 %"),
        (1.0, "id", "> 99,9 %"),
        (0.0, "id", "< 0,1 %"),
        (0.5, "id_ID", "50,0 %"),
        (None, "en", "—"),
    ],
)
def test_probability_never_claims_certainty(p, lang, text):
    shown = format_probability(p, lang)
    assert shown.replace("\u00a0", " ") == text
    assert " " not in shown  # no-break spaces only: never wraps inside a table cell


def test_measured_rates_keep_one_hundred_percent():
    assert format_percent(1.0, "en") == "100.0\u00a0%"
    assert format_percent(0.973, "id") == "97,3\u00a0%"

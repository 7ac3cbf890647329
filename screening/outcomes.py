"""One vocabulary for what happened to each image, counted in one place.

Every screen that counts results (the CLI summary, results.csv, the PDF reports, the GUI
status bar and batch window) calls :func:`count_outcomes`, so they can never disagree
again (issue 19: "10 screened, 0 failed" on screen vs "Screened 4, flagged 6" on paper).

The four outcomes:

``answered``
    the model gave an answer (status ``ok``); ``referred`` counts those marked REFER.
``refused``
    ClinicLens looked at the input and declined with a reason: not the right kind of
    image, unlike the training data, poor quality, unreadable, too large, not a regular
    file... (any status code other than ``ok``, ``error``, ``pending`` and ``deleted``,
    so input codes added later are refusals too).
``failed``
    something went wrong on ClinicLens's side (status ``error``).
``not_done``
    no valid answer (yet): a pending item of an interrupted batch, a finished item whose
    screening was deleted since, or a screening voided since (``screening.records``).

Usage (stable API; the GUI depends on it)::

    from screening.outcomes import count_outcomes, outcome_of
    counts = count_outcomes(store.job_results(job_id))     # (BatchItem, record|None) pairs
    counts = count_outcomes(records)                       # ScreeningRecord / ScreenResult
    counts = count_outcomes(["ok", "poor_quality"])        # plain status codes
    counts = count_outcomes(pairs, voided=records.voids(store))  # voided: not done
    counts.answered, counts.refused, counts.failed, counts.not_done, counts.referred
    counts.summary("en")   # "Answered 4 · Refused 6 · Failed 0"
    outcome_of("out_of_distribution")  # "refused"
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from .i18n import tr

ANSWERED = "answered"
REFUSED = "refused"
FAILED = "failed"
NOT_DONE = "not_done"
OUTCOMES = (ANSWERED, REFUSED, FAILED, NOT_DONE)

_FAILED_STATUSES = frozenset({"error"})
_NOT_DONE_STATUSES = frozenset({"", "pending", "deleted", "voided"})


def outcome_of(status: Any) -> str:
    """The outcome (one of :data:`OUTCOMES`) of a status code ("ok", "poor_quality", ...).

    Accepts :class:`inference.results.Status` members too; ``None`` or "" is not done."""
    code = str(getattr(status, "value", status) or "")
    if code == "ok":
        return ANSWERED
    if code in _FAILED_STATUSES:
        return FAILED
    if code in _NOT_DONE_STATUSES:
        return NOT_DONE
    return REFUSED


@dataclass(frozen=True)
class OutcomeCounts:
    """How many images were answered, refused, failed or not done (``referred`` is the
    part of ``answered`` marked REFER)."""

    answered: int = 0
    refused: int = 0
    failed: int = 0
    not_done: int = 0
    referred: int = 0

    @property
    def total(self) -> int:
        return self.answered + self.refused + self.failed + self.not_done

    @property
    def complete(self) -> bool:
        """Every image got an answer (the CLI's exit 0)."""
        return self.answered == self.total

    def summary(self, language: str = "en") -> str:
        """"Answered 4 · Refused 6 · Failed 0" (+ " · Not done 2" while some are)."""
        parts = [
            tr("outcome.answered_n", language, n=self.answered),
            tr("outcome.refused_n", language, n=self.refused),
            tr("outcome.failed_n", language, n=self.failed),
        ]
        if self.not_done:
            parts.append(tr("outcome.not_done_n", language, n=self.not_done))
        return " · ".join(parts)


def _status_and_refer(entry: Any, voided: Collection[int] = ()) -> tuple[Any, bool]:
    """(status code, referred) of one entry of any shape count_outcomes accepts."""
    if isinstance(entry, tuple) and len(entry) == 2:
        item, record = entry
        if record is not None:
            return _status_and_refer(record, voided)
        if getattr(item, "state", "") == "done":
            return "deleted", False  # finished, but its screening was deleted since
        state = getattr(item, "state", "")
        return ("pending" if state == "pending" else getattr(item, "status", "")), False
    if isinstance(entry, str):
        return entry, False
    if hasattr(entry, "as_dict"):  # screening.export.ResultRow
        cells = entry.as_dict()
        return cells.get("status"), bool(cells.get("refer"))
    if hasattr(entry, "state") and not hasattr(entry, "refer"):  # a BatchItem alone
        return ("pending" if entry.state == "pending" else entry.status), False
    if voided and getattr(entry, "id", None) in voided and hasattr(entry, "image_sha256"):
        return "voided", False  # a stored screening declared invalid since
    prediction = getattr(entry, "prediction", None)  # inference.results.ScreenResult
    refer = getattr(entry, "refer", getattr(prediction, "refer", False))
    return getattr(entry, "status", None), bool(refer)


def count_outcomes(entries: Iterable[Any], voided: Collection[int] = ()) -> OutcomeCounts:
    """Count outcomes of ``entries``: status codes, ``ScreeningRecord``s, ``ScreenResult``s,
    ``BatchItem``s, ``(BatchItem, ScreeningRecord | None)`` pairs from
    ``Store.job_results`` or ``screening.export.ResultRow``s (mixing is fine).

    ``voided``: ids of stored screenings voided since (e.g. ``screening.records.voids(store)``,
    a dict works); they count as not done, never as answered."""
    tally = dict.fromkeys(OUTCOMES, 0)
    referred = 0
    for entry in entries:
        status, refer = _status_and_refer(entry, voided)
        outcome = outcome_of(status)
        tally[outcome] += 1
        referred += int(outcome == ANSWERED and refer)
    return OutcomeCounts(referred=referred, **tally)


def outcome_label(outcome: str, language: str = "en") -> str:
    """The outcome's word for tables and legends ("Answered", "Ditolak", ...)."""
    return tr(f"outcome.{outcome}", language)


__all__ = [
    "ANSWERED",
    "FAILED",
    "NOT_DONE",
    "OUTCOMES",
    "REFUSED",
    "OutcomeCounts",
    "count_outcomes",
    "outcome_label",
    "outcome_of",
]


def job_outcomes(store: Any, job_id: int) -> OutcomeCounts:
    """A stored batch job's counts, screenings voided since then counted as not done: what
    the GUI's status bar and batch window say after a batch (the PDF counts the same way)."""
    from .records import voids

    return count_outcomes(store.job_results(job_id), voids(store))

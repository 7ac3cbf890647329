"""What happened to stored screenings since they were made, in words for reports.

Why: a screening can be moved to another patient or voided (``screening.records``; both
kept in the audit trail). A report printed later must show that: a voided screening is
never printed as a valid result, and a moved one says from whom, when and why. One query
per action for the whole report, not one per screening.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import tr
from .records import ASSIGN_ACTION, Void, voids
from .report_text import field, shorten
from .store import Store


@dataclass(frozen=True)
class Changes:
    """A screening's later history: its void (if any) and its patient changes."""

    void: Void | None = None
    moves: tuple[tuple[str, str, str], ...] = ()  # (at, operator, "P-1 -> P-2: why")


def changes_of(store: Store) -> dict[int, Changes]:
    """Changes of every screening that has any, by screening id."""
    found = voids(store)
    moves: dict[int, list[tuple[str, str, str]]] = {}
    for e in reversed(store.audit_log(action=ASSIGN_ACTION, limit=-1)):  # oldest first
        if e.screening_id is not None and e.detail:
            moves.setdefault(e.screening_id, []).append((e.at, e.operator, e.detail))
    ids = set(found) | set(moves)
    return {i: Changes(found.get(i), tuple(moves.get(i, ()))) for i in ids}


def _when(stamp: str) -> str:
    from .reports import _when as when  # the reports' one date format

    return when(stamp)


def void_lines(void: Void, language: str) -> tuple[str, str]:
    """(title, sentence) for a voided screening's box."""
    return tr("report.voided_title", language), tr(
        "report.voided_note",
        language,
        when=_when(void.at),
        operator=field(void.operator, 80) or "—",
        reason=shorten(field(void.reason, 600), 600),
    )


def move_lines(changes: Changes, language: str) -> list[str]:
    """One line per patient change, oldest first."""
    return [
        tr(
            "report.moved_note",
            language,
            when=_when(at),
            operator=field(operator, 80) or "—",
            detail=field(detail, 300),
        )
        for at, operator, detail in changes.moves
    ]


__all__ = ["Changes", "changes_of", "move_lines", "void_lines"]

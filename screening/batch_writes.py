"""Grouped database writes for the batch queue: one transaction per chunk of screenings.

Why: a commit per image (plus a read-back of the stored screening and of the item) was a
third of a brain-MRI batch's time. A chunk's screenings and their items' ``done`` marks
commit together or not at all, so a crash still leaves every item either pending (claimed
by a dead process, taken again by the next run) or done with exactly one screening.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inference.manifest import Manifest
from inference.results import ScreenResult

from .claims import is_duplicate_error
from .errors import StoreError
from .store import Store


@dataclass(frozen=True)
class PendingScreening:
    """One screened batch item, encoded and ready to store."""

    item_id: int
    patient_id: int | None
    image_path: str
    result: ScreenResult
    thumbnail: bytes | None
    overlay: bytes | None
    heatmap_path: str


def _insert(
    store: Store, conn: object, row: PendingScreening, operator: str, manifest: Manifest
) -> None:
    store._insert_screening(  # noqa: SLF001 - the store's own insert, inside our transaction
        conn,
        row.result,
        row.patient_id,
        operator,
        manifest,
        row.image_path,
        row.thumbnail,
        row.overlay,
        row.heatmap_path or None,
        row.item_id,
    )


def record_chunk(
    store: Store, rows: Sequence[PendingScreening], *, operator: str, manifest: Manifest
) -> None:
    """Store every screening of the chunk and mark its items done, in one transaction.

    When another run already finished one of the items (its claim had gone stale), the
    chunk is written again item by item so the others are kept and that one is skipped."""
    if not rows:
        return
    try:
        with store.transaction() as conn:
            for row in rows:
                _insert(store, conn, row, operator, manifest)
    except StoreError as exc:
        if not is_duplicate_error(exc):
            raise
        for row in rows:
            try:
                with store.transaction() as conn:
                    _insert(store, conn, row, operator, manifest)
            except StoreError as one:
                if not is_duplicate_error(one):
                    raise

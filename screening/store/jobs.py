"""The batch_jobs and batch_items tables: a job and all its items are stored before any work
starts, so a batch survives a crash or a closed window (``screening.queue`` runs them,
``screening.claims`` shares them between processes)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from ..errors import NotFoundError, QueueError, StoreError
from .audit import write_audit
from .base import now_iso
from .records import JOB_STATES, BatchItem, BatchJob, JobCounts, ScreeningRecord
from .screenings import ScreeningsTable

ITEM_COLUMNS = (
    "id, job_id, position, path, patient_id, state, status, error, image_sha256, "
    "screening_id, attempts, updated_at"
)
JOB_COLUMNS = (
    "id, job_key, pack_id, state, label, out_dir, operator, options, created_at, updated_at"
)


def job_from_row(row: sqlite3.Row) -> BatchJob:
    options = json.loads(row["options"] or "{}")
    return BatchJob(
        id=row["id"],
        job_key=row["job_key"],
        pack_id=row["pack_id"],
        state=row["state"],
        label=row["label"],
        out_dir=row["out_dir"],
        operator=row["operator"],
        options=tuple(sorted(options.items())),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def item_from_row(row: sqlite3.Row) -> BatchItem:
    return BatchItem(
        id=row["id"],
        job_id=row["job_id"],
        position=row["position"],
        path=row["path"],
        patient_id=row["patient_id"],
        state=row["state"],
        status=row["status"],
        error=row["error"],
        image_sha256=row["image_sha256"],
        screening_id=row["screening_id"],
        attempts=row["attempts"],
        updated_at=row["updated_at"],
    )


class JobsTable(ScreeningsTable):
    """Batch methods of :class:`screening.store.Store` (used by ``screening.queue``)."""

    def create_job(
        self,
        job_key: str,
        pack_id: str,
        items: Iterable[tuple[str, int | None]],
        *,
        label: str = "",
        out_dir: str = "",
        operator: str = "",
        options: dict[str, Any] | None = None,
    ) -> BatchJob:
        """Persist a job and all its items in one transaction, before any work starts."""
        stamp = now_iso()
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO batch_jobs (job_key, pack_id, state, created_at, updated_at,"
                    " label, out_dir, operator, options) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        job_key,
                        pack_id,
                        "pending",
                        stamp,
                        stamp,
                        label,
                        out_dir,
                        operator,
                        json.dumps(options or {}, sort_keys=True),
                    ),
                )
                job_id = int(cur.lastrowid)
                conn.executemany(
                    "INSERT INTO batch_items (job_id, position, path, patient_id, state,"
                    " updated_at) VALUES (?,?,?,?, 'pending', ?)",
                    [(job_id, i, path, pid, stamp) for i, (path, pid) in enumerate(items)],
                )
                write_audit(conn, "batch.create", operator, None, None, f"job {job_id} {label}")
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise QueueError(
                    "A batch job with these inputs already exists, or a file is listed twice."
                ) from None
            raise
        return self.get_job(job_id)

    def get_job(self, job_id: int) -> BatchJob:
        rows = self._rows(f"SELECT {JOB_COLUMNS} FROM batch_jobs WHERE id=?", (job_id,))
        if not rows:
            raise NotFoundError(f"Batch job {job_id} is not in this database.")
        return job_from_row(rows[0])

    def find_job(self, job_key: str) -> BatchJob | None:
        rows = self._rows(f"SELECT {JOB_COLUMNS} FROM batch_jobs WHERE job_key=?", (job_key,))
        return job_from_row(rows[0]) if rows else None

    def list_jobs(self, *, limit: int = 100) -> list[BatchJob]:
        return [
            job_from_row(r)
            for r in self._rows(
                f"SELECT {JOB_COLUMNS} FROM batch_jobs ORDER BY id DESC LIMIT ?", (int(limit),)
            )
        ]

    def set_job_state(self, job_id: int, state: str) -> None:
        if state not in JOB_STATES:
            raise ValueError(f"unknown job state {state!r}")
        with self.transaction() as conn:
            conn.execute(
                "UPDATE batch_jobs SET state=?, updated_at=? WHERE id=?", (state, now_iso(), job_id)
            )

    def job_items(self, job_id: int, state: str | None = None) -> list[BatchItem]:
        sql = f"SELECT {ITEM_COLUMNS} FROM batch_items WHERE job_id=?"
        params: list[Any] = [job_id]
        if state is not None:
            sql += " AND state=?"
            params.append(state)
        return [item_from_row(r) for r in self._rows(sql + " ORDER BY position", params)]

    def get_item(self, item_id: int) -> BatchItem:
        rows = self._rows(f"SELECT {ITEM_COLUMNS} FROM batch_items WHERE id=?", (item_id,))
        if not rows:
            raise NotFoundError(f"Batch item {item_id} is not in this database.")
        return item_from_row(rows[0])

    def job_counts(self, job_id: int) -> JobCounts:
        counts = dict(
            self._query(
                "SELECT state, COUNT(*) FROM batch_items WHERE job_id=? GROUP BY state", (job_id,)
            )
        )
        return JobCounts(counts.get("pending", 0), counts.get("done", 0), counts.get("failed", 0))

    def fail_item(self, item_id: int, status: str, error: str, image_sha256: str = "") -> None:
        """A file that never reached the model: no screening, the reason on the item."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE batch_items SET state='failed', status=?, error=?, image_sha256=?,"
                " attempts=attempts+1, updated_at=? WHERE id=? AND state='pending'",
                (status, error, image_sha256, now_iso(), item_id),
            )

    def reset_failed(self, job_id: int) -> int:
        """Put a job's failed items back in the queue; returns how many."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE batch_items SET state='pending', status='', error='', updated_at=?"
                " WHERE job_id=? AND state='failed'",
                (now_iso(), job_id),
            )
            conn.execute(
                "UPDATE batch_jobs SET state='pending', updated_at=? WHERE id=? AND ?>0",
                (now_iso(), job_id, cur.rowcount),
            )
            return int(cur.rowcount)

    def job_results(self, job_id: int) -> list[tuple[BatchItem, ScreeningRecord | None]]:
        """Every item of a job in input order, with its screening when it has one."""
        items = self.job_items(job_id)
        screenings = {s.batch_item_id: s for s in self.list_screenings(job_id=job_id, limit=-1)}
        return [(item, screenings.get(item.id)) for item in items]

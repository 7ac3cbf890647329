"""Batch items that know their file, and processes that share a job without colliding.

Why: jobs were keyed by path only, so a new image saved under an old name kept the old
answer on a rerun; and two runs of one job screened the same items and the second hit a
raw "UNIQUE constraint failed". Now:

* an item is *claimed* before its file is read, in one transaction, recording the file's
  size and modification time as they were before the read; a claim by a live process is
  respected, one by a dead process (same machine) or older than :data:`LEASE_S` is not;
* a finished item whose file now differs (size or time changed and the sha256 of the
  content differs from the one screened) goes back to pending, its old screening stays in
  the patient's history but no longer answers for the job.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import sys
import time
import uuid
from dataclasses import dataclass

from inference.errors import ImageError
from inference.images import sha256_file

from .scanner import fs_path
from .store import BatchItem, Store, now_iso

LEASE_S = 600.0  # no single image takes ten minutes; a claim older than this is abandoned
_HOST = socket.gethostname()


@dataclass(frozen=True)
class Fingerprint:
    """What identifies a file's content cheaply: its size and modification time."""

    size: int
    mtime_ns: int


def fingerprint(path: str) -> Fingerprint | None:
    """The fingerprint of a regular file (links followed), None for anything else."""
    try:
        st = os.stat(fs_path(path))
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Fingerprint(st.st_size, st.st_mtime_ns)


_ACTIVE: set[str] = set()  # owners of runs under way in this process


def new_owner() -> str:
    """A claim owner for one run, ``host:pid:random``; active until :func:`release`."""
    owner = f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    _ACTIVE.add(owner)
    return owner


def _owner_alive(owner: str) -> bool:
    """False only when the owner is surely gone: a process on this machine that has ended."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit() or sys.platform == "win32":
        return True  # another machine, or Windows (where probing a pid can kill it): lease
    pid = int(pid_text)
    if pid == os.getpid():
        return owner in _ACTIVE  # an earlier run of this process that has ended
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _claimable(claimed_by: str, claimed_at: float, me: str, now: float) -> bool:
    if not claimed_by or claimed_by == me:
        return True
    return now - claimed_at > LEASE_S or not _owner_alive(claimed_by)


def claim(store: Store, item_id: int, owner: str) -> bool:
    """Take a pending item for ``owner`` and record its file's fingerprint; False when it
    is finished or a live process holds it."""
    fp = fingerprint(_item_path(store, item_id))
    now = time.time()
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT state, claimed_by, claimed_at FROM batch_items WHERE id=?", (item_id,)
        ).fetchone()
        if row is None or row[0] != "pending" or not _claimable(row[1], row[2], owner, now):
            return False
        conn.execute(
            "UPDATE batch_items SET claimed_by=?, claimed_at=?, file_size=?, file_mtime_ns=?"
            " WHERE id=?",
            (owner, now, fp.size if fp else None, fp.mtime_ns if fp else None, item_id),
        )
    return True


def _item_path(store: Store, item_id: int) -> str:
    rows = store._query("SELECT path FROM batch_items WHERE id=?", (item_id,))  # noqa: SLF001
    return rows[0][0] if rows else ""


def release(store: Store, owner: str) -> None:
    """Give back the items ``owner`` still holds (at the end of a run)."""
    _ACTIVE.discard(owner)
    with store.transaction() as conn:
        conn.execute(
            "UPDATE batch_items SET claimed_by='', claimed_at=0 WHERE claimed_by=?", (owner,)
        )


def held_elsewhere(store: Store, job_id: int, owner: str) -> list[int]:
    """Pending items of the job that another live process is working on now."""
    now = time.time()
    rows = store._query(  # noqa: SLF001 - one query the store has no method for
        "SELECT id, claimed_by, claimed_at FROM batch_items"
        " WHERE job_id=? AND state='pending' AND claimed_by NOT IN ('', ?)",
        (job_id, owner),
    )
    return [r[0] for r in rows if not _claimable(r[1], r[2], owner, now)]


def _sha256(path: str) -> str | None:
    try:
        return sha256_file(fs_path(path))
    except ImageError:
        return None


def changed_items(store: Store, job_id: int) -> list[BatchItem]:
    """Finished items whose file is no longer what was screened."""
    rows = store._query(  # noqa: SLF001
        "SELECT id, file_size, file_mtime_ns FROM batch_items"
        " WHERE job_id=? AND state IN ('done', 'failed')",
        (job_id,),
    )
    known = {r[0]: (r[1], r[2]) for r in rows}
    changed = []
    for item in store.job_items(job_id):
        if item.id not in known:
            continue
        now = fingerprint(item.path)
        size, mtime_ns = known[item.id]
        if now is None:
            continue  # gone or not a file: its row already says so, or will on retry
        if (size, mtime_ns) == (now.size, now.mtime_ns):
            continue
        same_size = size is None or size == now.size  # None: screened before sizes were kept
        if same_size and item.image_sha256 and _sha256(item.path) == item.image_sha256:
            _remember(store, item.id, now)  # touched or copied, same content
            continue
        changed.append(item)
    return changed


def _remember(store: Store, item_id: int, fp: Fingerprint) -> None:
    with store.transaction() as conn:
        conn.execute(
            "UPDATE batch_items SET file_size=?, file_mtime_ns=? WHERE id=?",
            (fp.size, fp.mtime_ns, item_id),
        )


def requeue_changed(store: Store, job_id: int, *, operator: str = "") -> int:
    """Put finished items whose file changed back in the queue; returns how many.

    The old screening is detached from the item (it stays in the patient's history as
    what the old file showed) and the change is written to the audit log."""
    items = changed_items(store, job_id)
    if not items:
        return 0
    stamp = now_iso()
    with store.transaction() as conn:
        for item in items:
            conn.execute(
                "UPDATE screenings SET batch_item_id=NULL WHERE batch_item_id=?", (item.id,)
            )
            conn.execute(
                "UPDATE batch_items SET state='pending', status='', error='', screening_id=NULL,"
                " claimed_by='', claimed_at=0, updated_at=? WHERE id=?",
                (stamp, item.id),
            )
        conn.execute(
            "UPDATE batch_jobs SET state='pending', updated_at=? WHERE id=?", (stamp, job_id)
        )
        store._audit(  # noqa: SLF001 - same transaction as the change it records
            conn,
            "batch.requeue_changed",
            operator,
            None,
            None,
            f"job {job_id}: {len(items)} file(s) changed since screened, queued again",
        )
    return len(items)


def is_duplicate_error(exc: BaseException) -> bool:
    """True for the store error of a screening recorded twice for one item."""
    cause = exc.__cause__
    return isinstance(cause, sqlite3.IntegrityError) and "UNIQUE" in str(cause)

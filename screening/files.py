"""Writing output files so that a crash, a full disk or a read-only folder never leaves a
half-written report or CSV behind: write a temp file in the same folder, fsync, os.replace.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError, StoreFullError, StoreReadOnlyError

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}


def output_error(exc: OSError, path: Path | str, what: str = "file") -> OutputError:
    """Turn an OSError from writing ``path`` into an error a clinic user can act on."""
    if exc.errno in _FULL:
        err = OutputError(
            f"Could not write the {what} {path}: the disk is full. "
            "Free some space (or choose another output folder) and run again.",
            code=StoreFullError.code,
        )
    elif exc.errno in _READ_ONLY or isinstance(exc, PermissionError):
        err = OutputError(
            f"Could not write the {what} {path}: the folder is read-only or you lack "
            "permission. Choose a folder you can write to.",
            code=StoreReadOnlyError.code,
        )
    else:
        err = OutputError(f"Could not write the {what} {path}: {exc.strerror or exc}")
    err.__cause__ = exc
    return err


@contextlib.contextmanager
def atomic_writer(
    path: Path | str,
    mode: str = "wb",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    what: str = "file",
) -> Iterator[IO]:
    """Open a temp file beside ``path``; on success it replaces ``path`` in one step."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise output_error(exc, target, what) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(exc, target, what) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path | str, data: bytes, *, what: str = "file") -> Path:
    with atomic_writer(path, "wb", what=what) as fh:
        fh.write(data)
    return Path(path)


def atomic_write_text(path: Path | str, text: str, *, what: str = "file") -> Path:
    with atomic_writer(path, "w", encoding="utf-8", newline="", what=what) as fh:
        fh.write(text)
    return Path(path)


def check_writable_dir(directory: Path | str, what: str = "output folder") -> Path:
    """Create ``directory`` if needed and prove we can write there, before any work starts."""
    d = Path(directory)
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".cliniclens-probe-", dir=d)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise output_error(exc, d, what) from exc
    return d

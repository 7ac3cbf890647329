"""Opening image files safely: only regular files (links followed, checked before and after
opening, opened non-blocking so a pipe cannot hang a batch), reads bounded by the size limit.

Shared by ``inference.images`` and ``inference.dicom``, so neither imports the other for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import ImageError, ImageTooLargeError

MAX_FILE_BYTES = 200 * 1024 * 1024
_CHUNK = 1024 * 1024


class NotAFileError(ImageError):
    """The path is a folder, pipe, device or socket: never read as an image."""

    code = "unreadable"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder, not an image"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not an image file; it was not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (such as /dev/zero), not an image file; it was not read"
    if stat.S_ISSOCK(mode):
        return "a socket, not an image file; it was not read"
    return "not a regular file; it was not read"


def describe_not_regular(path: Path | str) -> str | None:
    """Why ``path`` (links followed) will not be opened as an image, or None if it is a file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return None if stat.S_ISREG(st.st_mode) else f"{Path(path).name}: is {_kind(st.st_mode)}"


def _open_flags() -> int:
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_CLOEXEC", "O_NOCTTY", "O_BINARY"):
        flags |= getattr(os, name, 0)
    return flags


@contextlib.contextmanager
def open_regular(path: Path | str) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    """Open a regular file for reading, refusing anything else before reading a byte.

    The resolved target is checked with ``stat`` (so a link to a device or a pipe is never
    opened), opened non-blocking (so a pipe swapped in meanwhile cannot hang us) and
    checked again with ``fstat`` on what was actually opened."""
    p = Path(path)
    try:
        st = os.stat(p)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFileError(f"{p.name}: is {_kind(st.st_mode)}")
        _check_size(p, st)
        fd = os.open(p, _open_flags())
    except ImageError:
        raise
    except FileNotFoundError as exc:
        raise ImageError(f"{p}: file not found (a broken link, or removed)") from exc
    except PermissionError as exc:
        raise ImageError(f"{p}: permission denied") from exc
    except OSError as exc:
        raise ImageError(f"{p}: could not be read ({exc.strerror or exc})") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFileError(f"{p.name}: is {_kind(st.st_mode)}")
        _check_size(p, st)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh, st


def _check_size(p: Path, st: os.stat_result) -> None:
    if st.st_size > MAX_FILE_BYTES:
        raise ImageTooLargeError(
            f"{p.name}: file is {st.st_size // (1024 * 1024)} MB, larger than the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB ClinicLens accepts"
        )


def read_bounded(fh: BinaryIO, name: str) -> bytes:
    """The whole file, never more than the size limit (a file still growing is refused)."""
    try:
        data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ImageError(f"{name}: could not be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLargeError(f"{name}: file is larger than ClinicLens accepts")
    return data


def read_bytes(path: Path | str) -> bytes:
    """Read a regular file with the size guard and a clear error for the usual failures."""
    with open_regular(path) as (fh, _):
        return read_bounded(fh, Path(path).name)


def sha256_file(path: Path | str) -> str:
    """sha256 of a regular file's content, read in chunks (nothing else is opened)."""
    with open_regular(path) as (fh, _):
        return hash_stream(fh, Path(path).name)[0]


def hash_stream(fh: BinaryIO, name: str) -> tuple[str, bytes]:
    """sha256 of the whole file and its first 132 bytes (the DICOM marker), in chunks."""
    digest = hashlib.sha256()
    head = b""
    total = 0
    try:
        while chunk := fh.read(_CHUNK):
            if len(head) < 132:
                head += chunk[: 132 - len(head)]
            digest.update(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise ImageTooLargeError(f"{name}: file is larger than ClinicLens accepts")
        fh.seek(0)
    except OSError as exc:
        raise ImageError(f"{name}: could not be read ({exc.strerror or exc})") from exc
    return digest.hexdigest(), head

"""One iterative folder walk for every caller, and file names the store can keep.

Why not ``os.walk``: in the Python the app ships it recurses, so a folder nested 1,200 deep
raised RecursionError, and it drops folders it cannot list without a word, so a batch
said "all done" while a whole subfolder had been skipped. Here the walk keeps its own
stack and hands every folder it cannot list to the caller, who makes a row of it.

Why the name codec: POSIX file names are bytes. Python hands names that are not UTF-8 over
with surrogate escapes, which SQLite (and every UTF-8 writer) refuses, so one such name
stopped a whole batch. :func:`store_path` turns such a path into a ``file://`` URL with the
odd bytes percent-encoded (a form ``str(Path(...))`` can never take, as it never holds
``//``) and :func:`fs_path` turns it back into the exact name for opening.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

# Files that are never clinic images, whatever folder they turn up in.
JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
_URL_PREFIX = "file://"

ErrorHandler = Callable[[str, OSError], None]


def walk(
    top: str | os.PathLike[str],
    *,
    follow_links: bool = False,
    on_error: ErrorHandler | None = None,
) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top)`` top-down, without recursion; ``on_error(folder, exc)`` for each
    folder that cannot be listed. Like ``os.walk``, the caller may prune ``dirs`` in place,
    and linked folders are listed in ``dirs`` but only entered with ``follow_links``."""
    stack = [os.fspath(top)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            if on_error is not None:
                on_error(folder, exc)
            continue
        dirs: list[str] = []
        files: list[str] = []
        links: set[str] = set()
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                if is_dir and entry.is_symlink():
                    links.add(entry.name)
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry.name)
        yield folder, dirs, files
        stack.extend(
            os.path.join(folder, name)
            for name in reversed(dirs)
            if follow_links or name not in links
        )


def is_junk(name: str) -> bool:
    """Hidden and system files (``.DS_Store``, ``Thumbs.db``): never screened, never counted."""
    return name.startswith(".") or name.lower() in JUNK_NAMES


def scan_files(path: Path) -> list[Path]:
    """Every file under ``path`` (itself if it is not a folder), files of a folder in name
    order before its subfolders, hidden and system files left out, linked folders not
    followed (so a link loop cannot hang the scan). A folder that cannot be listed is
    returned in its place, so the batch shows a row saying why its files were not screened."""
    if not path.is_dir():
        return [path]
    found: list[Path] = []

    def unreadable(folder: str, exc: OSError) -> None:  # noqa: ARG001 - reason re-read later
        found.append(Path(folder))

    for root, dirs, files in walk(path, on_error=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / name for name in sorted(files) if not is_junk(name))
    return found


def folder_problem(path: Path | str) -> str | None:
    """Why a folder given as a batch item holds no screening, or None if it is no folder."""
    p = fs_path(str(path))
    if not os.path.isdir(p):
        return None
    try:
        with os.scandir(p):
            pass
    except PermissionError:
        return (
            f"{display_name(p)}: this folder cannot be opened (permission denied), so the "
            "images in it were not screened; give read access and run the batch again"
        )
    except OSError as exc:
        return (
            f"{display_name(p)}: this folder cannot be opened ({exc.strerror or exc}), so "
            "the images in it were not screened"
        )
    return f"{display_name(p)}: is a folder, not an image"


def store_path(path: str | os.PathLike[str]) -> str:
    """A path as text SQLite and UTF-8 files accept, reversible by :func:`fs_path`."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = os.fsencode(os.path.abspath(text))
        return _URL_PREFIX + quote(raw, safe="/")


def fs_path(text: str) -> str:
    """The file-system path stored by :func:`store_path` (other text is returned as is)."""
    if text.startswith(_URL_PREFIX + "/"):
        return os.fsdecode(unquote_to_bytes(text[len(_URL_PREFIX) :]))
    return text


def display_name(path: str | os.PathLike[str]) -> str:
    """A file's name fit for a message or a CSV cell (bytes that are not UTF-8 as \\xNN)."""
    name = os.path.basename(os.fspath(path)) or os.fspath(path)
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")

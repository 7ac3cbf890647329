"""One iterative folder walk for every caller, what counts as an image (its name, or DICM at
byte 128 for DICOM files without an extension: :func:`is_image_file`, :func:`scan_paths`),
and file names the store can keep.

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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

from inference.errors import ImageError
from inference.images import is_image_path, open_regular

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


# ---------------------------------------------------------------------------------------
# Images in what a user gives: files, folders, folders of folders (was inference/scan.py)
#
# A dropped USB stick can hold symlinks that point back up the tree, hidden system files
# and DICOM files without an extension. Folder identity is ``(st_dev, st_ino)``, so a link
# back to a folder already scanned is noticed however it is spelled.
# ---------------------------------------------------------------------------------------
MAX_DEPTH = 64  # deeper than any real folder tree; stops pathological nesting


@dataclass(frozen=True)
class ScanResult:
    """Images to screen, files that are not images, and problems met on the way."""

    images: tuple[Path, ...]
    skipped: tuple[Path, ...]
    errors: tuple[str, ...]


def is_image_file(path: Path) -> bool:
    """An image by its name, or a DICOM file without an extension (as PACS exports write
    them): the one rule the CLI, the GUI and the batch share for what is an image."""
    return is_image_path(path) or _has_dicom_preamble(path)


def _has_dicom_preamble(path: Path) -> bool:
    """DICOM files from PACS exports often have no extension: look for DICM at byte 128."""
    try:
        with open_regular(path) as (fh, _):  # never a pipe or device: those would hang
            head = fh.read(132)
    except (ImageError, OSError):
        return False
    return head[128:132] == b"DICM"


class _Scanner:
    def __init__(self) -> None:
        self.images: list[Path] = []
        self.skipped: list[Path] = []
        self.errors: list[str] = []
        self._dirs: set[tuple[int, int]] = set()
        self._files: set[tuple[int, int]] = set()

    def file(self, path: Path) -> None:
        try:
            st = path.stat()  # follows a symlinked file to its target
        except FileNotFoundError:
            self.errors.append(f"{path}: broken link or file removed; skipped")
            return
        except OSError as exc:
            self.errors.append(f"{path}: cannot be read ({exc.strerror or exc}); skipped")
            return
        key = (st.st_dev, st.st_ino)
        if key in self._files:
            return  # the same file reached twice (a link to it, or given twice)
        self._files.add(key)
        if is_image_file(path):
            self.images.append(path)
        else:
            self.skipped.append(path)

    def folder(self, root: Path) -> None:
        stack: list[tuple[Path, int]] = [(root, 0)]
        while stack:
            directory, depth = stack.pop()
            try:
                st = directory.stat()
            except OSError as exc:
                self.errors.append(f"{directory}: cannot be opened ({exc.strerror or exc})")
                continue
            key = (st.st_dev, st.st_ino)
            if key in self._dirs:
                self.errors.append(
                    f"{directory}: links back to a folder already scanned (a link loop); skipped"
                )
                continue
            self._dirs.add(key)
            if depth > MAX_DEPTH:
                self.errors.append(f"{directory}: folders nested too deeply; skipped")
                continue
            try:
                with os.scandir(directory) as it:
                    entries = sorted((e for e in it if not is_junk(e.name)), key=lambda e: e.name)
            except OSError as exc:
                self.errors.append(f"{directory}: cannot be listed ({exc.strerror or exc})")
                continue
            subdirs = []
            for entry in entries:
                path = Path(entry.path)
                try:
                    is_dir = entry.is_dir()  # follows links: a linked folder is scanned once
                except OSError:
                    is_dir = False
                if is_dir:
                    subdirs.append((path, depth + 1))
                else:
                    self.file(path)
            stack.extend(reversed(subdirs))  # files first, then sub-folders in name order


def scan_paths(paths: Iterable[Path | str]) -> ScanResult:
    """Every image under the given files and folders, each once, in a stable order.

    A folder's files come in name order before its sub-folders (also in name order); hidden
    and system files are ignored; symlinked files and folders are followed, loops are not."""
    scanner = _Scanner()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            scanner.folder(path)
        elif path.exists():
            scanner.file(path)
        elif path.is_symlink():
            scanner.errors.append(f"{path}: broken link; skipped")
        else:
            scanner.errors.append(f"{path}: does not exist; check the path")
    return ScanResult(tuple(scanner.images), tuple(scanner.skipped), tuple(scanner.errors))

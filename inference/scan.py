"""Finding the images in what a user drops: files, folders, folders of folders.

Why a shared scanner: a dropped USB stick can hold symlinks that point back up the tree,
hidden system files and DICOM files without an extension. Every caller (GUI drop, CLI,
batch queue) should see the same images in the same order and never hang on a loop.
Folder identity is ``(st_dev, st_ino)``, so a link back to a folder already scanned is
noticed however it is spelled.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import ImageError
from .images import is_image_path, open_regular

# System files that are never clinic images, whatever folder they turn up in.
JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
MAX_DEPTH = 64  # deeper than any real folder tree; stops pathological nesting


@dataclass(frozen=True)
class ScanResult:
    """Images to screen, files that are not images, and problems met on the way."""

    images: tuple[Path, ...]
    skipped: tuple[Path, ...]
    errors: tuple[str, ...]


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.lower() in JUNK_NAMES


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
        if is_image_path(path) or _has_dicom_preamble(path):
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
                    entries = sorted((e for e in it if not _is_hidden(e.name)), key=lambda e: e.name)
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

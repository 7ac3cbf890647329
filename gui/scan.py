"""Turning dropped files and folders into a list of images (runs in a worker thread).

Why not ``screening.queue.scan``: the GUI must count what it skips, be cancellable, and
follow symlinked folders (USB sticks, shared drives) without looping forever.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from screening.scanner import is_image_file, walk


@dataclass(frozen=True)
class ScanOutcome:
    images: tuple[str, ...]
    skipped: int  # files that are not images (screening.scanner.is_image_file)
    missing: tuple[str, ...] = ()  # dropped paths that do not exist
    cancelled: bool = False


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.lower() in {"thumbs.db", "desktop.ini"}


def _folder_key(folder: str) -> object:
    """Identity of a folder however it is reached: (device, inode) where the system gives
    one (realpath re-walks the whole path, which made a 1,200-deep drop take minutes)."""
    try:
        st = os.stat(folder)
    except OSError:
        return os.path.realpath(folder)
    return (st.st_dev, st.st_ino) if st.st_ino else os.path.realpath(folder)


def expand(
    paths: Iterable[str | Path], cancelled: Callable[[], bool] = lambda: False
) -> ScanOutcome:
    """Files as given (any name: a dropped file is screened even if oddly named, so the
    user sees why it fails) plus image files found recursively in folders."""
    images: list[str] = []
    seen_files: set[str] = set()
    seen_dirs: set[object] = set()
    skipped = 0
    missing: list[str] = []

    def add(file: str) -> None:
        key = os.path.normcase(os.path.abspath(file))
        if key not in seen_files:
            seen_files.add(key)
            images.append(file)

    for raw in paths:
        path = str(raw)
        if os.path.isfile(path):
            add(path)
            continue
        if not os.path.isdir(path):
            missing.append(path)
            continue
        for root, dirs, files in walk(path, follow_links=True):  # iterative: any depth
            if cancelled():
                return ScanOutcome(tuple(images), skipped, tuple(missing), cancelled=True)
            real = _folder_key(root)
            if real in seen_dirs:  # a symlink loop or the same folder twice
                dirs[:] = []
                continue
            seen_dirs.add(real)
            dirs[:] = sorted(d for d in dirs if not _hidden(d))
            for name in sorted(files):
                if _hidden(name):
                    continue
                if is_image_file(Path(root, name)):  # the CLI's rule: extensionless DICOM too
                    add(os.path.join(root, name))
                else:
                    skipped += 1
    return ScanOutcome(tuple(images), skipped, tuple(missing))

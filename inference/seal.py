"""The pack seal: ``SHA256SUMS`` lists the sha256 of every pack file, manifest included.

Why: the manifest hashes the model and OOD files, but nothing hashed the manifest, so a
renamed class or a lowered threshold went unnoticed. The seal closes that gap. It uses the
standard ``sha256sum`` format so anyone can check a pack with ``sha256sum -c SHA256SUMS``.
Files not listed (a note a clinic added) are allowed; listed files must all match.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePosixPath

from .errors import PackIntegrityError

SEAL_NAME = "SHA256SUMS"
MANIFEST_NAME = "manifest.json"
MAX_SEAL_BYTES = 1 << 20  # a seal lists a handful of files; anything bigger is not a seal
_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


def _digest(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _sealable(directory: Path) -> list[str]:
    """Relative POSIX names of the regular files to seal (hidden, temp and the seal skipped)."""
    names: list[str] = []
    for root, dirs, files in os.walk(directory, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith(".") or name.endswith(".tmp") or not path.is_file():
                continue
            rel = path.relative_to(directory).as_posix()
            if rel != SEAL_NAME:
                names.append(rel)
    return sorted(names)


def write_seal(directory: Path | str) -> Path:
    """Write ``SHA256SUMS`` for every file now in the pack folder; call after the last write."""
    directory = Path(directory)
    names = _sealable(directory)
    if MANIFEST_NAME not in names:
        raise PackIntegrityError(f"{directory}: no {MANIFEST_NAME} to seal")
    text = "".join(f"{_digest(directory / n)}  {n}\n" for n in names)
    tmp = directory / (SEAL_NAME + ".tmp")
    tmp.write_text(text, "utf-8", newline="\n")
    tmp.replace(directory / SEAL_NAME)
    return directory / SEAL_NAME


def read_seal(directory: Path | str, label: str | None = None) -> dict[str, str]:
    """The seal as {relative name: sha256}; a missing or malformed seal is PackIntegrityError."""
    directory = Path(directory)
    label = label or directory.name
    path = directory / SEAL_NAME
    reinstall = "reinstall the pack from its original source"
    try:
        if path.stat().st_size > MAX_SEAL_BYTES:
            raise PackIntegrityError(f"pack {label}: {SEAL_NAME} is too large to be a seal")
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise PackIntegrityError(
            f"pack {label}: the seal file {SEAL_NAME} is missing, so the pack cannot be "
            f"checked for changes; {reinstall}"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PackIntegrityError(f"pack {label}: {SEAL_NAME} is unreadable; {reinstall}") from exc
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        name = match.group(2) if match else ""
        pure = PurePosixPath(name)
        if not match or pure.is_absolute() or ".." in pure.parts or "\\" in name:
            raise PackIntegrityError(
                f"pack {label}: {SEAL_NAME} line {number} is damaged; {reinstall}"
            )
        entries[name] = match.group(1).lower()
    if MANIFEST_NAME not in entries:
        raise PackIntegrityError(
            f"pack {label}: {SEAL_NAME} does not cover {MANIFEST_NAME}; {reinstall}"
        )
    return entries


def verify_seal(directory: Path | str, label: str | None = None) -> None:
    """Check every file the seal lists; the first missing or changed file is refused."""
    directory = Path(directory)
    label = label or directory.name
    for name, expected in sorted(read_seal(directory, label).items()):
        path = directory / name
        if not path.is_file():
            raise PackIntegrityError(f"pack {label}: file {name} is missing; reinstall the pack")
        actual = _digest(path)
        if actual != expected:
            raise PackIntegrityError(
                f"pack {label}: {name} has been modified or damaged (sha256 {actual[:12]}... "
                f"does not match the seal's {expected[:12]}...); reinstall the pack"
            )

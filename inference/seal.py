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
import stat
from pathlib import Path, PurePosixPath

from .errors import PackError, PackIntegrityError

SEAL_NAME = "SHA256SUMS"
SIGNATURE_NAME = "SIGNATURE"  # ed25519 signature over the seal (inference.signing); not sealed
MANIFEST_NAME = "manifest.json"
MAX_SEAL_BYTES = 1 << 20  # a seal lists a handful of files; anything bigger is not a seal
MAX_PACK_FILE_BYTES = 1 << 30  # the largest model a clinic laptop could hold in memory anyway
_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
_NOT_SEALED = (SEAL_NAME, SIGNATURE_NAME)


def _open_regular(path: Path) -> int:
    """A descriptor for ``path`` if it is a regular file; a FIFO or device in a pack folder is
    refused without blocking on it (a FIFO opened for reading waits for a writer forever)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PackIntegrityError(f"{path.name} is not a regular file; reinstall the pack")
    return fd


def _digest(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with os.fdopen(_open_regular(path), "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


digest_file = _digest  # sha256 hex of a regular file, streamed (FIFOs and devices refused)


def read_pack_file(path: Path | str, label: str, limit: int = MAX_PACK_FILE_BYTES) -> bytes:
    """The whole file, bounded by ``limit`` before anything large is allocated."""
    path = Path(path)
    try:
        with os.fdopen(_open_regular(path), "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:
                raise PackIntegrityError(f"pack {label}: {path.name} is too large to be a pack file")
            data = fh.read(limit + 1)
    except FileNotFoundError as exc:
        raise PackIntegrityError(f"pack {label}: file {path.name} is missing; reinstall the pack") from exc
    except OSError as exc:
        raise PackError(
            f"pack {label}: {path.name} could not be read ({exc.strerror or exc})"
        ) from exc
    if len(data) > limit:
        raise PackIntegrityError(f"pack {label}: {path.name} is too large to be a pack file")
    return data


def read_verified(path: Path | str, expected: str, label: str) -> bytes:
    """The bytes of ``path`` after checking them against ``expected`` (sha256 hex).

    Why: hand exactly these bytes to whatever uses the file, so a file swapped after the
    pack was verified is refused instead of running unverified."""
    path = Path(path)
    data = read_pack_file(path, label)
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected.lower():
        raise PackIntegrityError(
            f"pack {label}: {path.name} has been modified or damaged (sha256 {actual[:12]}... "
            f"does not match {expected[:12]}... recorded when the pack was sealed); "
            "reinstall the pack"
        )
    return data


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
            if rel not in _NOT_SEALED:
                names.append(rel)
    return sorted(names)


def write_seal(directory: Path | str) -> Path:
    """Write ``SHA256SUMS`` for every file now in the pack folder; call after the last write.

    A signature over the previous seal no longer matches, so it is removed: the pack is
    unsigned until :func:`inference.signing.sign_pack` signs the new seal."""
    directory = Path(directory)
    names = _sealable(directory)
    if MANIFEST_NAME not in names:
        raise PackIntegrityError(f"{directory}: no {MANIFEST_NAME} to seal")
    text = "".join(f"{_digest(directory / n)}  {n}\n" for n in names)
    tmp = directory / (SEAL_NAME + ".tmp")
    tmp.write_text(text, "utf-8", newline="\n")
    (directory / SIGNATURE_NAME).unlink(missing_ok=True)
    tmp.replace(directory / SEAL_NAME)
    return directory / SEAL_NAME


_REINSTALL = "reinstall the pack from its original source"


def read_seal_bytes(directory: Path | str, label: str | None = None) -> bytes:
    """The seal file's bytes, read once: the signature is checked on exactly these."""
    directory = Path(directory)
    label = label or directory.name
    path = directory / SEAL_NAME
    if not path.exists():
        raise PackIntegrityError(
            f"pack {label}: the seal file {SEAL_NAME} is missing, so the pack cannot be "
            f"checked for changes; {_REINSTALL}"
        )
    try:
        return read_pack_file(path, label, MAX_SEAL_BYTES)
    except PackIntegrityError:
        raise
    except PackError as exc:
        raise PackIntegrityError(f"pack {label}: {SEAL_NAME} is unreadable; {_REINSTALL}") from exc


def read_seal(directory: Path | str, label: str | None = None) -> dict[str, str]:
    """The seal as {relative name: sha256}; a missing or malformed seal is PackIntegrityError."""
    directory = Path(directory)
    return parse_seal(read_seal_bytes(directory, label), label or directory.name)


def parse_seal(data: bytes, label: str) -> dict[str, str]:
    """Seal bytes as {relative name: sha256}; a malformed seal is PackIntegrityError."""
    reinstall = _REINSTALL
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
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


def verify_seal(
    directory: Path | str, label: str | None = None, seal: bytes | None = None
) -> dict[str, str]:
    """Check every file the seal lists (``seal``: its bytes, already read); the first missing
    or changed file is refused. Returns the seal's entries."""
    directory = Path(directory)
    label = label or directory.name
    entries = parse_seal(seal, label) if seal is not None else read_seal(directory, label)
    for name, expected in sorted(entries.items()):
        path = directory / name
        if not path.is_file():
            raise PackIntegrityError(f"pack {label}: file {name} is missing; reinstall the pack")
        actual = _digest(path)
        if actual != expected:
            raise PackIntegrityError(
                f"pack {label}: {name} has been modified or damaged (sha256 {actual[:12]}... "
                f"does not match the seal's {expected[:12]}...); reinstall the pack"
            )
    return entries

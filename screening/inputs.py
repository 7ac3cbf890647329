"""What the user asked to screen: files, folders and a patient mapping CSV, as queue inputs.

The mapping CSV usually comes out of Excel: UTF-8 (with or without a BOM), UTF-16 when
saved as "Unicode text", cp1252 when saved as plain "CSV" on a Western Windows, and ';'
instead of ',' where the comma is the decimal separator (Bahasa Indonesia). Each is read;
anything else is refused with a message saying how to save the file.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inference.errors import ImageError
from inference.images import read_bytes

from .errors import InvalidInputError
from .scanner import scan_files

MAX_MAPPING_BYTES = 20 * 1024 * 1024  # a million rows is far beyond any clinic list


@dataclass(frozen=True)
class QueueInput:
    """One file to screen and the clinic patient ID it belongs to (if known)."""

    path: str
    patient_code: str = ""


def collect_inputs(
    paths: Sequence[Path | str],
    *,
    patient_code: str = "",
    folder_per_patient: bool = False,
) -> list[QueueInput]:
    """Files from files and folders given by the user, in a stable order, each once.

    ``patient_code`` assigns everything to one patient; ``folder_per_patient`` takes the
    name of each first-level subfolder of a given folder as the patient ID of its files."""
    if not paths:
        raise InvalidInputError("Give at least one file or folder to screen.")
    seen: set[str] = set()
    inputs: list[QueueInput] = []
    for raw in paths:
        root = Path(raw)
        if not root.exists() and not root.is_symlink():
            raise InvalidInputError(f"{root} does not exist. Check the path and try again.")
        for file in scan_files(root):
            key = os.path.normcase(os.path.abspath(file))
            if key in seen:
                continue
            seen.add(key)
            code = patient_code
            if folder_per_patient and root.is_dir():
                rel = file.relative_to(root).parts
                code = rel[0] if len(rel) > 1 else patient_code
            inputs.append(QueueInput(str(file), code))
    return inputs


def decode_mapping(data: bytes, name: str) -> str:
    """The text of a mapping CSV in any encoding Excel saves, or a clear refusal."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    elif data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise InvalidInputError(
        f"{name}: the file is not text ClinicLens can read (it is not UTF-8, UTF-16 or "
        "Windows cp1252). In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'."
    )


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def read_mapping(csv_path: Path | str) -> list[QueueInput]:
    """A CSV with columns ``file,patient_id`` (header required; relative paths are taken
    relative to the CSV's folder). Folders in the file column are scanned."""
    path = Path(csv_path)
    try:
        data = read_bytes(path)
    except ImageError as exc:
        raise InvalidInputError(f"Cannot read the mapping file {path}: {exc}") from exc
    if len(data) > MAX_MAPPING_BYTES:
        raise InvalidInputError(f"{path.name}: the mapping file is too large to be a patient list.")
    lines = decode_mapping(data, path.name).splitlines()
    reader = csv.DictReader(lines, delimiter=_delimiter(lines[0] if lines else ""))
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    if not {"file", "patient_id"} <= fields:
        raise InvalidInputError(
            f"{path.name}: the first line must name the columns 'file' and 'patient_id' "
            f"(found: {', '.join(sorted(fields)) or 'nothing'})."
        )
    inputs: list[QueueInput] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not row.get("file"):
            continue
        if not row.get("patient_id"):
            raise InvalidInputError(f"{path.name} line {line}: no patient_id for {row['file']}.")
        target = Path(row["file"])
        if not target.is_absolute():
            target = path.parent / target
        if not target.exists() and not target.is_symlink():
            raise InvalidInputError(f"{path.name} line {line}: {target} does not exist.")
        for file in scan_files(target):
            key = os.path.normcase(os.path.abspath(file))
            if key not in seen:
                seen.add(key)
                inputs.append(QueueInput(str(file), row["patient_id"]))
    if not inputs:
        raise InvalidInputError(f"{path.name} lists no files.")
    return inputs

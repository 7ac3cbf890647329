"""Reading a clinic's labelled sample: folders named after the pack's classes, or a CSV of
``file,label`` rows (paths relative to the CSV)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inference.images import is_image_path

from ..errors import InvalidInputError


@dataclass(frozen=True)
class LabelledSample:
    paths: tuple[Path, ...]
    labels: tuple[int, ...]  # index into class_ids
    class_ids: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        return {c: self.labels.count(j) for j, c in enumerate(self.class_ids)}


def read_labelled(sources: Sequence[Path], class_ids: Sequence[str]) -> LabelledSample:
    """Each source is a CSV file, a folder named after a class, or a folder holding one
    sub-folder per class. Unknown class names are refused, naming the classes the pack has."""
    paths: list[Path] = []
    labels: list[int] = []
    index = {c.lower(): j for j, c in enumerate(class_ids)}

    def label_of(name: str, where: str) -> int:
        j = index.get(name.strip().lower())
        if j is None:
            raise InvalidInputError(
                f"{where}: label {name!r} is not a class of this pack "
                f"(its classes: {', '.join(class_ids)})"
            )
        return j

    def add_folder(folder: Path, j: int) -> None:
        for f in sorted(folder.rglob("*")):
            if f.is_file() and is_image_path(f):
                paths.append(f)
                labels.append(j)

    for src in map(Path, sources):
        if src.is_file() and src.suffix.lower() == ".csv":
            with src.open(newline="", encoding="utf-8-sig") as fh:
                for n, row in enumerate(csv.reader(fh), 1):
                    if not row or (n == 1 and [c.strip().lower() for c in row[:2]] == ["file", "label"]):
                        continue
                    if len(row) < 2:
                        raise InvalidInputError(f"{src} line {n}: expected file,label")
                    f = (src.parent / row[0].strip()) if not Path(row[0].strip()).is_absolute() else Path(row[0].strip())
                    paths.append(f)
                    labels.append(label_of(row[1], f"{src} line {n}"))
        elif src.is_dir() and src.name.lower() in index:
            add_folder(src, index[src.name.lower()])
        elif src.is_dir():
            subs = [d for d in sorted(src.iterdir()) if d.is_dir()]
            if not subs:
                raise InvalidInputError(f"{src}: expected one sub-folder per class ({', '.join(class_ids)})")
            for d in subs:
                add_folder(d, label_of(d.name, str(d)))
        else:
            raise InvalidInputError(f"{src}: not a folder or a .csv file of file,label rows")
    return LabelledSample(tuple(paths), tuple(labels), tuple(class_ids))

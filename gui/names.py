"""Short names that still tell files apart: ``scan.png`` when it is the only one, else
``left/scan.png`` and ``right/scan.png`` (as many folders as it takes). Plain Python.

Why: two files called ``scan.png`` from different folders (one per patient, typically)
looked the same in the main window and the batch table.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath


def short_labels(paths: Iterable[str]) -> dict[str, str]:
    """Each path's shortest trailing part (file name plus parent folders) that no other
    path in ``paths`` shares."""
    unique = list(dict.fromkeys(str(p) for p in paths))
    parts = {p: PurePath(p).parts for p in unique}
    depth = dict.fromkeys(unique, 1)
    while True:
        labels = {p: "/".join(parts[p][-depth[p] :]) for p in unique}
        seen: dict[str, list[str]] = {}
        for p, label in labels.items():
            seen.setdefault(label.casefold(), []).append(p)
        clashes = [ps for ps in seen.values() if len(ps) > 1]
        grown = False
        for group in clashes:
            for p in group:
                if depth[p] < len(parts[p]):
                    depth[p] += 1
                    grown = True
        if not grown:
            return labels

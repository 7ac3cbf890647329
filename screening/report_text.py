"""Text made to fit a printed page: shortened with an ellipsis, never cut mid-word silently.

Why: report fields come from people and files (an operator name pasted 5,000 times, a
patient ID with 400 line breaks from a broken DICOM header, a refusal reason longer than
its table cell). reportlab cannot split a table cell over pages, so such text stopped
the report with a layout error. Every piece of outside text passes through here first.

Also: :func:`distinguishing_names` tells files with the same name in different folders
apart (``a/scan.png`` and ``b/scan.png``), for the batch summary and the GUI alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from .i18n import DEFAULT_LANGUAGE, reason_sentence, tr

ELLIPSIS = "…"
FIELD_LIMIT = 160  # one table field (operator, patient ID, name, file name)
NOTES_LIMIT = 1200  # the patient's notes block
NOTES_LINES = 15
REASON_LIMIT = 150  # a refusal reason in a batch table cell

_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """All runs of white space and control characters (line breaks included) -> one space."""
    return _SPACE.sub(" ", text or "").strip()


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, ending in "…"."""
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space >= limit * 0.6:  # a long unbroken word is cut where it must be
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + ELLIPSIS


def field(text: str, limit: int = FIELD_LIMIT) -> str:
    """One report field: on one line and at most ``limit`` characters."""
    return shorten(one_line(text), limit)


def block(text: str, limit: int = NOTES_LIMIT, max_lines: int = NOTES_LINES) -> str:
    """Multi-line text (notes): line breaks kept, at most ``max_lines`` lines and ``limit``
    characters, each line shortened too."""
    lines = [shorten(one_line(line), limit) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    clipped = len(lines) > max_lines
    lines = lines[:max_lines]
    joined = "\n".join(lines)
    if len(joined) > limit:
        return shorten(joined, limit)
    return joined + (f"\n{ELLIPSIS}" if clipped else "")


def fit_width(text: str, width: float, font: str, size: float) -> str:
    """``text`` shortened (with "…") until it is at most ``width`` points wide."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = one_line(text)
    if stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid].rstrip() + ELLIPSIS, font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


def table_reason(status: str, message: str, language: str = DEFAULT_LANGUAGE, modality: str = "") -> str:
    """Why an image got no answer, for one table cell, entirely in the reader's language.

    English readers get the specific message; other languages get their catalogue's
    sentence for the status (the inference layer's detail is English and would mix
    languages in one cell). Either way at most :data:`REASON_LIMIT` characters, cut at
    a word with "…"."""
    lang = (language or DEFAULT_LANGUAGE).replace("-", "_")
    text = ""
    if lang.split("_")[0] != DEFAULT_LANGUAGE:
        for candidate in (lang, lang.split("_")[0]):
            text = reason_sentence(status, candidate, modality) or ""
            if text:
                break
        if not text:
            try:
                text = tr(f"status.{status}", lang)
            except KeyError:
                text = ""
    fallback = reason_sentence(status, DEFAULT_LANGUAGE, modality) or status
    return shorten(one_line(text or message or fallback), REASON_LIMIT)


def reason_parts(status: str, message: str, language: str = DEFAULT_LANGUAGE,
                 modality: str = "") -> tuple[str, str]:
    """(why, English detail) for a patient report: in English the specific message and
    no detail; in another language the catalogue's sentence, and the inference layer's
    English message separately, to be printed labelled as such (never mixed in)."""
    lang = (language or DEFAULT_LANGUAGE).replace("-", "_")
    english = one_line(message) or reason_sentence(status, DEFAULT_LANGUAGE, modality) or status
    if lang.split("_")[0] == DEFAULT_LANGUAGE:
        return english, ""
    reason = ""
    for candidate in (lang, lang.split("_")[0]):
        reason = reason or reason_sentence(status, candidate, modality) or ""
    if not reason:  # no sentence for this code in the reader's catalogue: English only
        return english, ""
    return reason, one_line(message)


def _pure(path: str) -> PurePath:
    return PureWindowsPath(path) if "\\" in path and "/" not in path else PurePosixPath(path)


def distinguishing_names(paths: Sequence[str]) -> list[str]:
    """The shortest trailing part of each path that no other path shares.

    ``["/x/a/scan.png", "/x/b/scan.png", "/x/c.png"]`` -> ``["a/scan.png", "b/scan.png",
    "c.png"]``: unique names stay bare, same-named files get as many parent folders as
    it takes to tell them apart; the same file listed twice keeps its bare name."""
    parts = [_pure(p).parts or (p,) for p in paths]
    depth = [1] * len(paths)
    while True:
        shown = ["/".join(ps[-d:]) for ps, d in zip(parts, depth, strict=True)]
        groups: dict[str, list[int]] = {}
        for i, name in enumerate(shown):
            groups.setdefault(name, []).append(i)
        grew = False
        for members in groups.values():
            if len({paths[i] for i in members}) < 2:  # one file (listed again): name is enough
                continue
            for i in members:
                if depth[i] < len(parts[i]):
                    depth[i] += 1
                    grew = True
        if not grew:
            return [s.replace("//", "/") for s in shown]


__all__ = [
    "ELLIPSIS",
    "block",
    "distinguishing_names",
    "field",
    "fit_width",
    "one_line",
    "reason_parts",
    "shorten",
    "table_reason",
]

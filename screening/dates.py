"""Lenient date-of-birth entry: what clinic staff type (12/05/1980, 12.5.1980, 1980-05-12,
12 Mei 1980) turned into an ISO date, or a problem code the GUI can say in words.

Day before month (Indonesia, most of the world); a date that only reads one way
(05/25/1980) is taken that way. The form shows the date it understood in words, so
12/05/1980 read as 12 May is visible before anything is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    # English and Bahasa Indonesia, full and three-letter forms
    **{m: i + 1 for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"))},  # fmt: skip
    **{m: i + 1 for i, m in enumerate(
        ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
         "september", "oktober", "november", "desember"))},  # fmt: skip
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "agu": 8,
    "agt": 8, "sep": 9, "sept": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "des": 12,
}  # fmt: skip
OLDEST_YEARS = 130

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_WORDS = re.compile(r"^(\d{1,2})\s*[-/. ]\s*([^\W\d_]+)\.?\s*[-/. ]\s*(\d{4})$")


@dataclass(frozen=True)
class ParsedDate:
    """``value`` when the text is a usable date of birth; otherwise ``problem``:
    "format" (not a date), "future", or "too_old" (over 130 years ago)."""

    value: date | None
    problem: str = ""

    @property
    def iso(self) -> str:
        return self.value.isoformat() if self.value else ""


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _read(text: str) -> date | None:
    if m := _ISO.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        if second > 12 >= first:  # only reads as month/day (US order)
            return _make(year, first, second)
        return _make(year, second, first)
    if m := _WORDS.match(text):
        month = MONTHS.get(m[2].casefold())
        return _make(int(m[3]), month, int(m[1])) if month else None
    return None


def parse_birth_date(text: str, today: date | None = None) -> ParsedDate:
    """The date of birth in ``text`` ("" stays empty: unknown is allowed)."""
    text = " ".join(text.split())
    if not text:
        return ParsedDate(None)
    value = _read(text)
    if value is None:
        return ParsedDate(None, "format")
    today = today or date.today()
    if value > today:
        return ParsedDate(None, "future")
    if value.year < today.year - OLDEST_YEARS:
        return ParsedDate(None, "too_old")
    return ParsedDate(value)

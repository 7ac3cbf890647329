"""Which kind of refusal: "not this kind of image" or "the right kind, but unusual".

Why: both are "Refused" in the outcome counts, but they call for different actions: the
first for another screening type (the shared modality check named what the image looks
like), the second for the original image or a clinician. The batch summary says how many
of each, so a clinic does not re-screen a folder of X-rays with the X-ray type in vain.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .i18n import tr

NOT_MODALITY = "not_modality"
UNUSUAL = "out_of_distribution"


def _status(entry: Any) -> str:
    if hasattr(entry, "as_dict"):  # screening.export.ResultRow
        entry = entry.as_dict()
    if isinstance(entry, dict):
        entry = entry.get("status", "")
    return str(getattr(entry, "value", entry) or "")


def refusal_breakdown(entries: Iterable[Any], language: str = "en") -> str:
    """The sentence telling the two refusals apart, or "" when there is neither."""
    codes = [_status(e) for e in entries]
    wrong, unusual = codes.count(NOT_MODALITY), codes.count(UNUSUAL)
    if not wrong and not unusual:
        return ""
    return tr("refusals.breakdown", language, not_modality=wrong, unusual=unusual)

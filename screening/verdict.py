"""What a screening says, as one message: the headline is the referral when there is one.

Why: the palm pack can answer "Not anaemic 66.1 %" and still refer, because the anaemic
probability (33.9 %) is above that class's referral threshold. Printed as
"Not anaemic 66.1 % · REFER" it reads as a contradiction. :func:`verdict_of` says which
class the message is about: the referring class when the top class does not refer
(headline "REFER: Anaemic 33.9 % is above its referral threshold", the top class second),
otherwise the top class. Reports use it; the GUI can use it too (no Qt here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .numbers import format_probability


@dataclass(frozen=True)
class Verdict:
    """One screening's message. ``because`` lists (class id, probability) of the refer
    classes that crossed their threshold when the top class is not one of them."""

    top_class: str
    top_probability: float
    refer: bool
    because: tuple[tuple[str, float], ...] = ()

    @property
    def referred_by_other_class(self) -> bool:
        """REFER caused by a class that is not the most likely one."""
        return self.refer and bool(self.because)

    @property
    def headline_class(self) -> str:
        """The class the message leads with (and whose heatmap explains it)."""
        return self.because[0][0] if self.referred_by_other_class else self.top_class

    @property
    def headline_probability(self) -> float:
        return self.because[0][1] if self.referred_by_other_class else self.top_probability


def verdict_of(
    manifest: Any,
    class_ids: Sequence[str],
    probabilities: Sequence[float],
    top_class: str,
    top_probability: float,
    refer: bool,
) -> Verdict:
    """The verdict of an answered screening (``manifest``: the pack's, or None if unknown;
    without it a referral is taken to come from the top class)."""
    because: list[tuple[str, float]] = []
    if refer and manifest is not None and tuple(manifest.class_ids) == tuple(class_ids):
        probs = dict(zip(class_ids, probabilities, strict=True))
        crossed = [
            c for c in manifest.classes
            if c.refer and c.threshold is not None and probs[c.id] >= c.threshold
        ]
        if crossed and not any(c.id == top_class for c in crossed):
            because = sorted(((c.id, probs[c.id]) for c in crossed), key=lambda t: -t[1])
    return Verdict(top_class, float(top_probability), bool(refer), tuple(because))


def verdict_of_record(manifest: Any, record: Any) -> Verdict:
    """:func:`verdict_of` for a stored ``ScreeningRecord``."""
    return verdict_of(
        manifest,
        record.class_ids,
        record.probabilities,
        record.top_class,
        record.top_probability or 0.0,
        record.refer,
    )


def because_text(verdict: Verdict, name_of: Any, language: str = "en") -> str:
    """"Anaemic 33.9 %" (comma-separated when several classes crossed)."""
    return ", ".join(
        f"{name_of(cid)} {format_probability(p, language)}" for cid, p in verdict.because
    )


__all__ = ["Verdict", "because_text", "verdict_of", "verdict_of_record"]

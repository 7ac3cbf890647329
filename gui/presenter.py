"""What the result panel shows, decided in plain Python so it is testable without a window.

The one rule that matters: unless the status is OK there is no answer, so no class name,
no probability bars and no "refer" mark; only the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from screening.i18n import status_reason
from screening.labels import class_name
from screening.numbers import format_probability

if TYPE_CHECKING:
    from inference.manifest import Manifest
    from inference.results import ScreenResult, Timings
    from screening.store import ScreeningRecord


@dataclass(frozen=True)
class Bar:
    class_id: str
    name: str
    probability: float
    refer: bool  # the class is one that means "refer"
    top: bool


@dataclass(frozen=True)
class ResultSummary:
    answered: bool
    headline: str  # top class display name; "" when not answered
    probability: float | None
    refer: bool
    warning: str  # why there is no answer ("" when answered)
    status: str
    bars: tuple[Bar, ...]
    pack_name: str
    pack_version: str
    source: str
    timings: Timings | None = None
    screened_at: str = ""
    patient: str = ""
    referring: tuple[str, ...] = ()  # display names of the classes that triggered "refer"
    referring_probability: float | None = None  # of the first referring class
    voided: str = ""  # why a stored screening was declared invalid ("" while valid)
    language: str = "en"

    @property
    def referral_first(self) -> bool:
        """Referred because of a class that is not the most likely one ("Not anaemic 66 %"
        but "refer because of Anaemia"): the referral must be the headline, not the class."""
        return self.refer and bool(self.referring) and self.headline not in self.referring


def finding_line(summary: ResultSummary) -> str:
    """One line for lists: the referral's class when it is not the top one, else the top
    class, with its probability ("Anaemic 33.9 %")."""
    if summary.referral_first:
        name, p = summary.referring[0], summary.referring_probability
    else:
        name, p = summary.headline, summary.probability
    return f"{name} {format_probability(p, summary.language)}" if p is not None else name


def heatmap_class(prediction) -> str:
    """The class whose heatmap is shown first: the one that caused a referral when that
    is not the top class (the picture must explain the message), else the top class."""
    return prediction.explained_class


def _bars(
    manifest: Manifest | None,
    class_ids: tuple[str, ...],
    probabilities: tuple[float, ...],
    top: str,
    language: str,
) -> tuple[Bar, ...]:
    refer_ids = {c.id for c in manifest.classes if c.refer} if manifest else set()
    return tuple(
        Bar(cid, class_name(manifest, cid, language), float(p), cid in refer_ids, cid == top)
        for cid, p in zip(class_ids, probabilities, strict=True)
    )


def summarize(result: ScreenResult, manifest: Manifest, language: str = "en") -> ResultSummary:
    pred = result.prediction
    common = dict(
        status=result.status.value,
        pack_name=manifest.display_name.get(language),
        pack_version=manifest.pack_version,
        source=result.source,
        timings=result.timings,
        language=language,
    )
    if not result.answered or pred is None:
        return ResultSummary(
            answered=False,
            headline="",
            probability=None,
            refer=False,
            warning=status_reason(result.status.value, result.message, language, manifest.modality),
            bars=(),
            **common,
        )
    return ResultSummary(
        answered=True,
        headline=class_name(manifest, pred.top_class, language),
        probability=pred.top_probability,
        refer=pred.refer,
        warning="",
        bars=_bars(manifest, pred.class_ids, pred.probabilities, pred.top_class, language),
        referring=tuple(class_name(manifest, c, language) for c in pred.referring_classes),
        referring_probability=(
            pred.probability(pred.referring_classes[0]) if pred.referring_classes else None
        ),
        **common,
    )


def summarize_record(
    record: ScreeningRecord, manifest: Manifest | None, language: str = "en"
) -> ResultSummary:
    """A stored screening; the pack may since have been removed, so names fall back to ids."""
    common = dict(
        status=record.status,
        pack_name=manifest.display_name.get(language) if manifest else record.pack_name,
        pack_version=record.pack_version,
        source=record.image_path,
        timings=record.timings,
        screened_at=local_time(record.created_at),
        patient=f"{record.patient_code} — {record.patient_name}".rstrip(" —"),
        language=language,
    )
    referring = record_referring(record, manifest)
    if not record.answered:
        return ResultSummary(
            answered=False,
            headline="",
            probability=None,
            refer=False,
            warning=status_reason(record.status, record.message, language,
                                  manifest.modality if manifest else ""),
            bars=(),
            **common,
        )
    return ResultSummary(
        answered=True,
        headline=class_name(manifest, record.top_class, language) or record.top_class,
        probability=record.top_probability,
        refer=record.refer,
        warning="",
        bars=_bars(manifest, record.class_ids, record.probabilities, record.top_class, language),
        referring=tuple(class_name(manifest, c, language) for c in referring),
        referring_probability=record.probability(referring[0]) if referring else None,
        **common,
    )


def record_referring(record: ScreeningRecord, manifest: Manifest | None) -> tuple[str, ...]:
    """The classes that made a stored screening "refer" (the store keeps only the flag):
    refer classes at or above their threshold, as ``inference`` decided at the time."""
    if not record.refer or manifest is None or not record.answered:
        return ()
    found = []
    for c in manifest.classes:
        if not c.refer or c.id not in record.class_ids:
            continue
        threshold = getattr(c, "threshold", None)
        p = record.probability(c.id)
        if (threshold is not None and p >= threshold) or (
            threshold is None and c.id == record.top_class
        ):
            found.append(c.id)
    return tuple(found)


def local_time(stamp: str) -> str:
    """Store timestamps are UTC ISO; people read local ``YYYY-MM-DD HH:MM``."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return stamp


def timing_parts(t: Timings | None) -> list[tuple[str, float]]:
    """Stages that took time, as (stage key, ms); the status bar translates the keys."""
    if t is None:
        return []
    parts = [
        ("decode", t.decode_ms),
        ("preprocess", t.preprocess_ms),
        ("model", t.inference_ms),
        ("heatmap", t.heatmap_ms),
        ("overlay", t.overlay_ms),
    ]
    return [(name, ms) for name, ms in parts if ms > 0]


def resolve_language(
    setting: str, system_locale: str, available: list[str] | tuple[str, ...]
) -> str:
    """The language to show: the setting, or for "" (System default) the system locale's
    language when ClinicLens has it, else English. ``system_locale`` is like "id_ID"."""
    choice = (setting or "").replace("-", "_")
    if not choice:
        choice = (system_locale or "").replace("-", "_")
    for candidate in (choice, choice.split("_")[0]):
        if candidate and candidate in available:
            return candidate
    return "en" if setting == "" else (setting or "en")

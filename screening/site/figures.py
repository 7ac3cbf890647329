"""The accuracy a screening is printed with: the site calibration's own measured figures
when one was used, next to the shipped pack's (issue 18), computed here once for the reports.

Why: a screening made with a clinic's site calibration was not made at the shipped pack's
operating point, so the shipped accuracy alone describes another model. The calibration's
figure is its cross-validated accuracy on the clinic's labelled images (refusals count as
misses, as in :mod:`inference.site`), shown with the shipped calibration on the same
images; the shipped pack's own figure follows for comparison, in the words of
:mod:`screening.pack_warnings`. A screening names its calibration in its pack version
("1.0.0 + site 3f2a9c01de (...)", :class:`inference.site_screener.SiteScreener`); the
figures are read from that profile while it is still the pack's profile on this computer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inference.seal import SEAL_NAME

from ..i18n import tr
from ..numbers import format_decimal, format_percent
from ..pack_warnings import accuracy_text, measured_accuracy
from .profile import JSON_NAME, MAX_PROFILE_BYTES, NPZ_NAME, ProfileError, parse_files, profile_dir

if TYPE_CHECKING:
    from inference.manifest import Manifest

_SITE_MARK = re.compile(r"\s\+ site ([0-9a-f]{6,64})\b")


def profile_id_of(pack_version: str) -> str:
    """The site calibration a stored screening was made with ("" for the shipped one)."""
    found = _SITE_MARK.search(pack_version or "")
    return found.group(1) if found else ""


def base_version(pack_version: str) -> str:
    """'1.0.0 + site 3f2a9c01de (...)' -> '1.0.0'."""
    return (pack_version or "").split(" + site ", 1)[0].strip()


@dataclass(frozen=True)
class SiteFigures:
    """A site calibration's cross-validated figures on the clinic's labelled images."""

    profile_id: str
    n: int  # labelled images
    folds: int
    accuracy: float  # calibrated, refusals count as misses
    low: float  # its 95 % Wilson interval
    high: float
    shipped: float  # the shipped calibration on the same images


def _rate(info: Mapping[str, Any], which: str) -> Mapping[str, Any]:
    part = info.get(which)
    rate = part.get("accuracy") if isinstance(part, Mapping) else None
    if not isinstance(rate, Mapping) or not isinstance(rate.get("value"), int | float):
        raise ProfileError(f"the site calibration records no {which} accuracy")
    return rate


def site_figures(pack_id: str, profile_id: str) -> SiteFigures | None:
    """The figures of calibration ``profile_id`` of ``pack_id`` when it is still the pack's
    (sealed, unchanged) profile on this computer; None otherwise (replaced, reverted,
    damaged, or no figures recorded)."""
    if not profile_id:
        return None
    directory = profile_dir(pack_id)
    files: dict[str, bytes] = {}
    try:
        for name in (JSON_NAME, NPZ_NAME, SEAL_NAME):
            path = directory / name
            if path.is_file() and path.stat().st_size <= MAX_PROFILE_BYTES:
                files[name] = path.read_bytes()
        profile = parse_files(files, f"site calibration of {pack_id}")
        if profile.id != profile_id:
            return None
        after, before = _rate(profile.info, "after"), _rate(profile.info, "before")
        low, high = after.get("interval") or (after["value"], after["value"])
        return SiteFigures(
            profile_id=profile.id,
            n=int(after.get("n") or profile.sample_size),
            folds=int(profile.info.get("folds", 0)),
            accuracy=float(after["value"]),
            low=float(low),
            high=float(high),
            shipped=float(before["value"]),
        )
    except (OSError, ProfileError, TypeError, ValueError):
        return None


def shipped_accuracy_text(
    pack_version: str, stored: float | None, manifest: Manifest | None, language: str = "en"
) -> str:
    """The shipped pack's accuracy as the report prints it: the installed manifest's measured
    figure (refusals as misses, as the weak-pack warning says it) when it is the version the
    screening was made with, else the figure stored with the screening."""
    if manifest is not None and manifest.pack_version == base_version(pack_version):
        accuracy = measured_accuracy(manifest)
        if accuracy is not None:
            return tr("report.accuracy_measured", language, basis=accuracy_text(accuracy, language))
    if stored is not None:
        return tr("report.accuracy_value", language, accuracy=format_percent(stored, language))
    return tr("report.accuracy_unknown", language)


def accuracy_rows(
    pack_id: str,
    pack_version: str,
    stored: float | None,
    manifest: Manifest | None,
    language: str = "en",
) -> list[tuple[str, str]]:
    """(label, value) rows for a screening's provenance: the shipped accuracy alone, or,
    made with a site calibration, the calibration's measured figures first and the
    shipped accuracy labelled as the comparison."""
    shipped = shipped_accuracy_text(pack_version, stored, manifest, language)
    profile_id = profile_id_of(pack_version)
    if not profile_id:
        return [(tr("report.accuracy", language), shipped)]
    figures = site_figures(pack_id, profile_id)
    if figures is None:
        site = tr("report.accuracy_site_missing", language, id=profile_id)
    else:
        site = tr(
            "report.accuracy_site_value",
            language,
            id=profile_id,
            accuracy=format_percent(figures.accuracy, language),
            low=format_decimal(100.0 * figures.low, language),  # "75.1-90.2 %": one sign
            high=format_percent(figures.high, language),
            n=figures.n,
            folds=figures.folds,
            shipped=format_percent(figures.shipped, language),
        )
    return [
        (tr("report.accuracy_site", language), site),
        (tr("report.accuracy_shipped", language), shipped),
    ]


__all__ = [
    "SiteFigures",
    "accuracy_rows",
    "base_version",
    "profile_id_of",
    "shipped_accuracy_text",
    "site_figures",
]

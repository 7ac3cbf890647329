"""The one place screening code gets a Screener: with the pack's active site calibration, or
the shipped calibration when there is none or it no longer applies (and then says why)."""

from __future__ import annotations

from inference.engine import Engine
from inference.packs import ModelPack
from inference.screener import Screener
from inference.site import OperatingPoint
from inference.site_screener import SiteScreener

from .profile import ProfileError, active_profile


def screener_for(pack: ModelPack, engine: Engine | None = None) -> tuple[Screener, str]:
    """(screener, warning); the warning is empty unless a stale or damaged profile was
    skipped, in which case screening goes on with the shipped calibration."""
    try:
        prof = active_profile(pack)
    except ProfileError as exc:
        return Screener(pack, engine), str(exc)
    if prof is None:
        return Screener(pack, engine), ""
    variant = getattr(engine, "variant", None)
    if variant is not None and pack.model_sha256(variant) != prof.model_sha256:
        return Screener(pack, engine), (
            f"site calibration {prof.id} was made on the pack's default model, not its "
            f"{variant} variant; this screening uses the shipped calibration."
        )
    op = prof.operating_point(OperatingPoint.shipped(pack.manifest))
    return SiteScreener(pack, op, prof.label, engine=engine), ""


def profile_stamp(pack_id: str) -> int:
    """Changes whenever the pack's profile is made, imported or reverted: a window that keeps
    screeners makes a new one when it changes (a stat, no reading)."""
    from .profile import JSON_NAME, profile_dir

    try:
        return (profile_dir(pack_id) / JSON_NAME).stat().st_mtime_ns
    except OSError:
        return 0

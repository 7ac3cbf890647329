"""Before/after rows of a calibration run as text, for the GUI wizard (the CLI prints the
same figures): plain Python so the wording is tested without Qt."""

from __future__ import annotations

from inference.site import Rate

from .calibrate import CalibrationRun


def rate_text(r: Rate) -> str:
    lo, hi = r.interval
    return f"{r.value:.1%} ({lo:.1%}–{hi:.1%}; {r.k}/{r.n})"


def rows(run: CalibrationRun) -> list[tuple[str, str, str]]:
    """(metric key, shipped, calibrated); metric keys: accuracy, answered,
    sensitivity:<class>, specificity:<class>."""
    if run.cv is None:
        return []
    b, a = run.cv.before, run.cv.after
    out = [("accuracy", rate_text(b.accuracy), rate_text(a.accuracy)),
           ("answered", rate_text(b.answered), rate_text(a.answered))]
    for (c, rb), (_, ra) in zip(b.sensitivity, a.sensitivity, strict=True):
        out.append((f"sensitivity:{c}", rate_text(rb), rate_text(ra)))
    for (c, rb), (_, ra) in zip(b.specificity, a.specificity, strict=True):
        out.append((f"specificity:{c}", rate_text(rb), rate_text(ra)))
    return out


def change_text(run: CalibrationRun) -> str:
    if run.cv is None:
        return ""
    ch = run.cv.accuracy_change
    lo, hi = ch.interval
    return f"{ch.difference:+.1%} ({lo:+.1%} to {hi:+.1%})"

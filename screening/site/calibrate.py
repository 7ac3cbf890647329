"""One site calibration, start to finish, without Qt: screen the sample once with the shipped
pack, cross-validate the fit inside the sample, decide whether it may be applied, and make
the sealed profile (audited). The CLI and the GUI wizard both call this."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from inference.ood import load_guards
from inference.packs import ModelPack
from inference.site import (
    DEFAULT_FOLDS,
    MIN_PER_CLASS,
    CrossValidation,
    FitOptions,
    OperatingPoint,
    Probes,
    SampleMetrics,
    SampleOutputs,
    cross_validate,
    decide,
    default_targets,
    fit_operating_point,
    missing_per_class,
    probes_allowed,
)
from inference.site_head import shipped_head
from inference.site_sample import collect, probe_features

from . import profile as profile_mod

# progress(stage, done, total) -> False to cancel; stages: "screening", "probes", "folds"
Progress = Callable[[str, int, int], bool]


@dataclass(frozen=True, eq=False)
class CalibrationRun:
    """The outcome a clinic sees: before/after, and whether applying is allowed and why not."""

    pack: ModelPack
    counts: dict[str, int]
    missing: dict[str, int]  # more images needed per class (empty when enough)
    cv: CrossValidation | None = None
    op: OperatingPoint | None = None  # fitted on the whole sample
    # probes: (all, refused as shipped, refused calibrated, refused by the calibrated guard alone)
    probes: tuple[int, int, int, int] = (0, 0, 0, 0)
    reasons: tuple[str, ...] = ()  # why it may not be applied
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.op is not None and not self.reasons


def _metrics_dict(m: SampleMetrics) -> dict[str, Any]:
    def rate(r):  # noqa: ANN001, ANN202
        return {"k": r.k, "n": r.n, "value": r.value, "interval": list(r.interval)}

    return {
        "accuracy": rate(m.accuracy), "answered": rate(m.answered),
        "sensitivity": {c: rate(r) for c, r in m.sensitivity},
        "specificity": {c: rate(r) for c, r in m.specificity},
    }


def calibrate(
    pack: ModelPack,
    paths: list,
    labels: list[int],
    *,
    options: FitOptions | None = None,
    folds: int = DEFAULT_FOLDS,
    minimum: int = MIN_PER_CLASS,
    progress: Progress | None = None,
    extra_probes: Sequence[Path] = (),
) -> CalibrationRun:
    """``extra_probes``: images of other kinds (other modalities, photos, documents) that the
    guard extension must keep refusing, besides the built-in ones; more probes measure it
    more finely (below 20, not one may pass the extended guard alone)."""
    man = pack.manifest
    labels_arr = np.asarray(labels, int)
    counts = {c: int((labels_arr == j).sum()) for j, c in enumerate(man.class_ids)}
    missing = missing_per_class(labels_arr, man.class_ids, minimum)
    if missing:
        need = ", ".join(f"{n} more {c}" for c, n in missing.items())
        return CalibrationRun(pack, counts, missing, reasons=(
            f"The sample is too small to show whether calibration helps: at least {minimum} "
            f"labelled images per class are needed ({need}).",
        ))
    if options is None:
        options = FitOptions(targets=default_targets(man), head=True)

    def step(stage: str) -> Callable[[int, int], bool] | None:
        return None if progress is None else (lambda done, total: progress(stage, done, total))

    collected = collect(pack, paths, labels, progress=step("screening"))
    sample: SampleOutputs = collected.outputs
    main, early = load_guards(pack)
    probe_set, n_probes = probe_features(pack, extra=extra_probes)
    head0 = _shipped_head(pack) if options.head else None
    shipped = OperatingPoint.shipped(man)
    fit = partial(fit_operating_point, shipped, main=main, early=early, options=options,
                  probes=probe_set, shipped_head=head0)
    cv = cross_validate(shipped, sample, main, early, man.class_ids, lambda s: fit(s),
                        folds=folds, progress=step("folds"))
    op = fit(sample)
    n_refused = 0 if probe_set is None else len(probe_set)
    app_refused, guard_refused = _probes_refused(op, probe_set, main, len(man.classes))
    probes = (n_probes, n_refused, app_refused, guard_refused)
    reasons = []
    change = cv.accuracy_change
    if not change.beats_noise:
        lo, hi = change.interval
        reasons.append(
            f"The calibrated pack does not beat the shipped one beyond noise on this sample "
            f"(accuracy change {change.difference:+.1%}, 95 % interval {lo:+.1%} to {hi:+.1%}); "
            "the shipped calibration stays."
        )
    reasons += _sensitivity_reasons(cv, man, options)
    if app_refused < n_refused or guard_refused < n_refused - probes_allowed(n_refused):
        reasons.append("The extended guard would answer images of other kinds the shipped pack refuses.")
    info = {
        "counts": counts, "folds": folds,
        "targets": {c: t for c, t in zip(man.class_ids, options.targets, strict=False) if t is not None},
        "fitted": [k for k in ("temperature", "thresholds", "guard", "head") if getattr(options, k)],
        "before": _metrics_dict(cv.before), "after": _metrics_dict(cv.after),
        "accuracy_change": {"difference": change.difference, "interval": list(change.interval)},
        "probes": dict(zip(("n", "refused_shipped", "refused_calibrated", "refused_by_guard"), probes, strict=True)),
        "unreadable": len(collected.unreadable),
    }
    return CalibrationRun(pack, counts, {}, cv, op, probes, tuple(reasons), info)


def _sensitivity_reasons(cv, man, options: FitOptions) -> list[str]:
    """Refuse a loss of sensitivity the clinic did not ask for. With the default target
    (the pack's own validation sensitivity) any drop beyond noise against the shipped pack
    on this sample refuses; a target the clinic set itself is a choice of sensitivity for
    specificity, so only falling short of that target beyond noise refuses."""
    defaults = dict(zip(man.class_ids, default_targets(man), strict=False))
    chosen = {c: t for c, t in zip(man.class_ids, options.targets, strict=False) if t is not None}
    after = dict(cv.after.sensitivity)
    out = []
    for cid, diff in cv.sensitivity_change:
        target = chosen.get(cid)
        if target is not None and target != defaults.get(cid) and cid in after:
            if after[cid].interval[1] < target:
                out.append(f"Sensitivity for {cid} would fall short of the chosen {target:.0%} beyond "
                           f"noise ({after[cid].value:.1%}, 95 % interval up to {after[cid].interval[1]:.1%}).")
        elif diff.interval[1] < 0:
            out.append(f"Sensitivity for {cid} would drop beyond noise ({diff.difference:+.1%}).")
    return out


def _shipped_head(pack: ModelPack) -> tuple[np.ndarray, np.ndarray] | None:
    from inference.engine import Engine

    spec = pack.manifest.input
    if not pack.manifest.onnx.has_cam_outputs:
        return None
    probe = np.random.default_rng(0).normal(size=(2, 3, spec.height, spec.width)).astype(np.float32)
    return shipped_head(Engine(pack).run(probe))


def _probes_refused(op: OperatingPoint, probes: Probes | None, main, n_classes: int) -> tuple[int, int]:  # noqa: ANN001
    """Of the probes the shipped pack refuses: how many the calibrated app still refuses, and
    how many its main guard alone refuses (the early guard left out: it only refuses more)."""
    if probes is None or main is None or len(probes) == 0:
        n = 0 if probes is None else len(probes)
        return n, n
    n = len(probes)
    sample = SampleOutputs(np.zeros(n, int), np.zeros((n, n_classes)), probes.pooled, None, np.zeros(n, bool))
    guard_refused = ~decide(op, sample, main, None).answered
    return int((guard_refused | ~probes.guard_only).sum()), int(guard_refused.sum())


def apply(run: CalibrationRun, *, created_by: str, created_at: str, store=None) -> profile_mod.SiteProfile:  # noqa: ANN001
    """Make the sealed profile and activate it; only when the run allows it. Audited."""
    if not run.allowed or run.op is None:
        raise profile_mod.ProfileError(" ".join(run.reasons) or "nothing to apply")
    files = profile_mod.build_files(run.pack, run.op, created_at, created_by,
                                    sum(run.counts.values()), run.info)
    profile = profile_mod.parse_files(files, "new site calibration")
    profile_mod.write_active(run.pack.id, files)
    if store is not None:
        store.audit("site_profile.make", operator=created_by,
                    detail=f"{run.pack.id}: {profile.label}")
        store.audit("site_profile.apply", operator=created_by,
                    detail=f"{run.pack.id}: {profile.id}")
    return profile

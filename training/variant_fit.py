"""Calibration and guards fitted on a model variant's own outputs (issue 21).

Why: int8 logits and features differ slightly from fp32's. A guard whose threshold was fitted
on fp32 features let only 92-94 % of a pack's own validation images through under int8, so
int8 could be the default nowhere. Here the temperature, each referral threshold and both
guards are fitted for the variant exactly as the pipeline fits them for fp32: the same
functions (``evaluate.fit_temperature``, ``evaluate.youden_threshold``, ``export.fit_ood``,
``guard.fit_with_downscaled``, ``guard.fit_early_guard``), the same training images for the
statistics, the same validation images for temperature and thresholds, the same quantile,
subspace size, early layer and downscaled copies as the pack's base guard. The result goes
into the manifest's ``variants.<name>`` block (``inference.manifest``) and its own
``ood.<name>.npz`` / ``ood_early.<name>.npz``; the pack's other files are untouched.

``training.quantize`` calls :func:`fit_variant` after quantising; it is not a command of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from inference.engine import Engine, softmax
from inference.ood import MahalanobisScorer, combined_scores, load_guards
from inference.packs import load_pack

from . import evaluate
from .data import read_split
from .guard import (
    FITTED_ON,
    SMALL_VAL_SIDE,
    VAL_PASS_QUANTILE,
    downscaled,
    early_manifest_entry,
    fit_early_guard,
    fit_with_downscaled,
    guard_scorer,
)
from .measure import probe_files, screen_files, summarise_probes
from .onnx_export import fit_ood, sha256, write_manifest


def guard_files(variant: str) -> tuple[str, str]:
    """The variant's own statistics files (the base model's are ood.npz / ood_early.npz)."""
    return f"ood.{variant}.npz", f"ood_early.{variant}.npz"


def fit_variant(pack_dir: Path, data: Path, variant: str = "int8",
                probes: tuple[Path, ...] = (), log=print) -> dict:
    """Fit ``variant``'s temperature, thresholds and guards and write them into the pack
    (manifest block and statistics files; the caller re-seals and signs). Returns the
    figures the card reports."""
    pack = load_pack(pack_dir, check_signature=False)
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    base = pack.manifest.for_variant(pack.manifest.onnx.base_variant)
    classes = base.class_ids
    engine = Engine(pack, variant=variant)
    spec = base.input
    train, val = read_split(data / "train", classes), read_split(data / "val", classes)
    ytr, yva = np.asarray(train.labels), np.asarray(val.labels)
    train_paths, val_paths = [s.path for s in train.samples], [s.path for s in val.samples]
    log(f"{pack.id} {variant}: screening {len(val_paths)} validation images")
    va = screen_files(engine, spec, val_paths)

    temperature = evaluate.fit_temperature(va.logits, yva)
    p_raw, p_cal = softmax(va.logits), softmax(va.logits, temperature)
    calibration = {
        "temperature": temperature,
        "ece_before": evaluate.ece(p_raw, yva),
        "ece_after": evaluate.ece(p_cal, yva),
        **{k: v for k, v in raw["calibration"].items() if k == "threshold_rule"},
    }
    thresholds = {
        c.id: round(float(evaluate.youden_threshold(p_cal[:, i], yva == i)), 6)
        for i, c in enumerate(base.classes)
        if c.refer
    }
    block: dict = {"calibration": calibration, "thresholds": thresholds}
    out = {"temperature": temperature, "thresholds": thresholds}

    if base.ood is not None:
        block["ood"], figures = _fit_guards(pack, base, engine, train_paths, ytr, val_paths, va,
                                            variant, probes, log)
        out.update(figures)
    raw.setdefault("variants", {})[variant] = block
    write_manifest(pack_dir, raw)
    load_pack(pack_dir, verify=False).manifest.for_variant(variant)  # parses as written
    return out


def _fit_guards(pack, base, engine, train_paths, ytr, val_paths, va, variant, probes, log):
    """Main guard (and early guard where the base has one) on the variant's features."""
    main_file, early_file = guard_files(variant)
    old_main, _ = load_guards(pack, base.variant)
    dims = old_main.projection.shape[1]
    n_classes = len(base.classes)
    spec = base.input
    small_copies = base.ood.fitted_on == FITTED_ON
    log(f"{pack.id} {variant}: screening {len(train_paths)} training images"
        + (" and a downscaled copy of each" if small_copies else ""))
    tr = screen_files(engine, spec, train_paths)
    if small_copies:
        arrays = fit_with_downscaled(engine, spec, train_paths, ytr, n_classes, dims, full=tr.pooled)
    else:
        arrays = fit_ood(tr.pooled, ytr, n_classes, dims)
    fitted = MahalanobisScorer.from_arrays(arrays, 0.0)
    threshold = float(np.quantile(fitted.score(va.pooled), VAL_PASS_QUANTILE))
    main = MahalanobisScorer.from_arrays(arrays, threshold)
    early_fit = early = None
    if base.ood.early is not None:
        early_fit = fit_early_guard(tr.early, ytr, n_classes, va.early)
        early = guard_scorer(early_fit)

    def passed(run) -> float:
        return float((combined_scores(main, early, run.pooled, run.early) <= threshold).mean())

    directory = pack.directory
    np.savez(directory / main_file, **arrays)
    ood: dict = {"file": main_file, "sha256": sha256(directory / main_file),
                 "method": "mahalanobis", "threshold": threshold, "val_pass_rate": passed(va)}
    figures = {"ood_threshold": threshold, "ood_val_pass": ood["val_pass_rate"]}
    if small_copies:
        small = screen_files(engine, spec, val_paths, loader=lambda p: downscaled(p, SMALL_VAL_SIDE))
        ood["fitted_on"] = FITTED_ON
        ood["downscaled_val_pass_rate"] = figures["ood_downscaled_val_pass"] = passed(small)
    probe_paths = probe_files(tuple(probes))
    if probe_paths:
        log(f"{pack.id} {variant}: screening {len(probe_paths)} probe images")
        pr = screen_files(engine, spec, probe_paths)
        flagged = combined_scores(main, early, pr.pooled, pr.early) > threshold
        ood["far_ood_flag_rate"] = figures["probes_flagged"] = float(flagged.mean())
        figures["probe_summary"] = summarise_probes(tuple(probes), probe_paths, flagged)
    if early_fit is not None:
        ood["early"] = early_manifest_entry(base.ood.early.layer, directory, early_fit, early_file)
    return ood, figures

"""Refit a shipped pack's main guard threshold at the validation quantile, without retraining.

    python tools/refit_guard_threshold.py models/<id> --data ../shared/datasets/<set> \\
        --ood-probe DIR [--ood-probe DIR ...] --signing-key .signing/cliniclens-release.ed25519

Why (issue 17): the threshold was the 97th percentile of the pack's own validation scores, so
the guard refused 3 % of genuine validation images and more of a second site's;
``training.guard.VAL_PASS_QUANTILE`` is now 0.99 (models/guard_comparison.md). This applies it
to an existing pack: for the base model and every variant with a guard of its own (int8), the
threshold becomes that quantile of the main guard's score on the variant's own validation
features (``val/`` only, never ``shift/``), exactly as ``training.pipeline`` and
``training.variant_fit`` fit it. The guard statistics, the early guard (its own 99.5 %
quantile) and the model are untouched. The manifest's rates (``val_pass_rate``,
``downscaled_val_pass_rate``, ``far_ood_flag_rate``, each variant's copies in
``onnx.variants.<name>.metrics``) and the card are rewritten, then the pack is re-sealed and
signed. Give the probe folders the pack was built with (``training/make_packs.sh``).

The evaluation figures (``metrics.evaluation``, the card's evaluation section) are measured
with the old threshold: rerun ``tools/evaluate_packs.py <id> --record`` afterwards.
``tools/refit_guard_threshold.py`` is the command; the work lives here so that training's own
refits (``training.camera_guard``) reuse it without importing a tool.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from pathlib import Path

import numpy as np

from inference.engine import Engine
from inference.ood import combined_scores, load_guards
from inference.packs import ModelPack, load_pack

from .camera_guard import CAMERA_FITTED_ON, SCANNER_FITTED_ON, VAL_SEED, copy_loader
from .card import ood_section, replace_section
from .data import read_split
from .guard import (
    FITTED_ON,
    SMALL_VAL_SIDE,
    VAL_PASS_QUANTILE,
    downscaled,
)
from .int8_record import CARD_HEADING, _pct, int8_holds, recorded_res
from .measure import probe_files, screen_files, summarise_probes
from .onnx_export import write_manifest, write_seal
from .sign import sign

RATES = ("threshold", "val_pass_rate", "downscaled_val_pass_rate", "camera_val_pass_rate",
         "scanner_val_pass_rate", "far_ood_flag_rate")
_RATE = r"(?:\d+\.\d %|n/a)"
# The int8 section's guard sentence (training.int8_record._card_section), figures replaced in place.
_INT8_GUARD = re.compile(
    rf"own validation images passing the guard {_RATE} with fp32, {_RATE} with int8; "
    rf"probe images flagged {_RATE} with fp32, {_RATE} with int8"
)


class RefitError(ValueError):
    """The pack cannot be refitted as asked (nothing was written); the message says what to do."""


@dataclasses.dataclass(frozen=True)
class VariantRuns:
    """One variant's guards and its screened images, so that thresholds at several quantiles
    cost no second pass through the model."""

    main: object  # inference.ood.MahalanobisScorer
    early: object | None
    val: object  # training.measure runs (pooled and early features)
    copies: dict  # rate key -> run of val copies (downscaled, camera- or scanner-like)
    probes: object


def screen_variant(pack: ModelPack, variant: str, val_paths: list[Path], probe_paths: list[Path]) -> VariantRuns:
    """Screen ``variant``'s val images, the val copies its guard was fitted for, and the probes."""
    man = pack.manifest.for_variant(variant)
    engine, spec = Engine(pack, variant=variant), man.input
    main, early = load_guards(pack, variant)  # the early guard keeps its own threshold
    copies = {}
    kind = {CAMERA_FITTED_ON: "camera", SCANNER_FITTED_ON: "scanner"}.get(man.ood.fitted_on)
    if man.ood.fitted_on == FITTED_ON or kind:
        copies["downscaled_val_pass_rate"] = screen_files(
            engine, spec, val_paths, loader=lambda p: downscaled(p, SMALL_VAL_SIDE))
    if kind:  # other draws than the copies it was fitted on
        copies[f"{kind}_val_pass_rate"] = screen_files(engine, spec, val_paths, loader=copy_loader(VAL_SEED, kind))
    return VariantRuns(main, early, screen_files(engine, spec, val_paths), copies,
                       screen_files(engine, spec, probe_paths))


def figures_at(runs: VariantRuns, probes: tuple[Path, ...], probe_paths: list[Path],
               quantile: float = VAL_PASS_QUANTILE, combined: bool = False) -> tuple[dict, str, int]:
    """The main-guard threshold at ``quantile`` of the screened val scores and the rates it
    gives; returns (manifest figures, probe summary for the card, guard subspace size)."""
    main, early, va = runs.main, runs.early, runs.val
    early_figures = {}
    if combined and early is not None:
        # The quantile of the score the app decides on (both guards, early rescaled onto the
        # main scale), both thresholds moved together: the one rule guard_compare measured.
        threshold = float(np.quantile(combined_scores(main, early, va.pooled, va.early), quantile))
        early = dataclasses.replace(early, threshold=early.threshold * threshold / main.threshold)
        early_figures = {"threshold": early.threshold,
                         "val_pass_rate": float((early.score(va.early) <= early.threshold).mean())}
        rule = (f"both at the {100 * quantile:g}th percentile of the combined score of both guards "
                "on the pack's own validation images (tools/refit_guard_threshold.py --combined)")
    else:
        threshold = float(np.quantile(main.score(va.pooled), quantile))
        rule = f"the main guard's at the {100 * quantile:g}th percentile of its own validation scores"
    main = dataclasses.replace(main, threshold=threshold)

    def passing(run) -> np.ndarray:
        return combined_scores(main, early, run.pooled, run.early) <= threshold

    figures = {"threshold": threshold, "threshold_rule": rule, "val_pass_rate": float(passing(va).mean())}
    figures |= {key: float(passing(run).mean()) for key, run in runs.copies.items()}
    flagged = ~passing(runs.probes)
    figures["far_ood_flag_rate"] = float(flagged.mean())
    if early_figures:
        figures["early"] = early_figures
    return figures, summarise_probes(probes, probe_paths, flagged), main.projection.shape[1]


def _guard_blocks(raw: dict, base: str) -> dict[str, dict]:
    """The manifest's guard objects by variant: the base's and each variant's own."""
    blocks = {base: raw["ood"]}
    for name, block in raw.get("variants", {}).items():
        if "ood" in block:
            blocks[name] = block["ood"]
    return blocks


def _update_variant_metrics(raw: dict, base: str, new: dict[str, dict]) -> None:
    """The copies training.quantize keeps beside each variant's measured figures."""
    for name, entry in raw["onnx"].get("variants", {}).items():
        metrics = entry.get("metrics") or {}
        for prefix, source in (("", name), ("fp32_", base)):
            if source not in new:
                continue
            for key, rate in (("ood_val_pass", "val_pass_rate"), ("probes_flagged", "far_ood_flag_rate")):
                if prefix + key in metrics:
                    metrics[prefix + key] = new[source][rate]


def _check_default_rule(raw: dict) -> None:
    """Refuse a refit that would flip the int8-default rule (training.quantize decides it)."""
    metrics = raw["onnx"].get("variants", {}).get("int8", {}).get("metrics")
    if not metrics or metrics.get("ood_val_pass") is None:
        return
    default = raw["onnx"].get("default_variant", "fp32")
    if int8_holds(recorded_res(metrics)) != (default == "int8"):
        raise RefitError(f"{raw['id']}: with the refitted guards the int8-default rule no longer matches "
                         f"the default variant {default!r}; nothing was written. Rerun "
                         "python -m training.quantize on the pack with --keep-model instead.")


def _rewrite_card(card: Path, raw: dict, base: str, new: dict[str, dict], dims: int, summary: str) -> None:
    """The guard section (training.card.ood_section) and the int8 section's guard sentence."""
    replace_section(card, ood_section(raw["ood"], dims, summary))
    text = card.read_text("utf-8")
    if "int8" not in new or CARD_HEADING not in text:
        return
    f, q = new[base], new["int8"]
    sentence = (f"own validation images passing the guard {_pct(f['val_pass_rate'])} with fp32, "
                f"{_pct(q['val_pass_rate'])} with int8; probe images flagged "
                f"{_pct(f['far_ood_flag_rate'])} with fp32, {_pct(q['far_ood_flag_rate'])} with int8")
    head, _, rest = text.partition(CARD_HEADING)
    card.write_text(head + CARD_HEADING + _INT8_GUARD.sub(sentence, rest, count=1), "utf-8")


# How far int8's threshold may step below the asked quantile to flag no fewer probes than fp32.
INT8_STEP, INT8_MAX_STEPS = 0.001, 5


def _int8_no_weaker(runs: VariantRuns, figures: dict, summary: str, base_rate: float,
                    probes: tuple[Path, ...], probe_paths: list[Path], quantile: float,
                    combined: bool) -> tuple[dict, str]:
    """int8's figures at the highest quantile, from ``quantile`` down in steps of
    :data:`INT8_STEP`, at which its guards flag no smaller share of the probe images than the
    base variant's. Why: two guards fitted the same way on slightly different features can
    differ by one probe image at the same quantile, and the int8-default rule wants int8 no
    weaker a guard; a threshold one val image tighter keeps it so. Unchanged when it already is;
    after :data:`INT8_MAX_STEPS` steps the rule check decides."""
    for step in range(1, INT8_MAX_STEPS + 1):
        if figures["far_ood_flag_rate"] >= base_rate:
            break
        q = round(quantile - step * INT8_STEP, 6)
        figures, summary, _ = figures_at(runs, probes, probe_paths, q, combined)
        figures["threshold_rule"] += (f"; stepped down from the {100 * quantile:g}th, the highest at which "
                                      "int8's guards flag no fewer probe images than fp32's")
    return figures, summary


def refit(pack_dir: Path, data: Path, probes: tuple[Path, ...], quantile: float = VAL_PASS_QUANTILE,
          combined: bool = False) -> dict:
    """Refit every guard-owning variant's threshold, rewrite manifest and card, re-seal (the
    caller signs). Returns the old and new figures by variant."""
    probe_paths = probe_files(probes)
    if not probe_paths:
        raise RefitError("no probe images found: give the --ood-probe folders the pack was built "
                         "with (training/make_packs.sh), or its card's probe rate would be stale")
    if not (data / "val").is_dir():
        raise RefitError(f"{data / 'val'} is missing: --data is the pack's dataset (train/ val/)")
    pack = load_pack(pack_dir, check_signature=False)
    base = pack.manifest.onnx.base_variant
    classes = pack.manifest.for_variant(base).class_ids
    val_paths = [s.path for s in read_split(data / "val", classes).samples]
    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    blocks = _guard_blocks(raw, base)
    new, summaries, dims, runs = {}, {}, {}, {}
    for name in blocks:
        runs[name] = screen_variant(pack, name, val_paths, probe_paths)
        new[name], summaries[name], dims[name] = figures_at(runs[name], probes, probe_paths, quantile, combined)
    if "int8" in new and base in new:
        new["int8"], summaries["int8"] = _int8_no_weaker(runs["int8"], new["int8"], summaries["int8"],
                                                         new[base]["far_ood_flag_rate"], probes,
                                                         probe_paths, quantile, combined)
    report = {"quantile": quantile, "n_val": len(val_paths), "n_probes": len(probe_paths),
              "variants": {}}
    for name, block in blocks.items():
        report["variants"][name] = {"old": {k: block.get(k) for k in RATES if k in block},
                                    "new": new[name], "probes": summaries[name]}
        early = new[name].pop("early", None)
        block.update(new[name])
        if early is not None:
            block["early"].update(early)
            new[name]["early"] = early
    report["sharing_base_guard"] = [v.name for v in pack.manifest.onnx.variants if v.name not in blocks]
    _update_variant_metrics(raw, base, new)
    _check_default_rule(raw)
    card = pack_dir / "MODEL_CARD.md"
    text = card.read_text("utf-8") if card.exists() else ""
    if "int8" in new and CARD_HEADING in text and not _INT8_GUARD.search(text):
        raise RefitError(f"{card}: its {CARD_HEADING!r} section has no guard sentence to update; "
                         "nothing was written. Rerun python -m training.quantize --keep-model instead.")
    write_manifest(pack_dir, raw)
    if card.exists():
        _rewrite_card(card, raw, base, new, dims[base], summaries[base])
    write_seal(pack_dir)
    load_pack(pack_dir, check_signature=False)  # the seal and every hash check out
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python tools/refit_guard_threshold.py",
                                description=__doc__.splitlines()[0])
    p.add_argument("pack", type=Path, help="pack folder (models/<id>)")
    p.add_argument("--data", type=Path, required=True, help="the pack's dataset; only its val/ is read")
    p.add_argument("--ood-probe", type=Path, action="append", required=True,
                   help="folder of images the guard must flag (as when the pack was built); repeatable")
    p.add_argument("--signing-key", type=Path, metavar="KEY",
                   help="private key to sign the rewritten pack with (unsigned packs are refused)")
    p.add_argument("--quantile", type=float, default=VAL_PASS_QUANTILE,
                   help=f"validation quantile of the threshold (default {VAL_PASS_QUANTILE}); a pack whose "
                   "early guard already refuses artefacts may afford 0.995 (models/guard_comparison.md)")
    p.add_argument("--combined", action="store_true",
                   help="threshold at the quantile of the combined score (main and early guard) and "
                   "move the early guard's threshold with it; default: the main score alone")
    args = p.parse_args(argv)
    if not 0.5 < args.quantile < 1:
        p.error("--quantile must be between 0.5 and 1")
    if args.signing_key:
        from inference.signing import load_private_key

        load_private_key(args.signing_key)  # a bad key stops here, not after the work
    try:
        report = refit(args.pack, args.data, tuple(args.ood_probe), args.quantile, args.combined)
    except RefitError as exc:
        print(f"refit_guard_threshold: {exc}", file=sys.stderr)
        return 2
    sign(args.pack, args.signing_key, log=lambda msg: print(msg, file=sys.stderr))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

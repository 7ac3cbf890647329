"""A model variant's own per-class validation figures, recorded where the app reads them.

A pack's top-level ``metrics`` describe its base model (fp32); where int8 is the default the
app runs int8, and the pack information panel, the stored screenings and the release copy
read the default variant's figures (``inference.manifest``: ``Manifest.for_variant``).
``training/quantize.py`` records int8's accuracy and macro F1; this adds its per-class
precision and recall, confusion matrix and ROC AUC, computed as ``training/pipeline.py``
computes the base's: the variant's calibrated probabilities over the validation images,
through the app's own engine.

    python -m training.variant_report PACK --data DATASET [--variant int8] [--signing-key KEY]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from inference.engine import Engine, softmax
from inference.manifest import VARIANT_REPORT_KEYS
from inference.packs import load_pack

from . import evaluate
from .data import read_split
from .measure import screen_files
from .onnx_export import write_manifest, write_seal


class VariantReportError(Exception):
    """The variant's figures do not match what was recorded for it."""


def variant_report(pack_dir: Path, data: Path, variant: str) -> dict:
    """Validation report of ``variant`` (evaluate.Report.as_dict) through the app's engine."""
    pack = load_pack(pack_dir, check_signature=False)
    man = pack.manifest.for_variant(variant)
    val = read_split(Path(data) / "val", man.class_ids)
    run = screen_files(Engine(pack, variant=variant), man.input, [s.path for s in val.samples])
    return evaluate.report(softmax(run.logits, man.temperature), val.labels, man.class_ids).as_dict()


def record_report(pack_dir: Path, data: Path, variant: str = "int8") -> dict:
    """Add ``variant``'s per-class figures to the block the app reads them from (the variant's
    ``onnx.variants.<name>.metrics``, or the top level where it is the base) and re-seal.
    Its accuracy must equal the one recorded for it: both count the same images the same way."""
    raw = json.loads((Path(pack_dir) / "manifest.json").read_text("utf-8"))
    base = raw["onnx"].get("base_variant", "fp32")
    if variant == base:
        block = raw["metrics"]
    else:
        block = raw["onnx"].get("variants", {}).get(variant, {}).get("metrics")
        if block is None:
            raise VariantReportError(f"{raw['id']}: no recorded figures for variant {variant!r} "
                                     "(python -m training.quantize records them)")
    rep = variant_report(Path(pack_dir), data, variant)
    if rep["n"] != block["n"] or abs(rep["accuracy"] - block["accuracy"]) > 1e-9:
        raise VariantReportError(
            f"{raw['id']} ({variant}): {rep['accuracy']:.4f} on {rep['n']} validation images, "
            f"but {block['accuracy']:.4f} on {block['n']} recorded; measure the variant again")
    block.update({k: rep[k] for k in VARIANT_REPORT_KEYS if k in rep})
    write_manifest(Path(pack_dir), raw)
    write_seal(Path(pack_dir))
    return {k: rep[k] for k in VARIANT_REPORT_KEYS if k in rep}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.variant_report", description=__doc__.split("\n\n")[0])
    p.add_argument("pack", type=Path)
    p.add_argument("--data", type=Path, required=True, help="the pack's dataset with val/")
    p.add_argument("--variant", default="int8")
    p.add_argument("--signing-key", type=Path, metavar="KEY", help="private key to sign the re-sealed pack with")
    args = p.parse_args(argv)
    from .sign import record_then_sign

    return record_then_sign(
        "variant_report", args.pack, args.signing_key,
        lambda: json.dumps(record_report(args.pack, args.data, args.variant), indent=1), (VariantReportError,),
    )


if __name__ == "__main__":
    raise SystemExit(main())

"""Bring a model trained by :mod:`training.gpu_recipes` into the CPU pipeline.

The lent GPU only trains and compares recipes; everything a pack promises (calibration,
guard, probes, int8 variant, card, seal, signature) is still made by
:func:`training.pipeline.train` on this machine, through the app's own engine. This module
reads the returned weights and the comparison of every recipe tried, so the card records
each recipe with its val and shift figures (issue 16) and the recipe that was shipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import torch


class GpuImportError(Exception):
    """The checkpoint or its results file cannot be used for this pack."""


@dataclass(frozen=True)
class GpuRun:
    state: dict
    recipe: dict  # training.gpu_recipes.Recipe as a dict
    seconds: float
    hardware: str
    comparison: str  # markdown: every recipe tried for the same classes
    members: tuple[dict, ...] = ()  # an ensemble's runs (name, hardware, seconds); empty for one run


def _pct(v: float) -> str:
    return f"{100 * v:.1f} %"


def comparison_table(rows: list[dict], classes: tuple[str, ...], chosen: str | tuple[str, ...]) -> str:
    """Every recipe tried for these classes, val and shift side by side (heatmap columns
    where the dataset has lesion boxes, per-class shift recall otherwise). ``chosen``: the
    shipped run, or an ensemble's runs."""
    shipped = (chosen,) if isinstance(chosen, str) else tuple(chosen)
    mark = "(shipped)" if len(shipped) == 1 else "(shipped, in the ensemble)"
    rows = [r for r in rows if tuple(r["recipe"]["classes"]) == classes]
    boxes = any("pointing" in r["val"] for r in rows)
    sources = any(r["recipe"].get("other_source_draws", 1) > 1 for r in rows)
    sizes = any(r["recipe"].get("size", 128) != 128 for r in rows)
    head = "| recipe | input px " if sizes else "| recipe "
    head += "| output stride | scanner augmentation | label smoothing | box weight "
    head += "| other sources drawn | epochs | val acc | shift acc " if sources else "| epochs | val acc | shift acc "
    if boxes:
        head += "| val pointing | shift pointing | shift energy lift |"
        what = ("heatmap of the true class against the tumour boxes, centre-map baseline in brackets. "
                "Chosen: the best heatmap among recipes within 0.5 points of the shipped pack's "
                "validation accuracy")
    else:
        head += "".join(f"| shift recall {c} " for c in classes) + "|"
        what = "Chosen: the best second-site accuracy among recipes within 0.5 points of the shipped pack's validation accuracy"
    lines = [
        "Recipes compared on a lent GPU or this machine's CPU (`training/gpu_recipes.py`, same data; "
        f"accuracy by arg-max, without the guard; {what}; `shift` was only measured, never trained or stopped on.",
        "",
        head,
        "|---" * (head.count("|") - 1) + "|",
    ]
    for row in rows:
        r, v, s = row["recipe"], row["val"], row["shift"]
        name = f"**{r['name']}** {mark}" if r["name"] in shipped else r["name"]
        line = (
            f"| {name} "
            + (f"| {r.get('size', 128)} " if sizes else "")
            + f"| {r['output_stride']} | {'yes' if r['scanner_aug'] else 'no'} "
            f"| {r['label_smoothing']} | {r['box_weight']} "
            + (f"| {r.get('other_source_draws', 1)}x " if sources else "")
            + f"| {r['epochs']} | {_pct(v['accuracy'])} | {_pct(s['accuracy'])} "
        )
        if boxes:
            line += (
                f"| {_pct(v['pointing'])} ({_pct(v['centre_pointing'])}) "
                f"| {_pct(s['pointing'])} ({_pct(s['centre_pointing'])}) "
                f"| {s['lift']:.2f} ({s['centre_lift']:.2f}) |"
            )
        else:
            line += "".join(f"| {_pct(s['recall'][c])} " for c in classes) + "|"
        lines.append(line)
    return "\n".join(lines)


def load_gpu_run(checkpoint: Path, results: Path, classes: tuple[str, ...], size: int | None = None) -> GpuRun:
    """Weights (as float32) and the recipe row named like the checkpoint file; ``size`` (the
    pack's input side) must be the one the recipe trained at."""
    if not checkpoint.is_file() or not results.is_file():
        raise GpuImportError(f"need both {checkpoint} and {results}")
    rows = json.loads(results.read_text("utf-8"))
    match = [r for r in rows if r["recipe"]["name"] == checkpoint.stem]
    if not match:
        raise GpuImportError(f"{results} has no recipe named {checkpoint.stem!r}")
    row = match[0]
    if tuple(row["recipe"]["classes"]) != tuple(classes):
        raise GpuImportError(
            f"{checkpoint.stem} was trained on {row['recipe']['classes']}, this pack reads {list(classes)}"
        )
    trained = row["recipe"].get("size", 128)  # rows from before the field: 128 px
    if size is not None and trained != size:
        raise GpuImportError(f"{checkpoint.stem} was trained at {trained} px, this pack reads {size} px")
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    state = {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}
    hardware = row.get("hardware", "one NVIDIA H200 GPU (lent)")
    return GpuRun(state, row["recipe"], float(row["seconds"]), hardware,
                  comparison_table(rows, tuple(classes), checkpoint.stem))


def record_recipes(pack_dir: Path, results: Path, note: str = "") -> str:
    """Rewrite a built pack's "Recipes tried" section from ``results`` (recipes compared after
    the pack was built, issue 16: every recipe tried is in the card) and re-seal it. The
    shipped recipe stays the one the manifest names; its weights are untouched. ``note``
    follows the table: why the newer recipes were not shipped."""
    from .card import RECIPES_HEADING, replace_section
    from .onnx_export import write_seal

    raw = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    training = raw.get("training", {})
    chosen = training.get("gpu_recipe", {}).get("name")
    if not chosen:
        raise GpuImportError(f"{pack_dir} was not built from training.gpu_recipes weights")
    shipped = tuple(m["name"] for m in training.get("ensemble", ())) or (chosen,)
    classes = tuple(c["id"] for c in raw["classes"])
    rows = json.loads(results.read_text("utf-8"))
    missing = [n for n in shipped if not any(r["recipe"]["name"] == n for r in rows)]
    if missing:
        raise GpuImportError(f"{results} has no row for the shipped recipe {missing[0]!r}")
    table = comparison_table(rows, classes, shipped if len(shipped) > 1 else chosen)
    replace_section(pack_dir / "MODEL_CARD.md", [RECIPES_HEADING, table, *(["", note] if note else [])])
    write_seal(pack_dir)
    return table


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.gpu_import",
                                description="Record every recipe tried in a built pack's card.")
    p.add_argument("pack", type=Path, help="pack folder (models/<id>)")
    p.add_argument("results", type=Path, help="results.json of training.gpu_recipes, all runs merged")
    p.add_argument("--note", default="", help="a paragraph after the table: why newer recipes were not shipped")
    p.add_argument("--signing-key", type=Path, metavar="KEY", help="private key to sign the re-sealed pack with")
    args = p.parse_args(argv)
    from .sign import record_then_sign

    return record_then_sign("gpu_import", args.pack, args.signing_key,
                            lambda: record_recipes(args.pack, args.results, args.note), (GpuImportError,))


if __name__ == "__main__":
    sys.exit(main())

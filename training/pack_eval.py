"""Evaluate a model pack on labelled folders through the app's own screening path.

    python -m training.pack_eval models/brain-mri-tumor --data ../shared/datasets/brain_mri \
        --splits val shift --boxes ../shared/datasets/brain_mri/tumour_boxes.csv

Every image goes through ``inference.screener.Screener`` (decode, quality and
out-of-distribution guards, calibrated softmax, heatmaps), so the figures mean what the
clinic sees: a refused image counts as a miss in the headline accuracy, and the answered
share and accuracy of the answers are shown beside it. Nothing is fitted here, so a
second-site split (``shift/``) can be measured without being learned.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference import cam as cam_mod
from inference.errors import ImageError
from inference.images import is_image_path
from inference.packs import load_pack
from inference.screener import Screener, failed_result

from .intervals import Estimate, share
from .localise import BoxedImage, LocalScores, centre_heatmap, read_boxes, score_maps

CENTRE = "centre"  # name of the trivial baseline in localisation results


@dataclass(frozen=True)
class Outcome:
    """What the app did with one labelled image."""

    path: Path
    label: str
    status: str
    top_class: str | None
    refer: bool = False  # the app's REFER mark (only an answered image can carry it)

    @property
    def answered(self) -> bool:
        return self.status == "ok"

    @property
    def correct(self) -> bool:
        return self.answered and self.top_class == self.label


def split_files(data: Path, split: str, classes: Sequence[str]) -> list[tuple[Path, str]]:
    """(path, label) for every image of ``data/split/<class>/`` whose class the pack has."""
    root = Path(data) / split
    if not root.is_dir():
        raise FileNotFoundError(f"no folder {root}")
    files = []
    for cls in classes:
        folder = root / cls
        if folder.is_dir():
            files += [(p, cls) for p in sorted(folder.iterdir()) if is_image_path(p)]
    return files


def screen_files(
    screener: Screener, files: Sequence[tuple[Path, str]], batch: int = 32
) -> list[Outcome]:
    """Screen in batches exactly as the batch queue does; unreadable files are refusals."""
    out: list[Outcome] = []
    for start in range(0, len(files), batch):
        chunk = files[start : start + batch]
        images, keep, results = [], [], {}
        for i, (path, _) in enumerate(chunk):
            try:
                images.append(screener.load(path))
                keep.append(i)
            except ImageError as exc:
                results[i] = failed_result(str(path), exc)
        for i, res in zip(keep, screener.screen_images(images), strict=True):
            results[i] = res
        for i, (path, label) in enumerate(chunk):
            res = results[i]
            pred = res.prediction
            top = pred.top_class if pred is not None else None
            refer = bool(pred is not None and res.answered and pred.refer)
            out.append(Outcome(path, label, res.status.value, top, refer))
    return out


def answer_metrics(outcomes: Sequence[Outcome], classes: Sequence[str]) -> dict:
    """Headline and per-class figures, each a share with its Wilson 95 % interval."""
    correct = np.array([o.correct for o in outcomes], dtype=bool)
    answered = np.array([o.answered for o in outcomes], dtype=bool)
    labels = np.array([o.label for o in outcomes])
    referred = np.array([o.answered and o.refer for o in outcomes], dtype=bool)
    per_class = {}
    for cls in classes:
        m = labels == cls
        if not m.any():
            continue
        per_class[cls] = {
            "recall": share(correct[m]),  # refusals count as misses
            "recall_of_answers": share(correct[m & answered]),
            "refused": share(~answered[m]),
            # what a clinic acts on: a finding's images sent on, a normal class's false referrals
            "referred": share(referred[m]),
        }
    return {
        "n": len(outcomes),
        "accuracy": share(correct),
        "answered": share(answered),
        "accuracy_of_answers": share(correct[answered]),
        "per_class": per_class,
        "refusals": dict(Counter(o.status for o in outcomes if not o.answered)),
    }


def localisation(
    screener: Screener, boxed: Sequence[BoxedImage], methods: Sequence[str]
) -> dict[str, LocalScores]:
    """Pointing game and energy lift of each CAM method and of the centre baseline.

    Maps are for the true class (the pointing-game convention) at image resolution, as
    ``Screener.heatmap`` maps them for the viewer; refused images are included, since the
    question is where the model looks, not whether it answers.
    """
    classes = set(screener.manifest.class_ids)
    boxed = [b for b in boxed if b.label in classes]
    items: dict[str, list] = {m: [] for m in (*methods, CENTRE)}
    for b in boxed:
        image = screener.load(b.path)
        result = screener.screen_image(image)
        for method in methods:
            _, full = screener.heatmap(image, result, b.label, method)
            items[method].append((b.label, full, b.box))
        items[CENTRE].append((b.label, centre_heatmap(image.height, image.width), b.box))
    return {name: score_maps(rows) for name, rows in items.items()}


def evaluate_pack(
    pack_dir: Path,
    data: Path,
    splits: Sequence[str],
    *,
    boxes: Path | None = None,
    methods: Sequence[str] = ("gradcam",),
    variant: str | None = None,
) -> dict:
    """Figures for one pack on each split, as plain JSON-ready data."""
    pack = load_pack(pack_dir)
    screener = Screener(pack) if variant is None else Screener(pack, _engine(pack, variant))
    classes = pack.manifest.class_ids
    variant = screener.engine.variant or pack.manifest.onnx.default_variant
    report: dict = {
        "pack": pack.manifest.id,
        "version": pack.manifest.pack_version,
        "variant": variant,  # which graph answered: the pack's default unless asked otherwise
        "model_sha256": pack.model_sha256(variant),
        "splits": {},
    }
    for split in splits:
        outcomes = screen_files(screener, split_files(data, split, classes))
        entry = to_json(answer_metrics(outcomes, classes))
        if boxes is not None:
            scores = localisation(screener, read_boxes(boxes, split), methods)
            entry["localisation"] = {
                name: to_json(s.summary(c for c in classes if c in s.labels))
                for name, s in scores.items()
            }
        report["splits"][split] = entry
    return report


def _engine(pack, variant: str):
    from inference.engine import Engine

    return Engine(pack, variant=variant)


def to_json(obj):
    """Estimates -> dicts, recursively."""
    if isinstance(obj, Estimate):
        return obj.as_dict()
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    return obj


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m training.pack_eval", description=__doc__.splitlines()[0])
    p.add_argument("packs", nargs="+", type=Path, help="pack folders (models/<id>)")
    p.add_argument("--data", type=Path, required=True, help="folder with <split>/<class>/ images")
    p.add_argument("--splits", nargs="+", default=["val"])
    p.add_argument("--boxes", type=Path, help="CSV of lesion boxes (split,file,label,xc,yc,w,h)")
    p.add_argument("--cam-methods", nargs="+", default=["gradcam"], choices=sorted(cam_mod.ALL_METHODS))
    p.add_argument("--variant", help="ONNX variant to run (default: the pack's default)")
    p.add_argument("--json", type=Path, help="write the figures here as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    reports = [
        evaluate_pack(pack, args.data, args.splits, boxes=args.boxes, methods=args.cam_methods,
                      variant=args.variant)
        for pack in args.packs
    ]
    from .eval_tables import render_answers, render_localisation

    print(render_answers(reports, args.splits))
    if args.boxes is not None:
        print()
        print(render_localisation(reports, args.splits))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(reports, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

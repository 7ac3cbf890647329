"""Heatmap-grid options for a 128-px MobileNetV2 brain pack without retraining (issue 15).

    python tools/cam_grid_options.py models/brain-mri-tumor [--all]

Variants of the pack's own ONNX graph, same weights:
  base   : the shipped graph, 128 px, 4x4 features
  dil    : last stride removed and the later depthwise convolutions dilated by 2 (DeepLab
           output stride 16), 8x8 features; answers change, so its accuracy is shown
  up256  : the shipped graph on a 256-px input (spatial dims made dynamic), 8x8
  dil256 : (--all) both, 16x16
Accuracy = raw argmax over the pack's classes on the whole split (no guards). Localisation =
CAM of the true class at image resolution against ``tumour_boxes.csv`` (training.localise).
Measurement only: nothing here is shipped.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference import cam as cam_mod  # noqa: E402
from inference.images import load_image  # noqa: E402
from inference.manifest import read  # noqa: E402
from inference.preprocess import cam_to_image, preprocess  # noqa: E402
from training.intervals import share  # noqa: E402
from training.localise import centre_heatmap, read_boxes, score_maps  # noqa: E402
from training.pack_eval import split_files  # noqa: E402

METHODS = ("gradcam", "gradcam++", "layercam", "eigencam")
DILATE = ((14, 1, 1), (15, 1, 2), (16, 1, 2), (17, 1, 2))  # block, stride, dilation


def dynamic(model: onnx.ModelProto) -> onnx.ModelProto:
    for vi in list(model.graph.input) + list(model.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if len(dims) == 4:
            dims[2].dim_param, dims[3].dim_param = "H_" + vi.name, "W_" + vi.name
    return model


def dilated(model: onnx.ModelProto) -> onnx.ModelProto:
    for n in model.graph.node:
        for blk, stride, dil in DILATE:
            if n.op_type == "Conv" and n.name == f"/features/features.{blk}/conv/conv.1/conv.1.0/Conv":
                keep = [a for a in n.attribute if a.name not in ("strides", "dilations", "pads")]
                del n.attribute[:]
                n.attribute.extend(keep + [helper.make_attribute("strides", [stride, stride]),
                                           helper.make_attribute("dilations", [dil, dil]),
                                           helper.make_attribute("pads", [dil] * 4)])
    return model


def session(model: onnx.ModelProto) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pack", type=Path)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "brain_mri")
    ap.add_argument("--all", action="store_true", help="also the dilated graph at 256 px")
    args = ap.parse_args()
    man = read(args.pack / "manifest.json")
    graph = args.pack / man.onnx.file
    big = replace(man.input, width=2 * man.input.width, height=2 * man.input.height)
    variants = {
        "base": (session(onnx.load(graph)), man.input),
        "dil": (session(dilated(dynamic(onnx.load(graph)))), man.input),
        "up256": (session(dynamic(onnx.load(graph))), big),
    }
    if args.all:
        variants["dil256"] = (session(dilated(dynamic(onnx.load(graph)))), big)

    def run(name: str, pixels: np.ndarray):
        sess, spec = variants[name]
        logits, feats, grad = sess.run(["logits", "features", "head_grad"],
                                       {"image": preprocess(pixels, spec)[None]})
        return logits[0], feats[0], grad[0], spec

    classes = man.class_ids
    for split in ("val", "shift"):
        files = split_files(args.data, split, classes)
        correct: dict[str, list[bool]] = {v: [] for v in variants}
        for path, label in files:
            pixels = load_image(path, draft_size=(256, 256)).pixels
            for v in variants:
                correct[v].append(classes[int(np.argmax(run(v, pixels)[0]))] == label)
        print(f"## {man.id} {split}: raw argmax accuracy (no guards), n={len(files)}")
        for v in variants:
            print(f"  {v:7s} {share(np.array(correct[v])).pct()}")
        boxed = [b for b in read_boxes(args.data / "tumour_boxes.csv", split) if b.label in classes]
        rows: dict[str, list] = {}
        for b in boxed:
            img = load_image(b.path, draft_size=(256, 256))
            for v in variants:
                _, f, g, spec = run(v, img.pixels)
                for m in METHODS:
                    c = cam_mod.compute(f, g, classes.index(b.label), b.label, m)
                    full = cam_to_image(c.values, img.height, img.width, spec)
                    rows.setdefault(f"{v}/{m}", []).append((b.label, full, b.box))
            rows.setdefault("centre", []).append((b.label, centre_heatmap(img.height, img.width), b.box))
        print(f"## {man.id} {split}: localisation, n={len(boxed)} (pointing game | energy lift)")
        for k, r in rows.items():
            s = score_maps(r).summary()
            per_class = "  ".join(
                f"{c}: {s[c]['pointing'].pct()} / {s[c]['lift'].num()}" for c in s if c != "all"
            )
            print(f"  {k:18s} {s['all']['pointing'].pct():24s} {s['all']['lift'].num()}   {per_class}",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

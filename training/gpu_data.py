"""Pack a dataset into one small archive a lent GPU machine can train on.

The GPU machine receives only the repository (64 MiB at most) and has no access to
``../shared``. So every image is fitted to the model input here, with the app's own
loader and ``fit`` (letterbox, area resize, the luma weights of ``gray3``), and stored
as one grey JPEG (quality 95) in a zip with an index of labels and tumour boxes. Boxes
are moved into model-input coordinates, so a heatmap on the input grid can be scored
against them directly.

    python -m training.gpu_data ../shared/datasets/brain_mri .gpu/brain_mri_128.zip --size 128
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from inference.images import load_image
from inference.manifest import InputSpec, Normalization
from inference.preprocess import _LUMA, fit, placement

from .data import read_split

SPLITS = ("train", "val", "shift")
IMAGENET = Normalization("mean_std", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def input_box(box: tuple[float, float, float, float], height: int, width: int, spec: InputSpec) -> list[float]:
    """A normalised (xc, yc, w, h) box of the original image as (x0, y0, x1, y1) fractions
    of the model input, following the letterbox placement the app applies."""
    xc, yc, w, h = box
    place = placement(height, width, spec)
    bx0, by0, bx1, by1 = place.box
    sx0, sy0, sx1, sy1 = place.source_box
    fx = (bx1 - bx0) / (sx1 - sx0)
    fy = (by1 - by0) / (sy1 - sy0)

    def to_x(v: float) -> float:
        return (bx0 + (v * width - sx0) * fx) / spec.width

    def to_y(v: float) -> float:
        return (by0 + (v * height - sy0) * fy) / spec.height

    return [to_x(xc - w / 2), to_y(yc - h / 2), to_x(xc + w / 2), to_y(yc + h / 2)]


def read_boxes(path: Path) -> dict[str, tuple[float, float, float, float]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["file"]: (float(r["xc"]), float(r["yc"]), float(r["w"]), float(r["h"])) for r in csv.DictReader(fh)}


def pack(root: Path, out: Path, size: int, quality: int = 95, resize: str = "letterbox") -> dict:
    spec = InputSpec(size, size, "gray3", resize, IMAGENET)
    boxes = read_boxes(root / "tumour_boxes.csv") if (root / "tumour_boxes.csv").exists() else {}
    classes = read_split(root / "train").classes
    index: list[dict] = []
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for split in SPLITS:
            if not (root / split).is_dir():
                continue
            for s in read_split(root / split, classes).samples:
                rgb = load_image(s.path).pixels
                gray = np.clip(np.rint(fit(rgb, spec).astype(np.float32) @ _LUMA), 0, 255).astype(np.uint8)
                buf = io.BytesIO()
                Image.fromarray(gray, "L").save(buf, "JPEG", quality=quality)
                name = f"{len(index):05d}.jpg"
                zf.writestr(name, buf.getvalue())
                rel = s.path.relative_to(root).as_posix()
                row = {"name": name, "file": rel, "split": split, "label": s.label, "orig": list(rgb.shape[:2])}
                if rel in boxes:
                    row["box"] = input_box(boxes[rel], rgb.shape[0], rgb.shape[1], spec)
                index.append(row)
        meta = {"classes": list(classes), "size": size, "color": "gray3", "resize": resize, "images": index}
        zf.writestr("index.json", json.dumps(meta))
    return {"images": len(index), "boxes": sum("box" in r for r in index), "bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("root", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--quality", type=int, default=95)
    p.add_argument("--resize", choices=("letterbox", "stretch", "center_crop"), default="letterbox",
                   help="as the pack's manifest input.resize")
    args = p.parse_args(argv)
    print(json.dumps(pack(args.root, args.out, args.size, args.quality, args.resize)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Heatmaps as the viewer paints them, on boxed second-site images, packs side by side.

    python tools/cam_sheet.py OUT.png PACK_DIR [PACK_DIR ...] [--split shift] [--n 8]

Each row is one image of ``tumour_boxes.csv`` (the first images of each tumour class in
file order, so the same rows come back every time); each column one pack, with the
tumour box (white), the heatmap's peak (green ring: inside the box grown by 3 %, the
pointing-game hit; magenta: a miss) and the pack's answer. A last column shows the centre
baseline. This is what issue 15 asks to look at, before and after a pack changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference.overlay import blend  # noqa: E402
from inference.packs import load_pack  # noqa: E402
from inference.screener import Screener  # noqa: E402
from training.localise import centre_heatmap, peak, pointing_hit, read_boxes  # noqa: E402

TILE = 256
BOXES = ROOT.parent / "shared" / "datasets" / "brain_mri" / "tumour_boxes.csv"


def pick(rows, classes: list[str], n: int):
    """Round-robin over classes in file order: a fixed, class-balanced sample."""
    by_class = {c: [r for r in rows if r.label == c] for c in classes}
    out, i = [], 0
    while len(out) < n and any(i < len(v) for v in by_class.values()):
        out += [v[i] for v in by_class.values() if i < len(v)][: n - len(out)]
        i += 1
    return out


def tile(rgb: np.ndarray, heat: np.ndarray, box, caption: str) -> Image.Image:
    h, w = heat.shape
    hit = pointing_hit(heat, box)
    img = Image.fromarray(blend(rgb, heat / max(float(heat.max()), 1e-12))).resize((TILE, TILE))
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box.pixels(h, w)
    sx, sy = TILE / w, TILE / h
    d.rectangle([x0 * sx, y0 * sy, x1 * sx, y1 * sy], outline="white", width=2)
    at = peak(heat)
    if at is not None:
        cy, cx = at[0] * sy, at[1] * sx
        d.ellipse([cx - 5, cy - 5, cx + 5, cy + 5], outline="lime" if hit else "magenta", width=2)
    d.rectangle([0, 0, TILE, 14], fill="black")
    d.text((3, 1), f"{caption} | {'hit' if hit else 'miss'}", fill="white")
    return img


def sheet(out: Path, packs: list[Path], split: str, n: int) -> None:
    screeners = [Screener(load_pack(p)) for p in packs]
    classes = list(screeners[0].manifest.class_ids)
    rows = pick([r for r in read_boxes(BOXES, split) if r.label in classes], classes, n)
    canvas = Image.new("RGB", (TILE * (len(packs) + 1), TILE * len(rows)))
    for r, item in enumerate(rows):
        for c, (path, s) in enumerate(zip(packs, screeners, strict=True)):
            image = s.load(item.path)
            result = s.screen_image(image)
            _, heat = s.heatmap(image, result, item.label)
            answer = result.prediction.top_class if result.prediction else result.status
            label = f"{item.label} | {path.parent.name}/{path.name} | says {answer}"
            canvas.paste(tile(image.pixels, heat, item.box, label), (c * TILE, r * TILE))
        centre = centre_heatmap(image.height, image.width)
        canvas.paste(tile(image.pixels, centre, item.box, f"{item.label} | centre baseline"),
                     (len(packs) * TILE, r * TILE))
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("packs", type=Path, nargs="+")
    ap.add_argument("--split", default="shift")
    ap.add_argument("--n", type=int, default=8)
    args = ap.parse_args(argv)
    sheet(args.out, args.packs, args.split, args.n)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

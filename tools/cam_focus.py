"""How much of each Grad-CAM heatmap falls on the subject rather than the background.

    python tools/cam_focus.py PACK_DIR [PACK_DIR ...] [--data ../shared/datasets/brain_mri]

For every 4th validation image of the pack's refer classes: the share of the (image-sized)
heatmap's mass inside the foreground (grey level > 20, closed with a 15x15 kernel). A crude
but repeatable check that heatmaps point at the head, used to compare input resolutions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference.images import is_image_path  # noqa: E402
from inference.packs import load_pack  # noqa: E402
from inference.screener import Screener  # noqa: E402


def foreground(rgb: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    mask = cv2.morphologyEx(
        (grey > 20).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8)
    )
    return mask > 0


def focus(pack_dir: Path, data: Path) -> list[float]:
    screener = Screener(load_pack(pack_dir))
    refer = [c.id for c in screener.manifest.classes if c.refer]
    paths = sorted(p for c in refer for p in (data / "val" / c).iterdir() if is_image_path(p))
    shares = []
    for path in paths[::4]:
        image = screener.load(path)
        result = screener.screen_image(image)
        if result.prediction is None:
            continue
        cam, full = screener.heatmap(image, result)
        if cam.has_evidence:
            shares.append(float(full[foreground(image.pixels)].sum() / max(full.sum(), 1e-9)))
    return shares


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packs", nargs="+", type=Path)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets/brain_mri"))
    args = ap.parse_args()
    for pack in args.packs:
        s = focus(pack, args.data)
        print(
            f"{pack}: {len(s)} images, heatmap mass on the subject: "
            f"median {np.median(s):.3f}, mean {np.mean(s):.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

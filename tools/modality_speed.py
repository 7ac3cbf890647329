"""What the modality check adds to one screening, in ms (median over images, one thread).

    .venv/bin/python tools/modality_speed.py [--pack brain-mri-tumor] [--n 60]

Screens the same decoded val images with and without the check, interleaved so that load on a
shared machine hits both alike, and prints the medians and the check on its own.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default="brain-mri-tumor")
    ap.add_argument("--n", type=int, default=60)
    args = ap.parse_args(argv)
    from inference.engine import Engine
    from inference.modality import ModalityCheck, check_dir
    from inference.packs import load_pack
    from inference.resources import resource_path
    from inference.screener import Screener

    pack = load_pack(resource_path("models", args.pack))
    engine = Engine(pack, threads=1)
    check = ModalityCheck(check_dir(), threads=1)
    with_check, without = (
        Screener(pack, engine, modality=check),
        Screener(pack, engine, modality=None),
    )
    dataset = DATASETS / pack.manifest.training["dataset"] / "val"
    paths = sorted(dataset.glob("*/*.jpg"))[
        :: max(1, len(list(dataset.glob("*/*.jpg"))) // args.n)
    ][: args.n]
    images = [with_check.load(p) for p in paths]
    for img in images[:3]:  # warm-up: sessions created, caches filled
        with_check.screen_image(img)
        without.screen_image(img)
    on, off, alone = [], [], []
    for img in images:
        for screener, out in ((with_check, on), (without, off)):
            t0 = time.perf_counter()
            screener.screen_image(img)
            out.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        check.classify([img.pixels])
        alone.append((time.perf_counter() - t0) * 1000)
    med = statistics.median
    print(f"{args.pack}, {len(images)} val images, 1 thread:")
    print(f"  screening without the check {med(off):.1f} ms, with it {med(on):.1f} ms")
    print(f"  added {med(on) - med(off):.1f} ms per image; the check alone {med(alone):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

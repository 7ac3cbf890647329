"""What the modality check adds to one screening, in ms (median over images, one thread).

    .venv/bin/python tools/modality_speed.py [--pack brain-mri-tumor] [--n 60]
        [--variants fp32,int8] [--json out.json]

Screens the same decoded val images with and without the check, interleaved so that load on a
shared machine hits both alike, and prints the medians and the check on its own. With
``--variants`` each of the check's variants also runs alone on every image, interleaved the
same way (what training/modality_int8.py's rule compares); ``--json`` writes those medians.
"""

from __future__ import annotations

import argparse
import json
import os
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
    ap.add_argument("--variants", default="", help="comma-separated check variants to time")
    ap.add_argument("--json", type=Path, help="write the variants' medians here")
    ap.add_argument("--report", type=Path, help="put the added and alone medians into this fit "
                    "report (runs/modality/report.json) as 'speed', for the card")
    args = ap.parse_args(argv)
    from inference.engine import Engine
    from inference.modality import ModalityCheck, check_dir
    from inference.packs import load_pack
    from inference.resources import resource_path
    from inference.screener import Screener

    pack = load_pack(resource_path("models", args.pack))
    engine = Engine(pack, threads=1)
    check = ModalityCheck(check_dir(), threads=1)
    variants = {
        v: ModalityCheck(check_dir(), threads=1, variant=v) for v in args.variants.split(",") if v
    }
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
        for v in variants.values():
            v.classify([img.pixels])
    on, off, alone = [], [], []
    by_variant: dict[str, list[float]] = {v: [] for v in variants}
    for img in images:
        for screener, out in ((with_check, on), (without, off)):
            t0 = time.perf_counter()
            screener.screen_image(img)
            out.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        check.classify([img.pixels])
        alone.append((time.perf_counter() - t0) * 1000)
        for name, v in variants.items():
            t0 = time.perf_counter()
            v.classify([img.pixels])
            by_variant[name].append((time.perf_counter() - t0) * 1000)
    med = statistics.median
    load = os.getloadavg()[0]
    print(f"{args.pack}, {len(images)} val images, 1 thread:")
    print(f"  screening without the check {med(off):.1f} ms, with it {med(on):.1f} ms")
    print(f"  added {med(on) - med(off):.1f} ms per image; the check alone {med(alone):.1f} ms")
    print(f"  (the check's {check.info.variant} variant; 1-minute load average {load:.1f})")
    for name, times in by_variant.items():
        print(f"  check {name} alone: {med(times):.2f} ms")
    if args.json:
        out = {f"{name}_ms": med(times) for name, times in by_variant.items()}
        out.update(
            n=len(images),
            conditions=f"{args.pack} val images, interleaved, load average {load:.1f} on "
            f"{os.cpu_count()} cores",
        )
        args.json.write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    if args.report:
        report = json.loads(args.report.read_text("utf-8"))
        report["speed"] = {
            "added_ms": med(on) - med(off),
            "alone_ms": med(alone),
            "conditions": f"tools/modality_speed.py: {args.pack}, {len(images)} val images, one "
            f"thread, load average {load:.1f} on {os.cpu_count()} cores",
        }
        args.report.write_text(json.dumps(report, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

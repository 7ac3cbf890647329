"""Evaluate the bundled packs on val and the second site; write models/evaluation.json.

    python tools/evaluate_packs.py [PACK_ID ...] [--data ../shared/datasets]
        [--cam-methods gradcam hirescam gradcam++ layercam eigencam] [--out models/evaluation.json]

Each pack is screened through the app's own path (``training.pack_eval``) on its dataset's
``val/`` and, where it exists, ``shift/`` (a second site: measured, never fitted on), with
lesion boxes where the dataset has them. ``tools/models_table.py`` renders the JSON into
``models/README.md``; rerun both after a pack changes. Packs not named keep their entries.

``--record`` also writes each named pack's figures into its manifest (``metrics.evaluation``)
and card, re-seals and signs it with the release key (``tools/sign_pack.py``); with
``--record-only`` the figures already in the JSON are recorded without screening again,
refused when they were measured on another model file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training.eval_record import record  # noqa: E402
from training.eval_tables import render_answers, render_localisation  # noqa: E402
from training.pack_eval import evaluate_pack  # noqa: E402

SPLITS = ("val", "shift")
BOXES = "tumour_boxes.csv"


def pack_dirs(ids: list[str]) -> list[Path]:
    found = sorted(d for d in (ROOT / "models").iterdir() if (d / "manifest.json").exists())
    if ids:
        unknown = set(ids) - {d.name for d in found}
        if unknown:
            raise SystemExit(f"no bundled pack named {', '.join(sorted(unknown))}")
        found = [d for d in found if d.name in ids]
    return found


def evaluate_bundled(pack_dir: Path, data_root: Path, methods: list[str]) -> dict:
    manifest = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    data = data_root / manifest["training"]["dataset"]
    splits = [s for s in SPLITS if (data / s).is_dir()]
    boxes = data / BOXES if (data / BOXES).exists() else None
    t0 = time.perf_counter()
    report = evaluate_pack(pack_dir, data, splits, boxes=boxes, methods=methods)
    report["dataset"] = manifest["training"]["dataset"]
    report["seconds"] = round(time.perf_counter() - t0, 1)
    return report


def record_and_sign(pack_dir: Path, report: dict | None, key: Path | None) -> None:
    from inference.packs import load_pack
    from tools.sign_pack import release_key, sign

    if report is None:
        raise SystemExit(f"{pack_dir.name}: no figures in the JSON; evaluate it first")
    pack = load_pack(pack_dir)
    if pack.model_sha256(report.get("variant")) != report.get("model_sha256"):
        raise SystemExit(f"{pack_dir.name}: the figures are for another model file; evaluate again")
    record(pack_dir, report)
    print(f"{pack_dir.name}: recorded, signed by {sign(pack_dir, key or release_key())}",
          file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packs", nargs="*", help="pack ids (default: every bundled pack)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets")
    ap.add_argument("--cam-methods", nargs="+",
                    default=["gradcam", "hirescam", "gradcam++", "layercam", "eigencam"])
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "evaluation.json")
    ap.add_argument("--record", action="store_true", help="also write manifests and cards, sign")
    ap.add_argument("--record-only", action="store_true", help="record the JSON's figures only")
    ap.add_argument("--key", type=Path, help="signing key (default: the release key)")
    args = ap.parse_args()
    existing = json.loads(args.out.read_text("utf-8")) if args.out.exists() else []
    reports = {r["pack"]: r for r in existing}
    for pack_dir in pack_dirs(args.packs):
        if not args.record_only:
            report = evaluate_bundled(pack_dir, args.data, args.cam_methods)
            reports[report["pack"]] = report
            print(f"{report['pack']}: {report['seconds']} s", file=sys.stderr)
        if args.record or args.record_only:
            record_and_sign(pack_dir, reports.get(pack_dir.name), args.key)
    ordered = [reports[k] for k in sorted(reports)]
    args.out.write_text(json.dumps(ordered, indent=1) + "\n", "utf-8")
    print(render_answers(ordered, SPLITS))
    print()
    print(render_localisation(ordered, SPLITS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Write ``training.pack_eval`` figures into a pack's manifest and card, then re-seal.

The manifest gets ``metrics.evaluation`` (per split: accuracy counting refusals as misses,
answered share, accuracy of answers, per-class recall and refusals, localisation for the
viewer's heatmap and the centre baseline, each with its 95 % interval); the card gets a
section between markers, replaced on every run. Sealing rewrites ``SHA256SUMS`` and
drops the now stale ``SIGNATURE``: sign afterwards (``tools/sign_pack.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

from inference import manifest as manifest_mod
from inference.seal import write_seal

from .eval_tables import render_answers, render_classes, render_localisation

START, END = "<!-- evaluation:start -->", "<!-- evaluation:end -->"
VIEWER_METHOD = "gradcam"


def manifest_entry(report: dict, viewer_method: str = VIEWER_METHOD) -> dict:
    """The compact figures a manifest carries (the full report stays in models/evaluation.json)."""
    splits = {}
    for name, e in report["splits"].items():
        entry = {k: e[k] for k in ("n", "accuracy", "answered", "accuracy_of_answers")}
        entry["per_class"] = {
            c: {k: v[k] for k in ("recall", "refused", "referred") if k in v}
            for c, v in e["per_class"].items()
        }
        loc = e.get("localisation")
        if loc:
            entry["localisation"] = {m: loc[m] for m in (viewer_method, "centre") if m in loc}
        splits[name] = entry
    return {
        "tool": "tools/evaluate_packs.py",
        "variant": report.get("variant"),
        "interval": "95 % Wilson (shares), percentile bootstrap (energy lift)",
        "refusals_count_as_misses": True,
        "splits": splits,
    }


def card_section(report: dict, viewer_method: str = VIEWER_METHOD) -> str:
    splits = list(report["splits"])
    shown = {**report, "splits": {
        s: {**e, "localisation": {k: v for k, v in e.get("localisation", {}).items()
                                  if k in (viewer_method, "centre")}}
        for s, e in report["splits"].items()
    }}
    parts = [
        START,
        "## Validation and second site, through the app's screening path",
        "",
        "Every image screened by the app's own path with its guards (`tools/evaluate_packs.py`); "
        "a refused image counts as a miss in the first accuracy. `shift` = half of the source's "
        "official test images (other patients), measured only, never fitted on. 95 % intervals "
        "in brackets.",
        "",
        render_answers([report], splits),
        "",
        render_classes([report], splits),
    ]
    if any(e.get("localisation") for e in report["splits"].values()):
        parts += [
            "",
            "Heatmaps against the tumour boxes: pointing game (peak inside the box grown by 3 % "
            "of the image side) and energy lift (share of heatmap mass in the box / the box's "
            "share of the image), next to a centred Gaussian that ignores the image.",
            "",
            render_localisation([shown], splits),
        ]
    parts.append(END)
    return "\n".join(parts) + "\n"


def record(pack_dir: Path, report: dict) -> None:
    """Put the figures into manifest and card and re-seal (the signature must be redone)."""
    pack_dir = Path(pack_dir)
    manifest_path = pack_dir / "manifest.json"
    raw = json.loads(manifest_path.read_text("utf-8"))
    if raw["id"] != report["pack"]:
        raise ValueError(f"report is for {report['pack']}, not {raw['id']}")
    raw["metrics"]["evaluation"] = manifest_entry(report)
    manifest_mod.validate(raw, where=str(manifest_path))
    manifest_path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", "utf-8")
    card = pack_dir / "MODEL_CARD.md"
    if card.exists():
        from .card import put_block

        put_block(card, START, END, card_section(report))
    write_seal(pack_dir)

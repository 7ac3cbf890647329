"""MODEL_CARD.md of the modality check, written from the measured report (never by hand)."""

from __future__ import annotations

from pathlib import Path

from inference.modality import CHECKED, LABELS, NONE

SETS = {
    "val": "val (thresholds chosen here)",
    "val_aug": "val, augmented copies (crop, 72-256 px, JPEG 40-95, light, grey/tint, noise)",
    "val_noise": "val with grey noise, sigma 8 (up to 300 per modality; measured only)",
    "shift": "shift/ (second site; measured only)",
}


# What earlier versions measured, kept because the card is rewritten at every export.
HISTORY = (
    "Trained without noisy copies (before 2026-12-01), the check recognised 291 of the same 300 "
    "noisy X-rays, 61 of 64 palms and 297 of 300 faces: a phone photo of a film or a noisier "
    "scanner was refused as not this kind of image."
)


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def write_card(directory: Path, manifest: dict, report: dict) -> Path:
    lines = [
        "# Modality check",
        "",
        f"Version {manifest['pack_version']}. Answers, for every image before any pack reads it: "
        "brain MRI, chest X-ray, palm photo, face photo, or none of these. A pack refuses an image "
        "of another modality as `not_modality`, naming what it looks like, and an image of none "
        "as `not_modality` too. It is not a diagnosis and says nothing about findings; it only "
        "keeps each pack to the images it was made for.",
        "",
        "## Design",
        f"- {manifest['training']['backbone']}; input {manifest['input']['size'][0]} px RGB, stretched.",
        f"- Head: {manifest['training']['head']} on the pooled features (576).",
        "- Distance: per modality, the packs' Mahalanobis scorer (PCA 64 + residual energy) fitted "
        "on that modality's training images and augmented copies; an image classified as a "
        "modality but farther than its threshold becomes `none`.",
        f"- Thresholds: {manifest['distance']['threshold_rule']}. `shift/` and the probes were not "
        "used to choose anything.",
        f"- Data: {manifest['training']['data']}.",
        "",
        "## Measured (genuine images answered as their own modality)",
        "",
        "| set | " + " | ".join(m for m in LABELS if m != NONE) + " |",
        "|---|" + "---:|" * len(CHECKED),
    ]
    order = [m for m in LABELS if m != NONE]
    for key, title in SETS.items():
        if key not in report:  # a report of before the row existed
            continue
        cells = []
        for m in order:
            row = report[key].get(m)
            if row is None:
                cells.append("-")
                continue
            other = ", ".join(f"{v} {k}" for k, v in row.items() if k.startswith("as "))
            cells.append(
                f"{_pct(row['accepted'])} of {row['n']}" + (f" ({other})" if other else "")
            )
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    confused = sum(
        v
        for key in SETS
        for m, row in report.get(key, {}).items()
        if m in CHECKED
        for k, v in row.items()
        if k.startswith("as ") and k[3:] in CHECKED
    )
    lines += [
        "",
        f"Genuine images answered as another modality (the naming message would be wrong): "
        f"{confused} over these sets. shift/ exists for brain MRI and chest X-ray only.",
    ]
    lines += ["", HISTORY]
    neg = report["val_negatives"]
    n_neg = sum(v["n"] for v in neg.values())
    refused = sum(v["n"] * v["refused"] for v in neg.values())
    lines += [
        "",
        f"Drawn negatives (val seed, not trained on): {_pct(refused / n_neg)} of {n_neg} refused "
        "as none: " + ", ".join(f"{k} {_pct(v['refused'])}" for k, v in neg.items()) + ".",
        "",
        f"Probes (never fitted, not used to choose anything): {report['probes']['as_expected']} "
        f"of {report['probes']['n']} answered as expected: rendered documents, blank/grey/ramp/noise "
        "frames and the app's screenshots as none (two screenshots that mostly show a masked face "
        "as a face photo); natural photos (cat, hot dog, parrot from shared/weights; flower, "
        "china from scikit-learn) in colour, grey, washed-out grey and centre crops as none; a "
        "portrait (matplotlib's grace_hopper) as a face photo.",
    ]
    missed = [
        f"{k} -> {v['got']}"
        for k, v in report["probes"]["rows"].items()
        if v["got"] != v["expected"]
    ]
    if missed:
        lines += [
            "",
            "Not as expected: " + "; ".join(missed) + ". Ordinary photos that are not refused "
            "are taken for a face photo: brain MRI, chest X-ray and palm packs still refuse them "
            "(as another modality, though the name is then wrong), and the face-mask pack's own "
            "guard must catch them (it refuses the cat photo, tests/test_bundled_packs.py).",
        ]
    speed = report.get("speed")
    if speed:
        lines += [
            "",
            f"Speed: {speed['added_ms']:.1f} ms added per screening (median; the check alone "
            f"{speed['alone_ms']:.1f} ms), {speed['conditions']}.",
        ]
    lines += [
        "",
        "## Limitations",
        "- The negatives are drawn (documents, screenshots, charts, noise, frames, gradients, "
        "shapes, 1/f textures, crude scenes), not real photos of everything a clinic may scan; "
        "an ordinary photo unlike those and near a face or palm may still pass as that modality.",
        "- Genuine images come from one collection per modality (see each pack's card); a very "
        "different scanner, view or body part may be answered `none`, which the app reports as "
        "not this modality rather than guessing.",
        "- Face photo means the face-mask collection (web photos and CelebA crops); palm photo "
        "means close-up palm crops.",
        "",
    ]
    path = directory / "MODEL_CARD.md"
    path.write_text("\n".join(lines), "utf-8")
    return path

"""Which out-of-distribution score should a pack's own guard use, now that the shared modality
check refuses other modalities first (issue 17, second bullet)? Measurement only: nothing
here changes a pack.

    python tools/guard_compare.py [PACK_ID ...] [--variant V] [--early-layer L] [--json OUT]
                                  [--section models/guard_comparison.md]

For each pack (its default model variant, or --variant) it scores, through the app's loader
and engine (``training.measure.screen_files``):
  val     : the pack's validation images (thresholds are fitted here and nowhere else)
  shift   : ``shift/`` images of the pack's classes (measured, never fitted on)
  wrong   : same dataset, classes the pack does not read (same modality, wrong pack)
  probes  : ``training.modality_probes`` (documents, blank/noise frames, screenshots, photos)
  sanity  : other datasets' validation images (another modality: the check refuses them)
  artefacts : val images gone wrong (heavy noise, inverted, 16-px blocks, a corner crop)
under these scores (larger = less like the training images):
  current  : the shipped guard (min class Mahalanobis + residual, with the early guard if any)
  relative : the predicted class's distance minus a one-class (background) fit's distance on
             training images (relative Mahalanobis, Ren et al. 2021)
  energy   : -logsumexp(logits);  max-logit : -max(logits)
  early    : the early-layer guard alone, where the pack has one
Each at the 97th, 99th and 99.5th percentile of its val scores (and the shipped threshold).
``answered`` for probes and sanity counts images that pass the modality check and the guard.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference.engine import Engine  # noqa: E402
from inference.images import load_image  # noqa: E402
from inference.modality import ModalityCheck, check_dir  # noqa: E402
from inference.ood import MahalanobisScorer, combined_scores, load_guards  # noqa: E402
from inference.packs import ModelPack, load_pack  # noqa: E402
from training.measure import Screened, screen_files  # noqa: E402
from training.onnx_export import fit_ood  # noqa: E402
from training.pack_eval import split_files  # noqa: E402

PACKS = ("brain-mri-tumor", "brain-mri-glioma-meningioma", "chest-xray-pneumonia")
DATASETS = ROOT.parent / "shared" / "datasets"
OTHER = {
    "brain_mri": ("chest_xray", "face_mask", "palm_anemia"),
    "chest_xray": ("brain_mri", "face_mask", "palm_anemia"),
}
QUANTILES = (0.97, 0.99, 0.995)
TRAIN_SAMPLE = 800  # training images the background fit uses (evenly spaced)
SANITY_PER_DATASET = 120
ARTEFACT_IMAGES = 60  # val images per artefact kind
ARTEFACT_KINDS = ("noise", "inverted", "blocks", "corner")


@dataclass(frozen=True)
class Guards:
    """The shipped guards of one model variant and the background fit for ``relative``."""

    main: MahalanobisScorer
    early: MahalanobisScorer | None  # the shipped early guard, part of ``current``
    background: MahalanobisScorer
    tried_early: MahalanobisScorer | None = None  # fitted here on another layer (--early-layer)


@dataclass(frozen=True)
class Scored:
    """Scores of one image set, the class each image belongs to (-1: none of the pack's) and,
    for foreign sets, whether the modality check let it through."""

    scores: dict[str, np.ndarray]
    labels: np.ndarray
    modality_pass: np.ndarray | None = None
    correct: np.ndarray | None = None  # the model's top class is the image's class


def fit_background(main: MahalanobisScorer, train: Screened) -> MahalanobisScorer:
    """One Gaussian over all training features, in as many dimensions as the shipped guard."""
    arrays = fit_ood(train.pooled, np.zeros(len(train.pooled), int), 1, main.projection.shape[1])
    return MahalanobisScorer.from_arrays(arrays, 0.0)


def scores(guards: Guards, run: Screened) -> dict[str, np.ndarray]:
    """Every candidate score of ``run``'s images; larger means less like the training images."""
    main = guards.main
    per_class = np.stack(
        [replace(main, class_means=main.class_means[k : k + 1]).score(run.pooled)
         for k in range(len(main.class_means))],
        axis=1,
    )
    predicted = run.logits.argmax(axis=1)
    logits = run.logits.astype(np.float64)
    top = logits.max(axis=1)
    out = {
        "current": combined_scores(main, guards.early, run.pooled, run.early),
        "relative": per_class[np.arange(len(predicted)), predicted] - guards.background.score(run.pooled),
        "energy": -(top + np.log(np.exp(logits - top[:, None]).sum(axis=1))),
        "max-logit": -top,
    }
    early = guards.early or guards.tried_early
    if early is not None and run.early is not None:
        out["early"] = early.score(run.early)
    if guards.tried_early is not None and run.early is not None:
        out["current+early"] = combined_scores(main, guards.tried_early, run.pooled, run.early)
    return out


def thresholds(name: str, val: np.ndarray, shipped: float | None) -> list[tuple[str, float]]:
    """(label, threshold) pairs fitted on val scores only; ``shipped`` for the current score."""
    out = [(f"val q{q * 100:g}", float(np.quantile(val, q))) for q in QUANTILES]
    if name == "current" and shipped is not None:
        out.append(("shipped", shipped))
    return out


def _share(ok: np.ndarray) -> str:
    return f"{ok.mean():.1%}" if ok.size else "-"


def table(pack_id: str, classes: tuple[str, ...], sets: dict[str, Scored], shipped: float) -> list[dict]:
    """One row per score and threshold: pass shares of genuine sets, refusals of foreign ones."""
    rows = []
    for name in sets["val"].scores:
        for label, thr in thresholds(name, sets["val"].scores[name], shipped):
            row: dict = {"pack": pack_id, "score": name, "threshold": label, "value": thr}
            for split in ("val", "shift"):
                s = sets.get(split)
                if s is None:
                    continue
                ok = s.scores[name] <= thr
                row[f"{split} pass"] = _share(ok)
                if s.modality_pass is not None:
                    row[f"{split} answered"] = _share(ok & s.modality_pass)
                if split == "shift" and s.correct is not None:
                    row["shift acc answered"] = _share(s.correct[ok])
                    row["shift wrong refused"] = _share(~ok[~s.correct])
                if split == "shift":
                    for k, c in enumerate(classes):
                        row[f"shift {c}"] = _share(ok[s.labels == k])
            for split in ("wrong", "artefacts", "probes", "sanity"):
                s = sets.get(split)
                if s is None or not len(s.labels):
                    continue
                ok = s.scores[name] <= thr
                row[f"{split} refused"] = f"{int((~ok).sum())}/{ok.size}"
                if s.modality_pass is not None:
                    answered = ok & s.modality_pass
                    row[f"{split} answered"] = f"{int(answered.sum())}/{ok.size}"
                    if split == "artefacts":
                        row["artefacts answered by kind"] = "/".join(
                            str(int(answered[s.labels == k].sum())) for k in range(len(ARTEFACT_KINDS)))
            rows.append(row)
    return rows


def markdown(rows: list[dict]) -> str:
    cols = [c for c in rows[0] if c not in ("pack", "value")]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "-")) for c in cols) + " |")
    return "\n".join(lines)


# The rows models/README.md shows (the full table: --json).
SECTION_ROWS = (("current", "shipped"), ("current", "val q99"), ("current", "val q99.5"),
                ("current+early", "val q99"), ("early", "val q99"), ("relative", "val q99"),
                ("energy", "val q99"), ("max-logit", "val q99"))
SECTION_HEAD = """## Which score for a pack's own guard? (issue 17, measured with `tools/guard_compare.py`)

`python tools/guard_compare.py --early-layer features.13 --section models/guard_comparison.md`
(default model variant; nothing shipped was changed). Thresholds are quantiles of each score on
the pack's own val images only. *Shift answered*: share of `shift/` images of the pack's classes
that pass the modality check and the guard. *Acc. answered*: raw top-class accuracy of those
(chest refers by threshold, so this understates it). *Wrong class*: val images of the dataset's
classes the pack does not read. *Artefacts*: 60 val images each with heavy noise / inverted /
16-px blocks / a corner crop (answered per kind). *Probes* and *other modalities* (120 val images
each of the other datasets): answered after the modality check, and in brackets refused by the
guard alone. `early` is a guard fitted here on `features.13` (none of these packs ships one).

"""


def section(rows: list[dict]) -> str:
    """The short comparison models/README.md shows: the shipped guard and the candidates at q99."""
    wanted = {key: i for i, key in enumerate(SECTION_ROWS)}
    picked = sorted((r for r in rows if (r["score"], r["threshold"]) in wanted),
                    key=lambda r: (r["pack"], wanted[(r["score"], r["threshold"])]))
    lines = ["| pack | score @ threshold | val pass | shift answered | per class | acc. answered "
             "| wrong class answered | artefacts answered (n/i/b/c) | probes answered (guard refused) "
             "| other modalities answered (guard refused) |", "|" + "---|" * 10]
    for r in picked:
        per_class = ", ".join(f"{k.removeprefix('shift ')} {v}" for k, v in r.items()
                              if k.startswith("shift ") and k not in
                              ("shift pass", "shift answered", "shift acc answered", "shift wrong refused"))
        lines.append(
            f"| `{r['pack']}` | {r['score']} @ {r['threshold']} | {r['val pass']} | {r.get('shift answered', '-')} "
            f"| {per_class or '-'} | {r.get('shift acc answered', '-')} | {r.get('wrong answered', '-')} "
            f"| {r.get('artefacts answered', '-')} ({r.get('artefacts answered by kind', '-')}) "
            f"| {r.get('probes answered', '-')} ({r.get('probes refused', '-')}) "
            f"| {r.get('sanity answered', '-')} ({r.get('sanity refused', '-')}) |")
    return SECTION_HEAD + "\n".join(lines) + "\n"


def _images(engine: Engine, pack: ModelPack, images: list[np.ndarray]) -> Screened:
    return screen_files(engine, pack.manifest.input, list(range(len(images))), loader=lambda i: images[i])


def artefacts(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """The same image gone wrong in ways the modality check should not catch (same modality)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    h, w = rgb.shape[:2]
    small = Image.fromarray(rgb).resize((max(1, w * 16 // max(h, w)), max(1, h * 16 // max(h, w))))
    return {  # in ARTEFACT_KINDS order
        "noise": np.clip(rgb + rng.normal(0, 60, rgb.shape), 0, 255).astype(np.uint8),
        "inverted": 255 - rgb,
        "blocks": np.asarray(small.resize((w, h), Image.NEAREST)),
        "corner": np.ascontiguousarray(rgb[: h // 3, : w // 3]),
    }


def _spaced(items: list, n: int) -> list:
    return items[:: max(1, len(items) // n)][:n]


def _modality_pass(check: ModalityCheck | None, modality: str, paths: list[Path], batch: int = 32):
    """Which images the shared modality check lets through to a pack reading ``modality``."""
    if check is None:
        return None
    out: list[bool] = []
    for s in range(0, len(paths), batch):
        verdicts = check.classify([load_image(p).pixels for p in paths[s : s + batch]])
        out += [v.accepts(modality) for v in verdicts]
    return np.array(out, bool)


def with_early_output(pack: ModelPack, layer: str, tmp: Path) -> ModelPack:
    """An unsigned copy of ``pack`` in ``tmp`` whose model files also output ``layer``'s pooled
    features (``training.guard.add_early_output``); the shipped pack is not touched."""
    import shutil

    from training.guard import EARLY_OUTPUT, add_early_output
    from training.onnx_export import sha256, write_manifest

    copy = Path(shutil.copytree(pack.directory, tmp / pack.id))
    manifest = json.loads((copy / "manifest.json").read_text("utf-8"))
    onnx_spec = manifest["onnx"]
    for entry in [onnx_spec, *onnx_spec.get("variants", {}).values()]:
        add_early_output(copy / entry["file"], layer)
        entry["sha256"] = sha256(copy / entry["file"])
    onnx_spec["outputs"]["early_pooled"] = EARLY_OUTPUT
    write_manifest(copy, manifest)
    return load_pack(copy, check_signature=False)


def measure(pack: ModelPack, data: Path, check: ModalityCheck | None, early_layer: str | None = None,
            tmp: Path | None = None, variant: str | None = None) -> dict[str, Scored]:
    """Score every image set of ``pack`` (see the module docstring); ``early_layer``: also try
    an early guard on that layer (fitted on training and val images) where none ships."""
    from training.guard import fit_early_guard, guard_scorer
    from training.modality_probes import probe_images

    manifest = pack.manifest
    classes = manifest.class_ids
    main, early = load_guards(pack, variant)
    if main is None:
        raise SystemExit(f"{pack.id}: no guard to compare")
    if early_layer and early is None and tmp is not None:
        pack = with_early_output(pack, early_layer, tmp)
    engine = Engine(pack, variant=variant)

    def files(split: str, names) -> tuple[list[Path], np.ndarray]:
        fs = split_files(data, split, names) if (data / split).is_dir() else []
        return [p for p, _ in fs], np.array([classes.index(c) if c in classes else -1 for _, c in fs], int)

    train_paths, train_labels = files("train", classes)
    train_paths, train_labels = _spaced(train_paths, TRAIN_SAMPLE), _spaced(list(train_labels), TRAIN_SAMPLE)
    train = screen_files(engine, manifest.input, train_paths)
    val_paths, val_labels = files("val", classes)
    val = screen_files(engine, manifest.input, val_paths)
    tried = None
    if early is None and train.early is not None:
        fit = fit_early_guard(train.early, np.asarray(train_labels), len(classes), val.early)
        tried = guard_scorer(fit)
    guards = Guards(main, early, fit_background(main, train), tried)

    def by_path(paths: list[Path], labels: np.ndarray, run: Screened | None = None) -> Scored:
        run = run or screen_files(engine, manifest.input, paths)
        correct = run.logits.argmax(axis=1) == labels
        return Scored(scores(guards, run), labels, _modality_pass(check, manifest.modality, paths), correct)

    sets = {"val": by_path(val_paths, val_labels, val)}
    shift = files("shift", classes)
    if len(shift[0]):
        sets["shift"] = by_path(*shift)
    others = tuple(c.name for c in sorted((data / "val").iterdir()) if c.is_dir() and c.name not in classes)
    if others:
        sets["wrong"] = by_path(*files("val", others))
    def by_image(images: list[np.ndarray], labels: np.ndarray | None = None) -> Scored:
        passed = None if check is None else np.array([v.accepts(manifest.modality) for v in check.classify(images)])
        labels = np.full(len(images), -1) if labels is None else labels
        return Scored(scores(guards, _images(engine, pack, images)), labels, passed)

    broken = [a for p in _spaced(val_paths, ARTEFACT_IMAGES) for a in artefacts(load_image(p).pixels).values()]
    sets["artefacts"] = by_image(broken, np.arange(len(broken)) % len(ARTEFACT_KINDS))
    sets["probes"] = by_image(probe_images()[1])
    sanity: list[Path] = []
    for other in OTHER.get(data.name, ()):
        sanity += _spaced([p for p, _ in split_files(DATASETS / other, "val", _classes(DATASETS / other))],
                          SANITY_PER_DATASET)
    if sanity:
        sets["sanity"] = by_path(sanity, np.full(len(sanity), -1))
    return sets


def _classes(dataset: Path) -> list[str]:
    return sorted(c.name for c in (dataset / "val").iterdir() if c.is_dir())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("packs", nargs="*", default=list(PACKS), help="pack ids under models/")
    p.add_argument("--json", type=Path, help="also write the rows here")
    p.add_argument("--early-layer", help="also try an early guard on this layer (e.g. features.13) "
                   "where the pack has none, on a temporary copy")
    p.add_argument("--variant", help="model variant to measure (default: each pack's default)")
    p.add_argument("--section", type=Path, help="write the short table for models/README.md here")
    args = p.parse_args(argv)
    check = ModalityCheck(check_dir()) if (check_dir() / "manifest.json").is_file() else None
    all_rows = []
    for pack_id in args.packs:
        pack = load_pack(ROOT / "models" / pack_id)
        data = DATASETS / pack.manifest.training["dataset"]
        with tempfile.TemporaryDirectory() as tmp:
            sets = measure(pack, data, check, args.early_layer, Path(tmp), args.variant)
        variant = pack.manifest.for_variant(args.variant)
        rows = table(pack_id, pack.manifest.class_ids, sets, variant.ood.threshold)
        print(f"\n### {pack_id} ({variant.variant})\n\n{markdown(rows)}", flush=True)
        all_rows += rows
    if args.json:
        args.json.write_text(json.dumps(all_rows, indent=1) + "\n", "utf-8")
    if args.section:
        args.section.write_text(section(all_rows), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

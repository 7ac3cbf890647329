"""Fit, measure and ship the modality check from the cached features (training/modality.py).

The head is a class-balanced logistic regression on standardised pooled features, folded into
one linear layer of the ONNX graph. Each modality's distance check is the pack guards' scorer
(``training.onnx_export.fit_ood``) fitted on that modality's training images and their augmented
copies; its threshold is the ``KEEP`` quantile of the same modality's ``val`` images and
augmented ``val`` copies, times ``MARGIN``. ``shift`` and the probes are only measured.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from inference.engine import softmax
from inference.modality import CHECKED, LABELS, NONE
from inference.ood import MahalanobisScorer
from inference.seal import write_seal

from .modality import CACHE, RUNS, SIZE, SPEC, WEIGHTS_FILE, export_onnx, load, log
from .modality_probes import probe_images

KEEP = 0.998  # quantile of genuine val scores kept under the threshold...
MARGIN = 1.25  # ...times this, for other sites' images (val is close to the training pool)
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
FIT = RUNS / "fit.npz"
REPORT = RUNS / "report.json"
BACKBONE = RUNS / "backbone.onnx"


def _label_names(idx: np.ndarray) -> np.ndarray:
    return np.array(LABELS)[idx]


class Fitted:
    """The head (standardiser folded in) and the per-modality scorers."""

    def __init__(
        self,
        w: np.ndarray,
        b: np.ndarray,
        stats: dict[str, dict[str, np.ndarray]],
        thresholds: dict[str, float],
    ) -> None:
        self.w, self.b, self.stats, self.thresholds = w, b, stats, thresholds
        self.scorers = {m: MahalanobisScorer.from_arrays(stats[m], thresholds[m]) for m in CHECKED}

    def raw_scores(self, pooled: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        probs = softmax(pooled @ self.w.T + self.b)
        return probs, {m: s.score(pooled) for m, s in self.scorers.items()}

    def decide(self, pooled: np.ndarray) -> np.ndarray:
        probs, scores = self.raw_scores(pooled)
        top = _label_names(probs.argmax(axis=1))
        out = top.copy()
        for m in CHECKED:
            far = (top == m) & (scores[m] > self.thresholds[m])
            out[far] = NONE
        return out


def _head(
    train: dict[str, np.ndarray], val: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    x, y = train["pooled"].astype(np.float64), train["labels"]
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs, vs = (x - mu) / sd, (val["pooled"] - mu) / sd
    best = None
    for c in C_GRID:
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
        clf.fit(xs, y)
        pred = clf.predict(vs)
        # balanced accuracy over the five labels on val: palms are few
        acc = float(np.mean([np.mean(pred[val["labels"] == k] == k) for k in range(len(LABELS))]))
        log(f"head C={c}: val balanced accuracy {acc:.4f}")
        if best is None or acc > best[0]:
            best = (acc, c, clf)
    assert best is not None
    _, c, clf = best
    w = clf.coef_ / sd[None, :]
    b = clf.intercept_ - w @ mu
    return w, b, c


def fit(
    cache: Path = CACHE,
    fit_path: Path = FIT,
    report_path: Path = REPORT,
    model: Path = BACKBONE,
) -> None:
    """Head and distances on the features in ``cache`` (fp32's, or a variant's with the
    ``model`` that made them); written to ``fit_path`` and ``report_path``."""
    from .onnx_export import fit_ood

    t0 = time.perf_counter()
    train, val, val_aug = load("train", cache), load("val", cache), load("val_aug", cache)
    w, b, c = _head(train, val)
    stats, thresholds, chosen_on = {}, {}, {}
    names_tr = _label_names(train["labels"])
    for m in CHECKED:
        x = train["pooled"][names_tr == m]
        stats[m] = fit_ood(x, np.zeros(len(x), int), 1, dims=64)
        scorer = MahalanobisScorer.from_arrays(stats[m], 1.0)
        gen = np.concatenate([v["pooled"][_label_names(v["labels"]) == m] for v in (val, val_aug)])
        s = scorer.score(gen)
        thresholds[m] = float(np.quantile(s, KEEP) * MARGIN)
        chosen_on[m] = int(len(gen))
    fitted = Fitted(w, b, stats, thresholds)
    np.savez(fit_path, w=w, b=b, **{f"{m}.{k}": v for m in CHECKED for k, v in stats[m].items()})
    report = {
        "C": c,
        "thresholds": thresholds,
        "threshold_images": chosen_on,
        "keep": KEEP,
        "margin": MARGIN,
        "fit_seconds": round(time.perf_counter() - t0, 1),
    }
    report.update(measure(fitted, cache, model))
    report_path.write_text(json.dumps(report, indent=2), "utf-8")
    log(json.dumps(report, indent=1))


def remeasure() -> None:
    """Measure the fitted check again (new probes, a speed figure) without refitting."""
    data = np.load(FIT)
    report = json.loads(REPORT.read_text("utf-8"))
    stats = {
        m: {k.split(".", 1)[1]: data[k] for k in data.files if k.startswith(m + ".")}
        for m in CHECKED
    }
    report.update(measure(Fitted(data["w"], data["b"], stats, report["thresholds"])))
    REPORT.write_text(json.dumps(report, indent=2), "utf-8")


def _rates(decided: np.ndarray, truth: np.ndarray) -> dict[str, dict[str, float]]:
    out = {}
    for m in sorted(set(truth)):
        sel = truth == m
        got = decided[sel]
        row = {"n": int(sel.sum()), "accepted": float(np.mean(got == m))}
        for other in LABELS:
            if other != m and np.any(got == other):
                row[f"as {other}"] = int(np.sum(got == other))
        out[m] = row
    return out


def load_fitted(fit_path: Path = FIT, report_path: Path = REPORT) -> Fitted:
    """The head and distances a :func:`fit` wrote."""
    data = np.load(fit_path)
    report = json.loads(report_path.read_text("utf-8"))
    stats = {
        m: {k.split(".", 1)[1]: data[k] for k in data.files if k.startswith(m + ".")}
        for m in CHECKED
    }
    return Fitted(data["w"], data["b"], stats, report["thresholds"])


def measure(fitted: Fitted, cache: Path = CACHE, model: Path | None = None) -> dict:
    """Per set and modality: share answered as its own modality, and what the rest became."""
    res: dict = {}
    for name in ("val", "val_aug", "shift"):
        data = load(name, cache)
        decided = fitted.decide(data["pooled"])
        truth = _label_names(data["labels"])
        res[name] = _rates(decided, truth)
        if name == "val":
            neg = truth == NONE
            kinds = data["kinds"][neg]
            res["val_negatives"] = {
                k: {
                    "n": int(np.sum(kinds == k)),
                    "refused": float(np.mean(decided[neg][kinds == k] == NONE)),
                }
                for k in sorted(set(kinds))
            }
    res["val_noise"] = measure_noise(fitted, model or BACKBONE)
    res["probes"] = measure_probes(fitted, model or BACKBONE)
    return res


NOISE_CHANGE, NOISE_N = "noise 8", 300


def measure_noise(fitted: Fitted, model: Path | None = None) -> dict:
    """Per modality, up to ``NOISE_N`` val images spread over its classes with the grey sensor
    noise of training/site_changes.py: the share still answered as itself (measured only)."""
    from PIL import Image

    from . import site_changes
    from .modality_data import DATASETS, SOURCES
    from .pack_eval import split_files

    change = site_changes.CHANGES[NOISE_CHANGE][1]
    decided, truth = [], []
    for m, dataset in SOURCES.items():
        root = DATASETS / dataset / "val"
        if not root.is_dir():
            continue
        classes = sorted(d.name for d in root.iterdir() if d.is_dir())
        files = site_changes.spaced(split_files(root.parent, "val", classes), NOISE_N)
        for i in range(0, len(files), 64):
            images = [
                np.asarray(change(Image.open(p)).convert("RGB")) for p, _ in files[i : i + 64]
            ]
            decided += list(fitted.decide(_pooled(images, model)))
            truth += [m] * len(images)
    return _rates(np.array(decided), np.array(truth))


def _pooled(images: list[np.ndarray], model: Path | None = None) -> np.ndarray:
    import onnxruntime as ort

    from inference.preprocess import preprocess

    sess = ort.InferenceSession(str(model or BACKBONE), providers=["CPUExecutionProvider"])
    batch = np.stack([preprocess(im, SPEC) for im in images])
    return sess.run(["pooled"], {"image": batch})[0]


def measure_probes(fitted: Fitted, model: Path | None = None) -> dict:
    """The tests' probes and other foreign images: each must come out as ``none`` (or, for the
    greyed copies of genuine photos, as the photo's own modality). ``model`` makes the pooled
    features (fp32's backbone unless a variant's graph is given)."""
    names, images, expect = probe_images()
    decided = fitted.decide(_pooled(images, model))
    rows = {
        n: {"expected": e, "got": str(d)} for n, e, d in zip(names, expect, decided, strict=True)
    }
    ok = sum(r["expected"] == r["got"] for r in rows.values())
    log(f"probes: {ok}/{len(rows)} as expected")
    return {"as_expected": ok, "n": len(rows), "rows": rows}


def export(directory: Path) -> None:
    """Write the check's folder: graph with the head folded in, distances, manifest, card, seal."""
    data = np.load(FIT)
    report = json.loads(REPORT.read_text("utf-8"))
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.iterdir():
        if old.is_file():
            old.unlink()
    export_onnx(directory / "model.onnx", data["w"], data["b"])
    dist = {k: data[k] for k in data.files if k.split(".")[0] in CHECKED}
    np.savez_compressed(directory / "distance.npz", **dist)
    from .onnx_export import sha256

    manifest = {
        "schema_version": 1,
        "kind": "modality-check",
        "id": "modality-check",
        "pack_version": "1.0.0",
        "labels": list(LABELS),
        "input": {
            "size": [SIZE, SIZE],
            "color": "rgb",
            "resize": "stretch",
            "normalization": {
                "kind": "mean_std",
                "mean": list(SPEC.normalization.mean),
                "std": list(SPEC.normalization.std),
            },
        },
        "onnx": {
            "file": "model.onnx",
            "sha256": sha256(directory / "model.onnx"),
            "input": "image",
            "outputs": {"logits": "logits", "pooled": "pooled"},
        },
        "distance": {
            "file": "distance.npz",
            "sha256": sha256(directory / "distance.npz"),
            "method": "mahalanobis",
            "thresholds": report["thresholds"],
            "threshold_rule": f"{KEEP} quantile of each modality's val images and "
            f"augmented val copies, times {MARGIN}",
        },
        "metrics": {
            k: report[k] for k in ("val", "val_aug", "val_noise", "shift", "val_negatives")
            if k in report
        },
        "training": {
            "backbone": f"torchvision mobilenet_v3_small, ImageNet ({WEIGHTS_FILE}), frozen",
            "head": f"logistic regression, class-balanced, C={report['C']}",
            "data": "train splits of brain_mri, chest_xray, palm_anemia, face_mask with "
            "augmented copies (35 % of them with sensor noise, sigma 2-12, since 2026-12-01), "
            "and 8,000 drawn negatives (training/modality_data.py)",
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    from .modality_card import write_card

    write_card(directory, manifest, report)
    write_seal(directory)
    log(f"exported to {directory}")

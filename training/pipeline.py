"""Folder of labelled images -> trained, calibrated, exported, documented model pack."""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from inference import __version__ as app_version
from inference.engine import Engine, softmax
from inference.manifest import InputSpec, Normalization
from inference.ood import MahalanobisScorer, combined_scores
from inference.packs import load_pack

from . import card, evaluate
from .archs import Classifier, Head, build_backbone, split_index
from .cache import build_cache
from .data import Augment, Split, read_split
from .ensemble import build_from_runs, ensemble_record, member_layers
from .gpu_import import GpuRun, load_gpu_run
from .guard import (
    EARLY_OUTPUT,
    FITTED_ON,
    SMALL_VAL_SIDE,
    VAL_PASS_QUANTILE,
    EarlyGuardFit,
    add_early_output,
    downscaled,
    early_manifest_entry,
    fit_early_guard,
    fit_with_downscaled,
    guard_scorer,
)
from .loop import Recipe, run_phase
from .loop import evaluate as eval_cached
from .measure import Screened, probe_files, screen_files, summarise_probes  # noqa: F401 - re-exported
from .onnx_export import export_onnx, fit_ood, sha256, write_manifest, write_seal
from .sign import sign
from .tasks import TASKS, Task, t

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class TrainConfig:
    data: Path
    out: Path
    arch: str = "mobilenet_v2"
    weights: str = "none"
    size: int = 224
    unfreeze: int = 5
    views: int = 3
    brightness: float = 0.2  # photometric jitter; 0 where colour is the signal (palm pallor)
    dropout: float = 0.2
    hidden: int = 0
    recipe: Recipe = field(default_factory=Recipe)
    task: str | None = None
    classes: tuple[str, ...] | None = None
    workdir: Path | None = None
    threads: int = 2
    test: Path | None = None
    ood_probes: tuple[Path, ...] = ()
    ood_dims: int = 64
    early_guard: str | None = None  # a frozen layer, e.g. "features.13": second OOD guard
    ood_downscaled: bool = False  # fit the main guard on downscaled copies too
    output_stride: int = 32  # 16: dilated last stage, twice the heatmap grid
    pack_version: str = "1.0.0"
    resume: bool = True
    comparison: str = ""
    signing_key: Path | None = None  # private key that signs the finished pack
    init_checkpoint: Path | None = None  # weights trained elsewhere (training.gpu_recipes)
    init_results: Path | None = None  # that run's results.json (recipes and their figures)
    ensemble_with: tuple[Path, ...] = ()  # more such runs: the pack averages their logits


def _task_for(cfg: TrainConfig, classes: tuple[str, ...]) -> Task:
    if cfg.task:
        return TASKS[cfg.task]
    from .tasks import ClassInfo

    pack_id = cfg.out.name
    return Task(
        pack_id=pack_id,
        dataset=str(cfg.data),
        modality="other",
        display_name=t(pack_id, pack_id),
        classes={c: ClassInfo(t(c, c), t(f"Class {c}", f"Kelas {c}"), i > 0) for i, c in enumerate(classes)},
        intended_use=t("Research use; not validated for clinics.", "Penggunaan riset; belum divalidasi."),
        limitations=(t("Trained by a user on their own data.", "Dilatih pengguna dengan datanya sendiri."),),
    )


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _add_elapsed(workdir: Path, seconds: float) -> float:
    """Training wall time summed over every (resumed) run, so a re-finish does not hide it."""
    path = workdir / "elapsed.json"
    total = seconds + (json.loads(path.read_text())["seconds"] if path.exists() else 0.0)
    path.write_text(json.dumps({"seconds": total}))
    return total


def train(cfg: TrainConfig, log=print) -> dict:
    """Run the whole pipeline; every stage resumes from ``workdir`` after an interruption."""
    if cfg.ensemble_with and not cfg.init_checkpoint:
        raise ValueError("--ensemble-with needs --init-checkpoint (the first member)")
    t_start = time.time()
    torch.set_num_threads(cfg.threads)
    _seed_everything(cfg.recipe.seed)
    train_split = read_split(cfg.data / "train", cfg.classes)
    val_split = read_split(cfg.data / "val", train_split.classes)
    classes = train_split.classes
    task = _task_for(cfg, classes)
    spec = InputSpec(
        cfg.size, cfg.size, task.color, task.resize, Normalization("mean_std", IMAGENET_MEAN, IMAGENET_STD)
    )
    workdir = cfg.workdir or Path("runs") / cfg.out.name
    if not cfg.resume and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"{task.pack_id}: {len(train_split.samples)} train / {len(val_split.samples)} val, classes {classes}")

    checkpoints = [cfg.init_checkpoint, *cfg.ensemble_with] if cfg.init_checkpoint else []
    runs = [load_gpu_run(p, cfg.init_results, classes, cfg.size) for p in checkpoints]
    gpu = (ensemble_record(runs, cfg.init_results, classes) if len(runs) > 1 else runs[0]) if runs else None
    if gpu is not None:  # trained elsewhere: no phases run here
        model, info = build_from_runs(runs, cfg.arch, cfg.output_stride, len(classes), cfg.dropout, cfg.hidden)
        head, history, train_seconds, top, train_views = model.head, [], gpu.seconds, None, None
    else:
        features, info = build_backbone(cfg.arch, cfg.weights, cfg.output_stride)
        head = Head(info.channels, len(classes), cfg.dropout, cfg.hidden)
        model, history, train_seconds, top, train_views = _train_here(
            cfg, features, head, spec, train_split, val_split, workdir, t_start, log
        )
    return _finish(cfg, task, classes, spec, train_split, val_split, info, model, top, head,
                   train_views, history, train_seconds, gpu, t_start, log)


def _train_here(cfg: TrainConfig, features, head, spec, train_split, val_split, workdir, t_start, log):
    """Phase 1 (head on cached frozen features), then phase 2 (top blocks), both resumable."""
    cut = split_index(features, cfg.unfreeze)
    prefix, top = features[:cut], features[cut:]
    for p in features.parameters():
        p.requires_grad_(False)
    augment = Augment(brightness=cfg.brightness) if cfg.views > 1 else None
    train_views, val_cached = build_cache(
        prefix, spec, train_split, val_split, workdir / "cache", cfg.views, augment, cfg.threads
    )
    ytr, yva = train_split.labels, val_split.labels
    # Phase 1: the whole backbone is frozen, so pool each cached view through it once.
    pooled_views = [eval_cached(top, head, v, ytr)[2][:, :, None, None] for v in train_views]
    pooled_val = eval_cached(top, head, val_cached, yva)[2][:, :, None, None]
    history = run_phase(
        "head", torch.nn.Identity(), head, pooled_views, ytr, pooled_val, yva, cfg.recipe,
        cfg.recipe.epochs_head, 0.0, workdir / "phase1.pt", log,
    ).epochs
    if cfg.unfreeze > 0 and cfg.recipe.epochs_finetune > 0:
        for p in top.parameters():
            p.requires_grad_(True)
        history += run_phase(
            "finetune", top, head, train_views, ytr, val_cached, yva, cfg.recipe,
            cfg.recipe.epochs_finetune, cfg.recipe.lr * cfg.recipe.finetune_lr_factor,
            workdir / "phase2.pt", log,
        ).epochs
    # A re-finish that trained nothing (every phase resumed complete) adds no training time.
    trained_now = any(
        (workdir / f).exists() and (workdir / f).stat().st_mtime >= t_start
        for f in ("phase1.pt", "phase2.pt")
    )
    train_seconds = _add_elapsed(workdir, time.time() - t_start if trained_now else 0.0)
    model = Classifier(torch.nn.Sequential(*prefix, *top), head).eval()
    return model, history, train_seconds, top, train_views


def _finish(cfg: TrainConfig, task: Task, classes, spec, train_split, val_split, info, model, top, head,
            train_views, history, train_seconds, gpu: GpuRun | None, t_start: float, log) -> dict:
    """Export, calibrate, fit the guards, measure, document, seal and sign."""
    ytr, yva = train_split.labels, val_split.labels
    # Export, then measure everything through the app's own engine on the exported graph.
    out = cfg.out
    out.mkdir(parents=True, exist_ok=True)
    export_onnx(model, spec, out / "model.onnx")
    early_layer = cfg.early_guard
    if early_layer and cfg.ensemble_with:  # every member's layer
        early_layer = member_layers(early_layer, 1 + len(cfg.ensemble_with))
    if early_layer:
        add_early_output(out / "model.onnx", early_layer)
    quality = fit_quality_limits(task.quality, [s.path for s in train_split.samples])
    manifest = _draft_manifest(task, classes, spec, out, info.target_layer, quality, cfg.pack_version)
    if cfg.early_guard:
        manifest["onnx"]["outputs"]["early_pooled"] = EARLY_OUTPUT
    write_manifest(out, manifest)
    engine = Engine(load_pack(out, check_signature=False))  # signed when finished
    val_paths = [s.path for s in val_split.samples]
    val_run = screen_files(engine, spec, val_paths)
    val_logits = val_run.logits

    temperature = evaluate.fit_temperature(val_logits, yva)
    p_raw, p_cal = softmax(val_logits), softmax(val_logits, temperature)
    rep = evaluate.report(p_cal, yva, classes)
    thresholds = {
        c: evaluate.youden_threshold(p_cal[:, i], yva == i)
        for i, c in enumerate(classes)
        if task.classes[c].refer
    }
    train_paths = [s.path for s in train_split.samples]
    # Both the early guard and the downscaled fit need the engine's view of the training set.
    need_train_run = cfg.early_guard or cfg.ood_downscaled or gpu is not None
    train_run = screen_files(engine, spec, train_paths) if need_train_run else None
    # The guard's statistics: clean training images through the model (the cache's view 0,
    # or the engine where the model was trained elsewhere and no cache exists).
    pooled_train = train_run.pooled if gpu is not None else eval_cached(top, head, train_views[0], ytr)[2]
    np.savez(out / "ood.npz", **fit_ood(pooled_train, ytr, len(classes), cfg.ood_dims))
    if cfg.ood_downscaled:
        arrays = fit_with_downscaled(engine, spec, train_paths, ytr, len(classes), cfg.ood_dims,
                                     full=train_run.pooled)
        np.savez(out / "ood.npz", **arrays)
    scorer = MahalanobisScorer.load(out / "ood.npz", threshold=0.0)
    ood_threshold = float(np.quantile(scorer.score(val_run.pooled), VAL_PASS_QUANTILE))
    scorer = MahalanobisScorer.load(out / "ood.npz", threshold=ood_threshold)
    early = None
    if cfg.early_guard:
        early = fit_early_guard(train_run.early, ytr, len(classes), val_run.early)
    val_scores = _guard_scores(scorer, early, val_run)
    probe_paths = probe_files(cfg.ood_probes)
    probe_rate, probe_summary = float("nan"), "no probes given"
    if probe_paths:
        flagged = _guard_scores(scorer, early, screen_files(engine, spec, probe_paths)) > ood_threshold
        probe_rate = float(flagged.mean())
        probe_summary = summarise_probes(cfg.ood_probes, probe_paths, flagged)

    test_metrics = None
    if cfg.test:
        test_split = read_split(cfg.test, classes)
        test_logits = screen_files(engine, spec, [s.path for s in test_split.samples]).logits
        test_metrics = evaluate.report(softmax(test_logits, temperature), test_split.labels, classes).as_dict()

    for c in manifest["classes"]:
        if c["id"] in thresholds:
            c["threshold"] = round(float(thresholds[c["id"]]), 6)
    manifest["calibration"] = {
        "temperature": temperature,
        "ece_before": evaluate.ece(p_raw, yva),
        "ece_after": evaluate.ece(p_cal, yva),
        "threshold_rule": "per refer class, the probability threshold maximising Youden's J "
        "(sensitivity + specificity - 1) one-vs-rest on the validation split",
    }
    manifest["ood"] = {
        "file": "ood.npz",
        "sha256": sha256(out / "ood.npz"),
        "method": "mahalanobis",
        "threshold": ood_threshold,
        "val_pass_rate": float((val_scores <= ood_threshold).mean()),
        "far_ood_flag_rate": probe_rate,
    }
    if cfg.ood_downscaled:
        small = screen_files(engine, spec, val_paths, loader=lambda p: downscaled(p, SMALL_VAL_SIDE))
        manifest["ood"]["fitted_on"] = FITTED_ON
        manifest["ood"]["downscaled_val_pass_rate"] = float(
            (_guard_scores(scorer, early, small) <= ood_threshold).mean()
        )
    if early is not None:
        manifest["ood"]["early"] = early_manifest_entry(early_layer, out, early)
    manifest["metrics"] = {"split": "val", **rep.as_dict()}
    if test_metrics:
        manifest["metrics"]["test"] = test_metrics
    manifest["training"] = {
        "arch": cfg.arch,
        "weights": cfg.weights if cfg.weights in ("none", "imagenet") else Path(cfg.weights).name,
        "unfreeze": cfg.unfreeze,
        **({"output_stride": cfg.output_stride} if cfg.output_stride != 32 else {}),
        "views": cfg.views,
        "brightness_jitter": cfg.brightness,
        "epochs_head": cfg.recipe.epochs_head,
        "epochs_finetune": cfg.recipe.epochs_finetune,
        "finetune_lr_factor": cfg.recipe.finetune_lr_factor,
        "optimizer": cfg.recipe.optimizer,
        "balance": cfg.recipe.balance,
        "lr": cfg.recipe.lr,
        "batch_size": cfg.recipe.batch_size,
        "seed": cfg.recipe.seed,
        "epochs_run": len(history),
        "seconds": train_seconds,
        "hardware": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, no GPU",
        "torch": torch.__version__,
        "app_version": app_version,
        "data_source": task.source or str(cfg.data),
        "dataset": task.dataset,
        "train_counts": train_split.counts(),
        "val_counts": val_split.counts(),
        "history": history,
    }
    if gpu is not None:
        manifest["training"].update(_gpu_training_fields(gpu))
    write_manifest(out, manifest)
    _write_val_sample(out, load_pack(out, check_signature=False), val_split, cfg.data)
    card.plot_confusion(rep.confusion, classes, out / "confusion.png")
    if history:  # a model trained elsewhere brings no per-epoch curves
        card.plot_curves(history, out / "curves.png")
    else:
        (out / "curves.png").unlink(missing_ok=True)
    size_mb = (out / "model.onnx").stat().st_size / 1e6
    card.write_card(
        out,
        manifest,
        {"size_mb": size_mb, "ood_dims": cfg.ood_dims, "ood_probe_summary": probe_summary,
         "comparison": cfg.comparison, "recipes": gpu.comparison if gpu else ""},
    )
    write_seal(out)  # last: the seal covers the card, plots and val sample too
    sign(out, cfg.signing_key, log)  # then the signature over the seal
    summary = {
        "pack": task.pack_id,
        "accuracy": rep.accuracy,
        "macro_f1": rep.macro_f1,
        "temperature": temperature,
        "ood_val_pass": manifest["ood"]["val_pass_rate"],
        "ood_probe_flag": probe_rate,
        "size_mb": size_mb,
        "minutes": (time.time() - t_start) / 60,
    }
    log(json.dumps(summary))
    return summary


def _gpu_training_fields(gpu: GpuRun) -> dict:
    """What the card says about a recipe trained by ``training.gpu_recipes``."""
    r = gpu.recipe
    on_gpu = "GPU" in gpu.hardware
    return {
        "where": "gpu" if on_gpu else "cpu",
        "weights": "ImageNet MobileNetV2 (../shared/weights, as an fp16 copy), every layer fine-tuned",
        "gpu_recipe": r,
        "unfreeze": "all",
        "views": "augmented on the GPU every epoch" if on_gpu else "augmented batch by batch every epoch (CPU)",
        "epochs_head": 0,
        "epochs_finetune": r["epochs"],
        "finetune_lr_factor": r["backbone_lr_factor"],
        "optimizer": "adamw",
        "balance": "weights",
        "lr": r["lr"],
        "batch_size": r["batch"],
        "seed": r["seed"],
        "epochs_run": r["epochs"],
        "hardware": gpu.hardware,
        **({"ensemble": list(gpu.members)} if gpu.members else {}),
    }


def _guard_scores(main: MahalanobisScorer, early: EarlyGuardFit | None, run: Screened) -> np.ndarray:
    """Both guards' verdicts as one score on the main guard's scale (see combined_scores)."""
    early_scorer = None if early is None else guard_scorer(early)
    return combined_scores(main, early_scorer, run.pooled, run.early)


def fit_quality_limits(limits: dict, train_paths: list[Path], keep: float = 0.995) -> dict:
    """Loosen the task's photo-quality limits until they pass ``keep`` of the training images.

    The task's limits say what a bad photo is in general; a dataset of small, smooth crops
    (palm pallor) would otherwise be refused as "blurred" image after image.
    """
    from inference.images import load_image
    from inference.quality import measure

    if not any(
        k in limits for k in ("min_brightness", "max_brightness", "min_sharpness", "min_saturation")
    ):
        return dict(limits)
    stats = np.array([measure(load_image(p).pixels) for p in train_paths])
    tail = (1.0 - keep) * 100
    out = dict(limits)
    if "min_brightness" in out:
        out["min_brightness"] = float(round(min(out["min_brightness"], np.percentile(stats[:, 0], tail) * 0.9), 2))
    if "max_brightness" in out:
        out["max_brightness"] = float(round(max(out["max_brightness"], min(254.0, np.percentile(stats[:, 0], 100 - tail) + 5)), 2))
    if "min_sharpness" in out:
        out["min_sharpness"] = float(round(min(out["min_sharpness"], np.percentile(stats[:, 1], tail) * 0.8), 3))
    if "min_saturation" in out:
        floor = np.percentile(stats[:, 2], tail) * 0.5
        out["min_saturation"] = float(round(min(out["min_saturation"], floor), 4))
    return out


def _draft_manifest(
    task: Task, classes, spec: InputSpec, out: Path, target_layer: str, quality: dict,
    pack_version: str = "1.0.0",
) -> dict:
    """A schema-valid manifest before metrics exist (so the app's loader can run the model)."""
    return {
        "schema_version": 1,
        "id": task.pack_id,
        "display_name": task.display_name,
        "pack_version": pack_version,
        "modality": task.modality,
        "classes": [
            {"id": c, "name": task.classes[c].name, "description": task.classes[c].description,
             "refer": task.classes[c].refer}
            for c in classes
        ],
        "input": {
            "size": [spec.height, spec.width],
            "color": spec.color,
            "resize": spec.resize,
            "normalization": {"kind": "mean_std", "mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD)},
        },
        "onnx": {
            "file": "model.onnx",
            "sha256": sha256(out / "model.onnx"),
            "input": "image",
            "outputs": {"logits": "logits", "features": "features", "head_grad": "head_grad"},
            "target_layer": target_layer,
        },
        "calibration": {"temperature": 1.0},
        "quality": quality,
        "intended_use": task.intended_use,
        "limitations": list(task.limitations),
        **({"capture_advice": task.capture_advice} if task.capture_advice else {}),
        "training": {},
        "metrics": {"split": "val", "n": 0, "accuracy": 0.0, "macro_f1": 0.0},
    }


def _write_val_sample(out: Path, pack, val_split: Split, data_root: Path, per_class: int = 3) -> None:
    """Probabilities the pipeline measured for a few val images, re-checked by the app's tests."""
    from inference.screener import Screener

    screener = Screener(pack)
    rows = []
    for label in range(len(val_split.classes)):
        picked = [s for s in val_split.samples if s.label == label][:per_class]
        for s in picked:
            result = screener.screen_path(s.path)
            rel = s.path.relative_to(data_root).as_posix()
            rows.append([rel, *[f"{p:.6f}" for p in result.prediction.probabilities]])
    with open(out / "val_predictions.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", *[f"p_{c}" for c in val_split.classes]])
        w.writerows(rows)

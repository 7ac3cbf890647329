"""Model card and plots written beside each pack."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def section_end(text: str, start: int) -> int:
    """Where the card section that starts before ``start`` ends: at the next heading or the
    next generated block's marker (``<!-- evaluation:start -->``), whichever comes first. A
    cut that ran on to the next heading took the marker with it, orphaning the block below."""
    ends = [i for i in (text.find("\n## ", start), text.find("\n<!-- ", start)) if i >= 0]
    return min(ends) if ends else len(text)


def replace_section(card: Path, lines: list[str]) -> None:
    """Rewrite the card section whose heading is ``lines[0]`` with ``lines``."""
    text = card.read_text("utf-8")
    start = text.index(lines[0])
    end = section_end(text, start + len(lines[0]))
    card.write_text(text[:start] + "\n".join(lines) + "\n" + text[end:], "utf-8")


def put_block(card: Path, start: str, end: str, section: str, before: str | None = None) -> None:
    """Replace the generated block between the ``start`` and ``end`` markers with ``section``;
    without one, add it before the marker ``before`` where the card has it, else at the end."""
    text = card.read_text("utf-8")
    if start in text:
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end) + "\n?", re.S)
        text = pattern.sub(lambda _: section, text)
    elif before and before in text:
        at = text.index(before)
        text = text[:at] + section + "\n" + text[at:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    card.write_text(text, "utf-8")


RECIPES_HEADING = "## Recipes tried (val and second-site figures)"


def plot_confusion(confusion: list[list[int]], classes: tuple[str, ...], path: Path) -> None:
    cm = np.asarray(confusion)
    fig, ax = plt.subplots(figsize=(1.2 * len(classes) + 2.5, 1.2 * len(classes) + 2))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(classes)):
        for j in range(len(classes)):
            colour = "white" if cm[i, j] > cm.max() / 2 else "black"
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color=colour)
    ax.set_title("Validation confusion matrix")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_curves(epochs: list[dict], path: Path) -> None:
    x = np.arange(1, len(epochs) + 1)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    for key, label in (("train_loss", "train"), ("val_loss", "val")):
        a1.plot(x, [e[key] for e in epochs], label=label)
    for key, label in (("train_acc", "train"), ("val_acc", "val")):
        a2.plot(x, [e[key] for e in epochs], label=label)
    boundary = [i + 0.5 for i in range(1, len(epochs)) if epochs[i]["phase"] != epochs[i - 1]["phase"]]
    for ax, title in ((a1, "loss"), (a2, "accuracy")):
        for b in boundary:
            ax.axvline(b, color="grey", linestyle=":")
        ax.set_xlabel("epoch (dotted: backbone unfrozen)")
        ax.set_title(title)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def ood_section(ood: dict, dims: int, probe_summary: str) -> list[str]:
    """The card's guard section; the rates cover every guard the pack has."""
    lines = [
        "## Out-of-distribution guard",
        "- Score: class-conditional Mahalanobis distance of the L2-normalised pooled features in a "
        f"{dims}-dimensional PCA subspace, plus the energy left outside it; threshold "
        f"{ood.get('threshold', float('nan')):.2f}.",
    ]
    if ood.get("fitted_on"):
        lines.append(
            f"- Fitted on {ood['fitted_on']}, so smaller copies the model still reads are not "
            f"refused: {_pct(ood.get('downscaled_val_pass_rate', float('nan')))} of validation "
            "images shrunk to 160 px pass"
            + "".join(f", {_pct(ood[f'{kind}_val_pass_rate'])} of {kind}-like copies of them (other draws "
                      "than the fitted ones)" for kind in ("camera", "scanner")
                      if ood.get(f"{kind}_val_pass_rate") is not None)
            + "."
        )
    early = ood.get("early")
    if early:
        lines.append(
            f"- Second guard: the same score on the pooled output of the earlier layer "
            f"`{early['layer']}`, whose more generic features still tell unrelated images apart "
            "where fine-tuning narrowed the late ones; "
            f"threshold {early['threshold']:.2f}"
            + ("" if ood.get("threshold_rule") else " (99.5th percentile of the training and validation scores)")
            + f": {_pct(early.get('val_pass_rate', float('nan')))} "
            "of validation images pass it. An image is refused when either guard flags it."
        )
    if ood.get("threshold_rule"):
        lines.append(f"- Thresholds: {ood['threshold_rule']}.")
    lines.append(
        f"- {_pct(ood.get('val_pass_rate', float('nan')))} of validation images pass; "
        f"{_pct(ood.get('far_ood_flag_rate', float('nan')))} of out-of-domain probes flagged "
        f"({probe_summary})."
    )
    return lines


def _ensemble_line(tr: dict) -> str:
    """What an ensemble pack runs, before its first member's recipe."""
    members = tr.get("ensemble")
    if not members:
        return ""
    first = members[0].get("recipe", {})

    def differs(m: dict) -> str:
        keys = [k for k, v in m.get("recipe", {}).items() if k != "name" and first.get(k) != v]
        return "".join(f"; {k.replace('_', ' ')} {m['recipe'][k]}" for k in keys)

    def took(seconds: float) -> str:
        return f"{seconds:.0f} s" if seconds < 60 else f"{seconds / 60:.0f} min"

    runs = ", ".join(
        f"`{m['name']}` ({m['hardware']}, {took(m['seconds'])}{differs(m)})" for m in members
    )
    return (
        f"- Ensemble of {len(members)} runs: {runs}. The pack averages their logits (one forward "
        "pass each); the heatmap is the exact Grad-CAM of that average. Every run follows the "
        "first run's recipe below, except where its entry says otherwise.\n"
    )


def _recipe_line(tr: dict) -> str:
    if "gpu_recipe" in tr:  # training.gpu_recipes, brought in by training.gpu_import
        r = tr["gpu_recipe"]
        extras = [f"label smoothing {r['label_smoothing']}"] if r["label_smoothing"] else []
        if r["scanner_aug"]:
            extras.append("scanner-like augmentation (gamma, contrast, blur, noise, resolution loss)")
        if r["box_weight"]:
            extras.append(
                f"tumour boxes of the training images as weak supervision of the heatmap (weight "
                f"{r['box_weight']}: the class map's spatial softmax is pushed inside the box)"
            )
        return _ensemble_line(tr) + (
            f"- Recipe `{r['name']}`: every layer fine-tuned for {r['epochs']} epochs (AdamW, one-cycle "
            f"LR {r['lr']} head / {r['lr'] * r['backbone_lr_factor']:g} backbone, batch {r['batch']}), "
            f"output stride {r['output_stride']}, rotation/shift/zoom/flip/brightness on every batch, "
            f"{', '.join(extras) or 'no other augmentation'}; class balance by loss weights; the "
            "last epoch is kept (no early stopping)."
        )
    return (
        f"- Recipe: phase 1 head only ({tr['epochs_head']} epochs max), phase 2 top "
        f"{tr['unfreeze']} backbone blocks unfrozen at {tr['finetune_lr_factor']}x LR "
        f"({tr['epochs_finetune']} epochs max), {tr['optimizer']}, early stopping on val loss, "
        f"class balance `{tr['balance']}`, {tr['views']} cached views per image "
        "(view 0 clean, others rotated/shifted/zoomed/flipped/brightness-jittered)."
    )


def write_card(directory: Path, manifest: dict, extra: dict) -> None:
    """MODEL_CARD.md: what the pack is for, how it was made, and how well it did on held-out data."""
    m = manifest["metrics"]
    tr = manifest["training"]
    cal = manifest["calibration"]
    ood = manifest.get("ood", {})
    classes = [c["id"] for c in manifest["classes"]]
    lines = [
        f"# Model card: {manifest['display_name']['en']} (`{manifest['id']}` v{manifest['pack_version']})",
        "",
        "**A screening aid, not a diagnosis.** " + manifest["intended_use"]["en"],
        "",
        "## Model",
        f"- Architecture: {tr['arch']} (torchvision), head: global average pool, dropout, linear.",
        f"- Initial weights: {tr['weights']}",
        f"- Input: {manifest['input']['size'][0]}x{manifest['input']['size'][1]}, "
        f"colour `{manifest['input']['color']}`, resize `{manifest['input']['resize']}`, "
        f"ImageNet mean/std normalisation.",
        _recipe_line(tr),
        f"- Training time: {tr['seconds'] / 60:.1f} min "
        + ("in all (each run's above)." if tr.get("ensemble") else f"on {tr['hardware']}."),
        f"- Size: {extra['size_mb']:.1f} MB (ONNX, fp32).",
        "",
        "## Data",
        f"- {tr['data_source']}",
        f"- Train: {tr['train_counts']}; validation: {tr['val_counts']}. The test split is held out "
        "elsewhere and was never used.",
        "",
        f"## Validation results (n = {m['n']}, measured with the app's own engine)",
        f"- Accuracy {_pct(m['accuracy'])}, macro F1 {_pct(m['macro_f1'])}.",
        f"- Temperature {cal['temperature']:.3f}: ECE {cal['ece_before']:.4f} before, "
        f"{cal['ece_after']:.4f} after.",
        f"- Refer thresholds: {cal['threshold_rule']}",
        "",
        "| class | precision | recall | F1 | ROC AUC | support | refer threshold |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in manifest["classes"]:
        pc = m["per_class"][c["id"]]
        thr = f"{c['threshold']:.3f}" if "threshold" in c else "-"
        lines.append(
            f"| {c['id']} | {_pct(pc['precision'])} | {_pct(pc['recall'])} | {_pct(pc['f1'])} | "
            f"{m['roc_auc'][c['id']]:.3f} | {pc['support']} | {thr} |"
        )
    lines += [
        "",
        "![confusion matrix](confusion.png)",
        "",
        *(["![training curves](curves.png)", ""] if (directory / "curves.png").exists() else []),
        *ood_section(ood, extra["ood_dims"], extra["ood_probe_summary"]),
        "",
        *([RECIPES_HEADING, extra["recipes"], ""] if extra.get("recipes") else []),
        "## Comparison with the published model",
        extra.get("comparison", "") or "See `models/README.md` for the published figure and its data.",
        "",
        "## Limitations",
    ]
    lines += [f"- {lim['en']}" for lim in manifest["limitations"]]
    lines += ["", f"Classes: {', '.join(classes)}.", ""]
    (directory / "MODEL_CARD.md").write_text("\n".join(lines), "utf-8")

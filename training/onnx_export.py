"""ONNX export with heatmap outputs, OOD statistics, and the pack's manifest."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from inference import manifest as manifest_mod
from inference.manifest import InputSpec
from inference.seal import digest_file, write_seal

from .archs import Classifier, ExportWrapper

OUTPUTS = ("logits", "features", "head_grad")


def export_onnx(model: Classifier, spec: InputSpec, path: Path) -> None:
    """Export logits, the CAM target tensor and d logit / d pooled; batch axis dynamic."""
    wrapper = ExportWrapper(model).eval()
    dummy = torch.zeros(1, 3, spec.height, spec.width)
    tmp = path.with_suffix(".onnx.tmp")
    torch.onnx.export(
        wrapper,
        dummy,
        str(tmp),
        input_names=["image"],
        output_names=list(OUTPUTS),
        dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}, "features": {0: "N"}, "head_grad": {0: "N"}},
        opset_version=17,
        dynamo=False,
    )
    flush_denormals(tmp)
    tmp.replace(path)


def flush_denormals(path: Path) -> int:
    """Zero weights below float32's normal range; returns how many there were.

    End-to-end fine-tuning can leave subnormal weights (608 in one brain MRI model); x86 CPUs
    handle them in microcode, and that model ran 2.4x slower than its twin with none. Values
    under 1.2e-38 change no output that matters.
    """
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    tiny = np.finfo(np.float32).tiny
    count = 0
    for init in model.graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        arr = numpy_helper.to_array(init)
        mask = (np.abs(arr) < tiny) & (arr != 0)
        if mask.any():
            count += int(mask.sum())
            init.CopyFrom(numpy_helper.from_array(np.where(mask, 0.0, arr).astype(np.float32), init.name))
    if count:
        onnx.save(model, str(path))
    return count


def fit_ood(pooled_train: np.ndarray, labels: np.ndarray, n_classes: int, dims: int = 64):
    """Statistics for ``inference.ood.MahalanobisScorer``: L2-normalised features, PCA
    subspace with class means and a shared shrunk covariance, and the residual energy."""
    x = pooled_train.astype(np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    center = x.mean(axis=0)
    xc = x - center
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    d = min(dims, vt.shape[0])
    projection = vt[:d].T  # [K, D]
    z = xc @ projection
    means = np.stack([z[labels == c].mean(axis=0) for c in range(n_classes)])
    resid = z - means[labels]
    cov = resid.T @ resid / max(len(z) - n_classes, 1)
    shrink = 0.1
    cov = (1 - shrink) * cov + shrink * np.eye(d) * np.trace(cov) / d
    precision = np.linalg.pinv(cov + 1e-6 * np.eye(d))
    residual_var = float(((xc - z @ projection.T) ** 2).sum(axis=1).mean())
    return {
        "center": center.astype(np.float32),
        "projection": projection.astype(np.float32),
        "class_means": means.astype(np.float32),
        "precision": precision.astype(np.float32),
        "l2_normalise": np.array(1, dtype=np.int8),
        "residual_var": np.array(max(residual_var, 1e-12), dtype=np.float64),
    }


# The one sha256 of a pack file (streamed, regular files only), as the app checks it.
sha256 = digest_file


def write_manifest(directory: Path, manifest: dict) -> None:
    """Validate against the app's schema before writing, so a bad pack is never produced."""
    manifest_mod.validate(manifest, where=str(directory / "manifest.json"))
    tmp = directory / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    tmp.replace(directory / "manifest.json")
    write_seal(directory)  # the app refuses unsealed packs; re-sealed after the last file
